import type { IrcConnection } from "./connection.ts";
import type { IrcMessage } from "./line.ts";
import type { Reply } from "./reply.ts";
import { capCommand } from "./caps.ts";
import { motd } from "./registration.ts";
import { channelKey, userKey, VERSION_TEXT } from "./names.ts";
import { fromIrc, reasonFromIrc } from "./text.ts";
import { clientTagsOf, MAX_LINE_BYTES } from "./line.ts";
import { isReactionEmoji, utf8Length } from "../message/index.ts";
import { MAX_TARGETS, ROOMS_PAGE } from "./isupport.ts";
import { hiddenFrom, ison, lusers, membersOf, names, query, userhost, who, whois } from "./queries.ts";
import { chathistory } from "./history.ts";
import { parseListFilter } from "./elist.ts";
import { away, kick, mode } from "./moderation.ts";
import { oper } from "./oper.ts";
import { nick } from "./nick.ts";

/** Commands of a registered client. */
export function activeCommand(conn: IrcConnection, msg: IrcMessage): void {
  const p = msg.params;
  switch (msg.command) {
    case "PRIVMSG":
    case "NOTICE":
      return message(conn, msg);
    case "JOIN":
      return join(conn, msg);
    case "PART":
      return part(conn, msg);
    case "TAGMSG":
      return tagmsg(conn, msg);
    case "REDACT":
      return redact(conn, msg);
    case "PING":
      return conn.pong(msg);
    case "PONG":
      return;
    case "QUIT":
      // The others see the reason on their QUIT (and a web client on its presence leave), cut as a PART's is.
      conn.quitReason = reasonFromIrc(p[0], 300);
      return conn.quit(p[0] ? `Quit: ${p[0]}` : "Quit");
    case "CAP":
      return capCommand(conn, msg);
    case "NAMES":
      return names(conn, msg);
    case "WHO":
      return who(conn, msg);
    case "WHOIS":
      return whois(conn, msg);
    case "LUSERS":
      return lusers(conn, msg);
    case "ISON":
      return ison(conn, msg);
    case "USERHOST":
      return userhost(conn, msg);
    case "LIST":
      return list(conn, msg);
    case "MOTD": {
      const out = conn.reply(msg);
      motd(conn, out);
      return out.release();
    }
    case "TOPIC":
      return topic(conn, msg);
    case "CHATHISTORY":
      return chathistory(conn, msg);
    case "AWAY":
      return away(conn, msg);
    case "MODE":
      return mode(conn, msg);
    case "KICK":
      return kick(conn, msg);
    case "OPER":
      return oper(conn, msg);
    case "VERSION": {
      const out = conn.reply(msg);
      conn.num(out, "351", VERSION_TEXT, conn.server, "chatd IRC gateway");
      return out.release();
    }
    case "NICK":
      return nick(conn, msg);
    case "USER":
    case "PASS":
      return conn.numeric("462", "You may not reregister");
    case "AUTHENTICATE":
      return conn.numeric("907", "You have already authenticated using SASL");
    default:
      return conn.numeric("421", msg.command, "Unknown command");
  }
}

/** PRIVMSG/NOTICE to channels (chatd `say`) and nicks (chatd `dm`). */
function message(conn: IrcConnection, msg: IrcMessage): void {
  const [targets, raw] = msg.params;
  const notice = msg.command === "NOTICE";
  if (!targets) return notice ? undefined : conn.numeric("411", `No recipient given (${msg.command})`);
  if (raw === undefined || raw === "") return notice ? undefined : conn.numeric("412", "No text to send");
  const list = targets.split(",").filter((t) => t !== "");
  if (list.length > MAX_TARGETS) return notice ? undefined : conn.numeric("407", targets, "Too many targets");
  // Relayed with the sender's source, the line must still fit 512 bytes: refused rather than cut (as Ergo does).
  const source = conn.ctx.renderer.source(conn.nick);
  if (list.some((t) => utf8Length(`:${source} ${msg.command} ${t} :${raw}\r\n`) > MAX_LINE_BYTES)) return conn.numeric("417", "Line too long to be relayed without truncation");
  const text = fromIrc(raw);
  conn.activeAt = Date.now();
  const out = conn.reply(msg);
  const tagged = conn.caps.has("message-tags");
  // +draft/reply: chatd's replyTo. Any value goes through: one naming no message of the target (a malformed
  // one included) is the handler's `not_found`, FAIL PRIVMSG NOT_FOUND; an empty one is no reply.
  const reply = tagged ? msg.tags.get("+draft/reply") : undefined;
  const replyTo = reply ? { replyTo: reply } : {};
  // Every other client-only tag is stored with the message and relayed to clients with message-tags.
  const tags = tagged ? clientTagsOf(msg.tags, "+draft/reply") : undefined;
  const flag = { ...(notice ? { notice: true as const } : {}), ...(tags ? { tags } : {}) };
  // A CTCP request other than ACTION is not relayed (chatd has no such thing).
  if (text !== undefined) {
    for (const target of list) {
      if (target.startsWith("#")) {
        const room = channelKey(target);
        if (room === undefined) {
          if (!notice) conn.num(out, "403", target, "No such channel");
          continue;
        }
        conn.request({ type: "say", room, text, ...replyTo, ...flag }, { command: msg.command, out, target, key: `#${room}`, text, ...replyTo, ...(tags ? { tags } : {}) });
      } else {
        const key = userKey(target);
        if (key === undefined) {
          if (!notice) conn.num(out, "401", target, "No such nick/channel");
          continue;
        }
        conn.request({ type: "dm", to: target, text, ...replyTo, ...flag }, { command: msg.command, out, target, key, text, ...replyTo, ...(tags ? { tags } : {}) });
      }
    }
  }
  out.release();
}

/**
 * TAGMSG (from clients with message-tags): `+draft/react=<emoji>` (or
 * `+draft/unreact`) with `+draft/reply=<msgid>`, where the emoji is a chatd
 * reaction, is chatd `react` (which toggles: every member gets the change as
 * a TAGMSG); `+typing=active` alone to a channel is chatd `typing` (best
 * effort, unanswered); any other client tags are chatd `tags`, relayed as
 * they came and not stored (a `+draft/react` that is no chatd reaction too).
 */
function tagmsg(conn: IrcConnection, msg: IrcMessage): void {
  const targets = msg.params[0];
  if (!targets) return conn.numeric("461", "TAGMSG", "Not enough parameters");
  const out = conn.reply(msg);
  const tags = conn.caps.has("message-tags") ? clientTagsOf(msg.tags) : undefined;
  const emoji = tags?.["+draft/react"] ?? tags?.["+draft/unreact"];
  const id = tags?.["+draft/reply"];
  for (const target of targets.split(",").filter((t) => t !== "").slice(0, MAX_TARGETS)) {
    const room = channelKey(target);
    if (!tags) continue;
    if (emoji && id && isReactionEmoji(emoji)) conn.request({ type: "react", id, emoji }, { command: "TAGMSG", out, target }, `reaction:${id}`);
    else if (room !== undefined && tags["+typing"] === "active" && Object.keys(tags).length === 1) {
      if (conn.session.rooms.has(room)) conn.notify({ type: "typing", room });
    } else if (target.startsWith("#")) {
      if (room === undefined) conn.num(out, "403", target, "No such channel");
      else conn.request({ type: "tags", room, tags }, { command: "TAGMSG", out, target, tags });
    } else if (userKey(target) === undefined) conn.num(out, "401", target, "No such nick/channel");
    else conn.request({ type: "tags", to: target, tags }, { command: "TAGMSG", out, target, tags });
  }
  out.release();
}

/** REDACT <target> <msgid> [:reason]: chatd `delete` (the author; in a room also moderators and admins). */
function redact(conn: IrcConnection, msg: IrcMessage): void {
  const [target, id] = msg.params;
  if (!target || !id) return conn.numeric("461", "REDACT", "Not enough parameters");
  const out = conn.reply(msg);
  conn.request({ type: "delete", id }, { command: "REDACT", out, target, nick: id }, `deleted:${id}`);
  out.release();
}

function join(conn: IrcConnection, msg: IrcMessage): void {
  const targets = msg.params[0];
  if (!targets) return conn.numeric("461", "JOIN", "Not enough parameters");
  const out = conn.reply(msg);
  if (targets === "0") {
    // The rooms the connection is in once the commands before it are handled (a pipelined JOIN's
    // too), left before the commands after it are (a JOIN behind it joins again).
    const mark = (conn.leavingAll = conn.requests.nextRef());
    out.hold();
    conn.session.enqueue(async () => {
      try {
        for (const room of [...conn.session.rooms]) await conn.requestNow({ type: "leave", room }, { command: "PART", out, target: `#${room}` }, `part:${room}`);
      } finally {
        if (conn.leavingAll === mark) conn.leavingAll = 0;
        out.release();
      }
    });
    return out.release();
  }
  for (const target of targets.split(",")) {
    const room = channelKey(target);
    if (room === undefined) conn.num(out, "403", target, "No such channel");
    // Joining a channel one is in is no change (IRC clients re-send JOIN on reconnect); "in" is as the
    // JOINs and PARTs sent before it leave it, answered or not.
    else if (!inRoomAfterQueued(conn, room)) conn.request({ type: "join", room }, { command: "JOIN", out, target }, `join:${room}`);
  }
  out.release();
}

/** In the room once the JOINs, PARTs and JOIN 0s sent so far are handled: the latest still waiting decides, else the session's rooms. */
function inRoomAfterQueued(conn: IrcConnection, room: string): boolean {
  const joining = conn.requests.latest(`join:${room}`);
  const leaving = Math.max(conn.requests.latest(`part:${room}`), conn.leavingAll);
  return joining === leaving ? conn.session.rooms.has(room) : joining > leaving;
}

function part(conn: IrcConnection, msg: IrcMessage): void {
  const targets = msg.params[0];
  if (!targets) return conn.numeric("461", "PART", "Not enough parameters");
  const reason = reasonFromIrc(msg.params[1], 300);
  const out = conn.reply(msg);
  for (const target of targets.split(",")) {
    const room = channelKey(target);
    if (room === undefined) conn.num(out, "403", target, "No such channel");
    // Not in the room is the session's `not_in_room` (442): a JOIN pipelined before the PART counts.
    else conn.request({ type: "leave", room, ...(reason ? { reason } : {}) }, { command: "PART", out, target, ...(reason ? { done: reason } : {}) }, `part:${room}`);
  }
  out.release();
}

/**
 * TOPIC: chatd's room topic. Reading answers 332/333 (or 331); setting is
 * chatd `topic` (members of the room; an empty text clears it), answered by
 * the TOPIC line every member of the room gets.
 */
function topic(conn: IrcConnection, msg: IrcMessage): void {
  const [target, text] = msg.params;
  if (!target) return conn.numeric("461", "TOPIC", "Not enough parameters");
  const room = channelKey(target);
  if (room !== undefined && text === undefined) return readTopic(conn, msg, target, room);
  const out = conn.reply(msg);
  if (room === undefined) conn.num(out, "403", target, "No such channel");
  else conn.request({ type: "topic", room, text: fromIrc(text ?? "") ?? "" }, { command: "TOPIC", out, target }, `topic:${room}`);
  out.release();
}

/**
 * 332/333, or 331 for a room LIST lists (or with members) and no topic; any
 * other name is no channel (403), and so is a secret room to a connection not
 * in it (as LIST has it: not its topic either).
 */
function readTopic(conn: IrcConnection, msg: IrcMessage, target: string, room: string): void {
  if (knownHere(conn, room) && !hiddenFrom(conn, room)) {
    const out = conn.reply(msg);
    topicLines(conn, out, target, room);
    return out.release();
  }
  // Hidden (a JOIN sent just before may still be entering it), or not listed here: asked behind
  // what came before; whether anyone is in it, on any node, of the presence store.
  query(conn, msg, async (out) => {
    if (hiddenFrom(conn, room)) return conn.num(out, "403", target, "No such channel");
    if (knownHere(conn, room) || (await membersOf(conn, room)).length > 0) topicLines(conn, out, target, room);
    else conn.num(out, "403", target, "No such channel");
  });
}

/** The room has a topic, this connection is in it, or the directory lists it: it exists, without asking presence. */
function knownHere(conn: IrcConnection, room: string): boolean {
  const topic = conn.ctx.chat.directory.topic(room);
  return (topic !== undefined && topic.text !== "") || conn.session.rooms.has(room) || conn.ctx.chat.directory.get(room) !== undefined;
}

/** 332 and 333 (who set it, when), or 331 when the room has no topic. */
function topicLines(conn: IrcConnection, out: Reply, target: string, room: string): void {
  const current = conn.ctx.chat.directory.topic(room);
  if (current && current.text !== "") {
    conn.num(out, "332", target, current.text);
    conn.num(out, "333", target, current.by, String(Math.floor(current.ts / 1000)));
  } else conn.num(out, "331", target, "No topic is set");
}

/** LIST [masks and conditions]: chatd's room directory, every page of it, through the ELIST filters (elist.ts). */
function list(conn: IrcConnection, msg: IrcMessage): void {
  const out = conn.reply(msg);
  const filter = parseListFilter(msg.params);
  const query = filter.hint;
  conn.num(out, "321", "Channel", "Users  Name");
  conn.request({ type: "rooms", limit: ROOMS_PAGE, ...(query ? { query } : {}) }, { command: "LIST", out, query, pages: 1, filter });
  out.release();
}
