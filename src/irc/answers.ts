import type { ChatMessage, DirectMessage, OutboundFrame } from "../message/index.ts";
import type { IrcConnection } from "./connection.ts";
import type { Reply } from "./reply.ts";
import { signedIn, signInFailed } from "./registration.ts";
import { namesReply } from "./queries.ts";
import { channelKey, userKey } from "./names.ts";
import { ROOMS_PAGE } from "./isupport.ts";
import { listed, type ListFilter } from "./elist.ts";
import type { OwnChange } from "./delivery.ts";

/** A request sent to the session, waiting for its answer. */
export type Pending = {
  ref: number;
  /** The IRC command it came from (for error replies). */
  command: string;
  out: Reply;
  /** The target as the client wrote it (a channel or a nick). */
  target?: string;
  /** say/dm: `#room` or the lower-cased nick, and the chatd text, to recognise the session's own copy. */
  key?: string;
  text?: string;
  replyTo?: string;
  /** PRIVMSG/NOTICE/TAGMSG: the client-only tags sent with it (for the echo). */
  tags?: Record<string, string>;
  sawCopy?: boolean;
  /** The key this request's answer (a frame without ref) is found by. */
  keyed?: string;
  /** CHATHISTORY: its subcommand, and what of the page read it answers with (all of it without). */
  subcommand?: string;
  select?: (page: Array<ChatMessage | DirectMessage>) => Array<ChatMessage | DirectMessage>;
  /** CHATHISTORY LATEST * and BEFORE: the request read backwards, how many messages are wanted and were asked for, and those got so far. */
  fill?: { frame: Record<string, unknown>; key: string; want: number; asked: number; got: Array<ChatMessage | DirectMessage> };
  /** LIST: the search, how many pages were asked for, and what is listed of them. */
  query?: string;
  pages?: number;
  filter?: ListFilter;
  /** KICK/MODE: the nick it is about, and what to say when it worked (PART: its reason). */
  nick?: string;
  done?: string;
};

type Frame<T extends OutboundFrame["type"]> = Extract<OutboundFrame, { type: T }>;

/** A frame the session sent that answers something (not fan-out): turned into the IRC reply of its command. */
export function answerFrame(conn: IrcConnection, frame: OutboundFrame): void {
  switch (frame.type) {
    case "welcome":
      return signedIn(conn, frame.user);
    case "error":
      return error(conn, frame);
    case "ack":
      return ack(conn, frame);
    case "joined":
      return joined(conn, frame);
    case "left": {
      const p = conn.take(undefined, `part:${frame.room}`);
      const out = p?.out ?? conn.reply(undefined);
      // The reason (cut as the others get it) comes back to the one who parted.
      out.add(conn.ctx.renderer.source(conn.nick), "PART", p?.done ? [`#${frame.room}`, p.done] : [`#${frame.room}`]);
      return out.release();
    }
    case "history":
      return history(conn, conn.take(undefined, `hist:#${frame.room}`), frame.messages);
    case "dm_history":
      return history(conn, conn.take(undefined, `hist:${userKey(frame.with) ?? frame.with}`), frame.messages);
    case "rooms":
      return rooms(conn, frame);
    case "moderated": {
      const p = conn.take(frame.ref);
      if (!p) return;
      p.out.add(conn.server, "NOTICE", [conn.nick, p.done ?? `${frame.action}: ${frame.user}`]);
      return p.out.release();
    }
    case "notice":
      if (!conn.registered) return;
      return conn.write(`${conn.prefix(conn.nowTags())}:${conn.server} NOTICE ${conn.nick} :${oneLine(frame.kind === "broadcast" || frame.kind === "motd" ? frame.text : `[${frame.kind}] ${frame.text}`)}\r\n`);
    default:
      return;
  }
}

/** Pages of LIST asked for at most (ROOMS_PAGE rooms each). */
const MAX_LIST_PAGES = 25;

/**
 * A page of the room directory for LIST, the rooms its filters pass; the next
 * page is asked for while there is one, up to MAX_LIST_PAGES (the filters
 * do not make a LIST walk further). The unasked pushes (no ref) mean nothing on IRC.
 */
function rooms(conn: IrcConnection, frame: Frame<"rooms">): void {
  const p = frame.ref === undefined ? undefined : conn.take(frame.ref);
  if (!p) return;
  for (const r of frame.rooms) if (!p.filter || listed(p.filter, r)) conn.num(p.out, "322", `#${r.name}`, String(r.members), r.topic ?? "");
  const pages = p.pages ?? 1;
  if (frame.next !== undefined && pages < MAX_LIST_PAGES) {
    const next = { command: "LIST", out: p.out, query: p.query, pages: pages + 1, filter: p.filter };
    conn.request({ type: "rooms", limit: ROOMS_PAGE, after: frame.next, ...(p.query ? { query: p.query } : {}) }, next);
  } else conn.num(p.out, "323", "End of /LIST");
  p.out.release();
}

/** The TOPIC (or MODE) line of a topic (or mode) change; it answers this client's own TOPIC (or MODE) if it made it. */
export function topicChanged(conn: IrcConnection, frame: OwnChange, bytes: Uint8Array): boolean {
  const p = ownRequest(conn, frame);
  if (!p) return false;
  p.out.raw(new TextDecoder().decode(bytes));
  p.out.release();
  return true;
}

/** This client's request a change answers: its TOPIC or MODE in that room, its REDACT or reaction of that message. */
function ownRequest(conn: IrcConnection, frame: OwnChange): Pending | undefined {
  if (frame.type === "deleted") return conn.take(undefined, `deleted:${frame.id}`);
  if (frame.type === "reaction") return frame.user === conn.session.user?.name ? conn.take(undefined, `reaction:${frame.id}`) : undefined;
  return frame.by === conn.nick ? conn.take(undefined, `${frame.type}:${frame.room}`) : undefined;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ");
}

function ack(conn: IrcConnection, frame: Frame<"ack">): void {
  const p = conn.take(frame.ref);
  if (!p) return;
  // Client tags on their own: the echo (echo-message) is the TAGMSG as the others got it, to the target as written.
  if (p.command === "TAGMSG" && p.tags !== undefined) {
    if (conn.caps.has("echo-message")) p.out.raw(conn.ctx.renderer.tagmsg({ type: "tags", id: frame.id, from: conn.session.user!.name, tags: p.tags, ts: frame.ts }, conn.mask, [], p.target));
    return p.out.release();
  }
  // TOPIC, REDACT, a reaction: what they changed reaches every member (this client too) as its own line.
  if (p.text === undefined) return p.out.release();
  const me = conn.session.user!.name;
  if (!p.sawCopy) conn.requests.expectCopy(frame.id);
  if (conn.caps.has("echo-message")) {
    const command = p.command === "NOTICE" ? "NOTICE" : "PRIVMSG";
    const record: ChatMessage | DirectMessage = p.key!.startsWith("#")
      ? { type: "message", id: frame.id, room: p.key!.slice(1), from: me, text: p.text!, ts: frame.ts }
      : { type: "dm", id: frame.id, from: me, to: p.target!, text: p.text!, ts: frame.ts };
    if (p.replyTo !== undefined) record.replyTo = p.replyTo;
    if (p.tags !== undefined) record.tags = p.tags;
    p.out.raw(conn.ctx.renderer.record(record, conn.mask, [], command, p.target));
  }
  p.out.release();
}

function joined(conn: IrcConnection, frame: Frame<"joined">): void {
  const p = conn.take(undefined, `join:${frame.room}`);
  const out = p?.out ?? conn.reply(undefined);
  const channel = `#${frame.room}`;
  out.add(conn.ctx.renderer.source(conn.nick), "JOIN", [channel]);
  if (frame.topic) {
    conn.num(out, "332", channel, frame.topic);
    const topic = conn.ctx.chat.directory.topic(frame.room);
    if (topic) conn.num(out, "333", channel, topic.by, String(Math.floor(topic.ts / 1000)));
  }
  namesReply(conn, out, channel, frame.members, frame);
  const { replayOnJoin } = conn.ctx.config.irc;
  if (replayOnJoin && !conn.caps.has("draft/chathistory") && frame.history.length > 0) replay(conn, out, channel, frame.history);
  out.release();
  // away-notify: the channel hears that one who joins is away; queued, as the join's presence is announced after this answer.
  if (conn.away !== undefined) conn.session.enqueue(() => conn.ctx.chat.away(conn.session, [frame.room]));
}

/** Messages of the past, in a chathistory batch when the client takes batches. */
function replay(conn: IrcConnection, out: Reply, target: string, messages: Array<ChatMessage | DirectMessage>): void {
  const batch = conn.batches ? conn.batchId() : undefined;
  if (batch) out.add(conn.server, "BATCH", [`+${batch}`, "chathistory", target]);
  const extra: Array<[string, string]> = batch ? [["batch", batch]] : [];
  for (const m of messages) if (!m.deleted) out.raw(conn.ctx.renderer.record(m, conn.mask, extra));
  if (batch) out.add(conn.server, "BATCH", [`-${batch}`]);
}

function history(conn: IrcConnection, p: ReturnType<IrcConnection["take"]>, messages: Array<ChatMessage | DirectMessage>): void {
  if (!p) return;
  let page = messages.filter((m) => !m.deleted);
  if (p.fill) {
    page = [...page, ...p.fill.got];
    // A deleted message takes a place in chatd's page but not in the answer: while a full page
    // came back short, read on before it, so `n` counts messages (an empty answer means no more).
    const short = p.fill.want - page.length;
    if (short > 0 && messages.length > 0 && messages.length >= p.fill.asked) {
      conn.request({ ...p.fill.frame, before: messages[0]!.id, limit: short }, { ...p, fill: { ...p.fill, asked: short, got: page } }, p.fill.key);
      return p.out.release();
    }
  }
  if (p.select) page = p.select(page);
  const batch = conn.batches ? conn.batchId() : undefined;
  if (batch) p.out.add(conn.server, "BATCH", [`+${batch}`, "chathistory", p.target!]);
  const extra: Array<[string, string]> = batch ? [["batch", batch]] : [];
  for (const m of page) p.out.raw(conn.ctx.renderer.record(m, conn.mask, extra));
  if (batch) p.out.add(conn.server, "BATCH", [`-${batch}`]);
  p.out.release();
}

function error(conn: IrcConnection, frame: Frame<"error">): void {
  const p = frame.ref === undefined ? undefined : conn.take(frame.ref);
  if (!p) {
    // Without a request: the sign-in's answer, or something the server says before it closes.
    if (conn.auth === "sasl" || conn.auth === "pass" || conn.auth === "guest") return signInFailed(conn, frame.code, frame.message);
    if (conn.registered && frame.code !== "not_authenticated") conn.write(`:${conn.server} NOTICE ${conn.nick} :${oneLine(frame.message)}\r\n`);
    return;
  }
  const out = p.out;
  const target = p.target ?? "*";
  const message = frame.retryAfterMs === undefined ? frame.message : `${frame.message} (retry after ${frame.retryAfterMs} ms)`;
  // RFC 2812: a NOTICE is never answered with an error.
  if (p.command === "NOTICE") return out.release();
  const n = (code: string, ...params: string[]) => conn.num(out, code, ...params);
  switch (`${p.command}:${frame.code}`) {
    case "PRIVMSG:not_in_room":
    case "PRIVMSG:muted":
    case "TAGMSG:not_in_room":
    case "TAGMSG:muted":
      n("404", target, `Cannot send to channel: ${message}`);
      break;
    case "PRIVMSG:unknown_user":
    case "PRIVMSG:bad_name":
    case "TAGMSG:unknown_user":
    case "TAGMSG:bad_name":
    case "KICK:unknown_user":
    case "KICK:bad_name":
    case "MODE:unknown_user":
    case "MODE:bad_name":
      n("401", p.nick ?? target, "No such nick/channel");
      break;
    case "PRIVMSG:bad_frame":
      n("412", "No text to send");
      break;
    case "JOIN:bad_name":
      n("403", target, `No such channel: ${message}`);
      break;
    case "MODE:unknown_room":
      n("403", target, "No such channel");
      break;
    case "JOIN:too_many_rooms":
      n("405", target, "You have joined too many channels");
      break;
    case "TOPIC:not_in_room":
    case "PART:not_in_room":
      n("442", target, "You're not on that channel");
      break;
    case "KICK:forbidden":
      n("482", target, "You're not a channel operator (chatd moderators and admins only)");
      break;
    case "MODE:forbidden":
    case "TOPIC:forbidden":
      n("482", target, "You're not a channel operator");
      break;
    case "TOPIC:muted":
      n("482", target, `Cannot change the topic: ${message}`);
      break;
    case "MODE:not_in_room":
      // For +o/+v nick it is the nick only when this client is on the channel; otherwise the client itself.
      if (p.nick !== undefined && conn.session.rooms.has(channelKey(target) ?? "")) n("441", p.nick, target, "They aren't on that channel");
      else n("442", target, "You're not on that channel");
      break;
    case "REDACT:forbidden":
      conn.fail(out, "REDACT", "REDACT_FORBIDDEN", target, p.nick ?? "*", message);
      break;
    case "REDACT:not_found":
      conn.fail(out, "REDACT", "UNKNOWN_MSGID", target, p.nick ?? "*", message);
      break;
    case "CHATHISTORY:not_in_room":
    case "CHATHISTORY:bad_name":
      conn.fail(out, "CHATHISTORY", "INVALID_TARGET", p.subcommand ?? "*", target, message);
      break;
    default:
      conn.fail(out, p.command, frame.code.toUpperCase(), ...(p.target ? [p.target] : []), message);
  }
  out.release();
}
