import { formatId, ID_PATTERN } from "../../storage/chatlog/ids.ts";
import type { IrcConnection } from "./connection.ts";
import type { IrcMessage } from "./line.ts";
import { channelKey, userKey } from "./names.ts";
import { CHATHISTORY_MAX } from "./isupport.ts";

/**
 * draft/chathistory on chatd's history: a msgid is a chatd message id, so
 * `CHATHISTORY AFTER #room msgid=<last seen> 100` fetches what a client
 * missed. LATEST, BEFORE and AFTER; a timestamp reference becomes the id
 * boundary of its millisecond (ids start with the time they were stored).
 */
export function chathistory(conn: IrcConnection, msg: IrcMessage): void {
  const [sub = "", target = "", ref = "", limitText = ""] = msg.params;
  const out = conn.reply(msg);
  const fail = (code: string, ...params: string[]) => {
    conn.fail(out, "CHATHISTORY", code, ...params);
    out.release();
  };
  const kind = sub.toUpperCase();
  if (kind !== "LATEST" && kind !== "BEFORE" && kind !== "AFTER") return fail("INVALID_PARAMS", sub || "*", "LATEST, BEFORE and AFTER are supported");
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1) return fail("INVALID_PARAMS", limitText || "*", "limit must be a positive integer");
  const capped = Math.min(limit, CHATHISTORY_MAX);
  let id: string | undefined;
  if (!(kind === "LATEST" && ref === "*")) {
    id = boundary(ref, kind === "BEFORE" ? "before" : "after");
    if (id === undefined) return fail("INVALID_PARAMS", ref || "*", "expected msgid=<id> or timestamp=<time>");
  }
  const room = channelKey(target);
  const other = room === undefined ? userKey(target) : undefined;
  if (room === undefined && other === undefined) return fail("INVALID_TARGET", target || "*", "no such channel or nick");
  const base = room !== undefined ? { type: "history", room } : { type: "dm_history", with: target };
  const key = room !== undefined ? `hist:#${room}` : `hist:${other}`;
  const pending = { command: "CHATHISTORY", out, target };
  if (kind === "BEFORE") conn.request({ ...base, before: id, limit: capped }, pending, key);
  else if (id === undefined) conn.request({ ...base, limit: capped }, pending, key);
  // After an id: a conversation reads from it; a room reads its latest page and keeps what is newer.
  else if (room === undefined) conn.request({ ...base, since: id }, { ...pending, after: id, limit: capped, first: kind === "AFTER" }, key);
  else conn.request({ ...base, limit: CHATHISTORY_MAX }, { ...pending, after: id, limit: capped, first: kind === "AFTER" }, key);
  out.release();
}

/** The message id a reference stands for: a msgid as is, a timestamp as the first (before) or last (after) id of its millisecond. */
function boundary(ref: string, side: "before" | "after"): string | undefined {
  if (ref.startsWith("msgid=")) {
    const id = ref.slice(6);
    return ID_PATTERN.test(id) ? id : undefined;
  }
  if (ref.startsWith("timestamp=")) {
    const ms = Date.parse(ref.slice(10));
    if (!Number.isFinite(ms) || ms < 0) return undefined;
    return side === "before" ? formatId(ms, 0) : formatId(ms, 999_999);
  }
  return undefined;
}
