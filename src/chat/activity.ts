import type { Broker } from "../../storage/broker/types.ts";
import { isMessage, type MessageRecord } from "../../storage/chatlog/types.ts";
import type { UserRecord } from "../../storage/users/types.ts";
import { messagePage } from "./pages.ts";

/** A room the user belongs to, or a direct conversation, and when its latest message was stored. */
export type Activity = { room: string; ts: number } | { with: string; ts: number };

/** Records read from a room's end to find its latest message before paging back one message at a time. */
const TAIL = 20;

/**
 * The user's rooms and direct conversations whose latest message was stored
 * strictly between `from` and `to` (ms), oldest activity first, at most
 * `limit` of them (IRC's CHATHISTORY TARGETS). It reads no whole log: the
 * conversations index on the user's record holds each conversation's latest
 * message time, and a room's latest message is at the end of its stream.
 */
export async function activeBetween(broker: Pick<Broker, "history">, user: Pick<UserRecord, "rooms" | "conversations">, from: number, to: number, limit: number): Promise<Activity[]> {
  const found: Activity[] = [];
  for (const c of user.conversations ?? []) if (c.ts > from && c.ts < to) found.push({ with: c.with, ts: c.ts });
  const latest = await Promise.all((user.rooms ?? []).map((room) => latestMessage(broker, room)));
  (user.rooms ?? []).forEach((room, i) => {
    const ts = latest[i]?.ts;
    if (ts !== undefined && ts > from && ts < to) found.push({ room, ts });
  });
  return found.sort((a, b) => a.ts - b.ts).slice(0, limit);
}

/** A stream's latest message (not an edit, reaction or topic stored after it). */
async function latestMessage(broker: Pick<Broker, "history">, room: string): Promise<MessageRecord | undefined> {
  const tail = await broker.history(room, { limit: TAIL });
  const last = tail.messages.findLast(isMessage);
  if (last || tail.complete || tail.messages.length === 0) return last;
  return (await messagePage(broker, room, { before: tail.messages[0]!.id, limit: 1 })).messages[0] as MessageRecord | undefined;
}
