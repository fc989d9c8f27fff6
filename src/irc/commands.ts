import type { IrcConnection } from "./connection.ts";
import type { IrcMessage } from "./line.ts";
import { capCommand } from "./caps.ts";
import { motd } from "./registration.ts";
import { channelKey, userKey, VERSION_TEXT } from "./names.ts";
import { fromIrc } from "./text.ts";
import { MAX_TARGETS, ROOMS_PAGE } from "./isupport.ts";
import { ison, lusers, membersOf, names, query, userhost, who, whois } from "./queries.ts";
import { chathistory } from "./history.ts";
import { away, kick, mode, oper } from "./moderation.ts";
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
    case "PING": {
      if (p.length < 1) return conn.numeric("409", "No origin specified");
      // Behind what the session still does for earlier commands (a JOIN, a NICK): replies keep the commands' order.
      return query(conn, msg, (out) => out.add(conn.server, "PONG", [conn.server, p[0]!], [], true));
    }
    case "PONG":
      return;
    case "QUIT":
      // The others see the reason on their QUIT (and a web client on its presence leave), cut as a PART's is.
      if (p[0]) conn.quitReason = p[0].slice(0, 300);
      return conn.close(1000, p[0] ? `Quit: ${p[0]}` : "Quit");
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
  const text = fromIrc(raw);
  const out = conn.reply(msg);
  // +draft/reply: chatd's replyTo (a message id; anything else is refused by the schema).
  const reply = conn.caps.has("message-tags") ? msg.tags.get("+draft/reply") : undefined;
  const replyTo = reply ? { replyTo: reply } : {};
  const flag = notice ? { notice: true as const } : {};
  // A CTCP request other than ACTION is not relayed (chatd has no such thing).
  if (text !== undefined) {
    for (const target of list) {
      if (target.startsWith("#")) {
        const room = channelKey(target);
        if (room === undefined) {
          if (!notice) conn.num(out, "403", target, "No such channel");
          continue;
        }
        conn.request({ type: "say", room, text, ...replyTo, ...flag }, { command: msg.command, out, target, key: `#${room}`, text, ...replyTo });
      } else {
        const key = userKey(target);
        if (key === undefined) {
          if (!notice) conn.num(out, "401", target, "No such nick/channel");
          continue;
        }
        conn.request({ type: "dm", to: target, text, ...replyTo, ...flag }, { command: msg.command, out, target, key, text, ...replyTo });
      }
    }
  }
  out.release();
}

/**
 * TAGMSG: `+typing=active` to a channel is chatd `typing` (best effort,
 * unanswered); `+draft/react=<emoji>` (or `+draft/unreact`) with
 * `+draft/reply=<msgid>` is chatd `react` (which toggles: every member gets
 * the change as a TAGMSG).
 */
function tagmsg(conn: IrcConnection, msg: IrcMessage): void {
  const target = msg.params[0] ?? "";
  const room = channelKey(target);
  const out = conn.reply(msg);
  const emoji = msg.tags.get("+draft/react") ?? msg.tags.get("+draft/unreact");
  const id = msg.tags.get("+draft/reply");
  if (emoji && id) conn.request({ type: "react", id, emoji }, { command: "TAGMSG", out, target });
  else if (room !== undefined && msg.tags.get("+typing") === "active" && conn.session.rooms.has(room)) conn.notify({ type: "typing", room });
  out.release();
}

/** REDACT <target> <msgid> [:reason]: chatd `delete` (the author; in a room also moderators and admins). */
function redact(conn: IrcConnection, msg: IrcMessage): void {
  const [target, id] = msg.params;
  if (!target || !id) return conn.numeric("461", "REDACT", "Not enough parameters");
  const out = conn.reply(msg);
  conn.request({ type: "delete", id }, { command: "REDACT", out, target, nick: id });
  out.release();
}

function join(conn: IrcConnection, msg: IrcMessage): void {
  const targets = msg.params[0];
  if (!targets) return conn.numeric("461", "JOIN", "Not enough parameters");
  const out = conn.reply(msg);
  if (targets === "0") {
    for (const room of [...conn.session.rooms]) conn.request({ type: "leave", room }, { command: "PART", out, target: `#${room}` }, `part:${room}`);
    return out.release();
  }
  for (const target of targets.split(",")) {
    const room = channelKey(target);
    if (room === undefined) conn.num(out, "403", target, "No such channel");
    // Joining a channel one is in is no change (IRC clients re-send JOIN on reconnect).
    else if (!conn.session.rooms.has(room)) conn.request({ type: "join", room }, { command: "JOIN", out, target }, `join:${room}`);
  }
  out.release();
}

function part(conn: IrcConnection, msg: IrcMessage): void {
  const targets = msg.params[0];
  if (!targets) return conn.numeric("461", "PART", "Not enough parameters");
  const out = conn.reply(msg);
  for (const target of targets.split(",")) {
    const room = channelKey(target);
    if (room === undefined) conn.num(out, "403", target, "No such channel");
    else if (!conn.session.rooms.has(room)) conn.num(out, "442", target, "You're not on that channel");
    else conn.request({ type: "leave", room, ...(msg.params[1] ? { reason: msg.params[1].slice(0, 300) } : {}) }, { command: "PART", out, target, ...(msg.params[1] ? { done: msg.params[1] } : {}) }, `part:${room}`);
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

/** 332/333, or 331 for a room with members and no topic; a room with neither is no channel yet (403). */
function readTopic(conn: IrcConnection, msg: IrcMessage, target: string, room: string): void {
  const current = conn.ctx.chat.directory.topic(room);
  if ((current && current.text !== "") || conn.session.rooms.has(room)) {
    const out = conn.reply(msg);
    if (current && current.text !== "") {
      conn.num(out, "332", target, current.text);
      conn.num(out, "333", target, current.by, String(Math.floor(current.ts / 1000)));
    } else conn.num(out, "331", target, "No topic is set");
    return out.release();
  }
  // Not in the room: whether anyone is, on any node, is asked of the presence store.
  query(conn, msg, async (out) => {
    if ((await membersOf(conn, room)).length > 0) conn.num(out, "331", target, "No topic is set");
    else conn.num(out, "403", target, "No such channel");
  });
}

/** LIST [mask]: chatd's room directory, every page of it (`*word*` searches names). */
function list(conn: IrcConnection, msg: IrcMessage): void {
  const out = conn.reply(msg);
  const query = (msg.params[0] ?? "").split(",")[0]!.replace(/^#/, "").replace(/\*/g, "");
  conn.num(out, "321", "Channel", "Users  Name");
  conn.request({ type: "rooms", limit: ROOMS_PAGE, ...(query ? { query } : {}) }, { command: "LIST", out, query, pages: 1 });
  out.release();
}
