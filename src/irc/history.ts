import { formatId, ID_PATTERN } from "../../storage/chatlog/ids.ts";
import type { ChatMessage, DirectMessage } from "../message/index.ts";
import type { IrcConnection } from "./connection.ts";
import type { IrcMessage } from "./line.ts";
import { channelKey, userKey } from "./names.ts";
import { CHATHISTORY_MAX } from "./isupport.ts";
import { chathistoryTargets, timestamp } from "./targets.ts";

type Page = Array<ChatMessage | DirectMessage>;

/**
 * draft/chathistory on chatd's history: a msgid is a chatd message id, so
 * `CHATHISTORY AFTER #room msgid=<last seen> 100` fetches what a client
 * missed. A timestamp reference becomes the id boundary of its millisecond
 * (ids start with the time they were stored). Every subcommand is one
 * `history` or `dm_history` request through the session (its membership
 * check and history budget), the page cut here to what was asked.
 */
export function chathistory(conn: IrcConnection, msg: IrcMessage): void {
  const [sub = "", target = "", ref = "", fourth = "", fifth = ""] = msg.params;
  const kind = sub.toUpperCase();
  if (kind === "TARGETS") return chathistoryTargets(conn, msg);
  const out = conn.reply(msg);
  const fail = (code: string, ...params: string[]) => {
    conn.fail(out, "CHATHISTORY", code, ...params);
    out.release();
  };
  if (!["LATEST", "BEFORE", "AFTER", "AROUND", "BETWEEN"].includes(kind)) return fail("INVALID_PARAMS", sub || "*", "LATEST, BEFORE, AFTER, AROUND, BETWEEN and TARGETS are supported");
  const limitText = kind === "BETWEEN" ? fifth : fourth;
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1) return fail("INVALID_PARAMS", limitText || "*", "limit must be a positive integer");
  const capped = Math.min(limit, CHATHISTORY_MAX);
  const room = channelKey(target);
  const other = room === undefined ? userKey(target) : undefined;
  if (room === undefined && other === undefined) return fail("INVALID_TARGET", kind, target || "*", "no such channel or nick");
  const base = room !== undefined ? { type: "history", room } : { type: "dm_history", with: target };
  const key = room !== undefined ? `hist:#${room}` : `hist:${other}`;
  const pending = { command: "CHATHISTORY", out, target, subcommand: kind };
  const bad = (r: string) => fail("INVALID_PARAMS", r || "*", "expected msgid=<id> or timestamp=<time>");
  // The latest page (the most one answer may hold): where a room's messages after a point are looked for.
  const latest = { ...base, limit: CHATHISTORY_MAX };

  if (kind === "LATEST" && ref === "*") conn.request({ ...base, limit: capped }, pending, key);
  else if (kind === "BEFORE") {
    const before = boundary(ref, "before");
    if (before === undefined) return bad(ref);
    conn.request({ ...base, before, limit: capped }, pending, key);
  } else if (kind === "LATEST" || kind === "AFTER") {
    const after = boundary(ref, "after");
    if (after === undefined) return bad(ref);
    const first = kind === "AFTER";
    const select = (page: Page) => take(page.filter((m) => m.id > after), capped, first);
    // A conversation reads from the point on; a room reads its latest page and keeps what is newer.
    conn.request(room === undefined ? { ...base, since: after } : latest, { ...pending, select }, key);
  } else if (kind === "AROUND") {
    const center = boundary(ref, "before");
    if (center === undefined) return bad(ref);
    conn.request(latest, { ...pending, select: (page: Page) => around(page, center, capped) }, key);
  } else {
    const ends = between(ref, fourth);
    if (typeof ends === "string") return bad(ends);
    const { after, before, forward } = ends;
    const select = (page: Page) => take(page.filter((m) => m.id > after && m.id < before), capped, forward);
    // A conversation reads exactly that span; a room the latest page before its end.
    conn.request(room === undefined ? { ...base, since: after, before } : { ...latest, before }, { ...pending, select }, key);
  }
  out.release();
}

/** The oldest `n` of a page (`first`) or its newest. */
function take(page: Page, n: number, first: boolean): Page {
  if (page.length <= n) return page;
  return first ? page.slice(0, n) : page.slice(-n);
}

/**
 * AROUND: the reference and what follows it, and half the limit (rounded
 * down) from before it, so `AROUND msgid=<m> 1` is the message itself and
 * `3` is one before, it, one after; a side with fewer leaves its share to the other.
 */
function around(page: Page, center: string, n: number): Page {
  const older = page.filter((m) => m.id < center);
  const newer = page.filter((m) => m.id >= center);
  let fromOlder = Math.min(older.length, Math.floor(n / 2));
  const fromNewer = Math.min(newer.length, n - fromOlder);
  fromOlder = Math.min(older.length, n - fromNewer);
  return [...(fromOlder > 0 ? older.slice(-fromOlder) : []), ...newer.slice(0, fromNewer)];
}

/**
 * BETWEEN's two references, in either order, as exclusive id bounds; forward
 * when the first is the older (the answer then starts at it, else ends at
 * the second). A bad reference is returned as such.
 */
function between(first: string, second: string): { after: string; before: string; forward: boolean } | string {
  const a = boundary(first, "before");
  if (a === undefined) return first;
  const b = boundary(second, "before");
  if (b === undefined) return second;
  const forward = a <= b;
  const [older, newer] = forward ? [first, second] : [second, first];
  return { after: boundary(older, "after")!, before: boundary(newer, "before")!, forward };
}

/** The message id a reference stands for: a msgid as is, a timestamp as the first (before) or last (after) id of its millisecond. */
function boundary(ref: string, side: "before" | "after"): string | undefined {
  if (ref.startsWith("msgid=")) {
    const id = ref.slice(6);
    return ID_PATTERN.test(id) ? id : undefined;
  }
  const ms = timestamp(ref);
  if (ms === undefined) return undefined;
  return side === "before" ? formatId(ms, 0) : formatId(ms, 999_999);
}
