import type { Broker } from "../../../storage/broker/types.ts";
import { isMessage, type MessageRecord } from "../../../storage/chatlog/types.ts";
import { dmRoom } from "../../../storage/chatlog/room-keys.ts";
import type { UserRecord, UserStore } from "../../../storage/users/types.ts";

/** Ids are fixed width (storage/chatlog/ids.ts), so they compare as strings. */
const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Conversations kept in a user's index (the oldest go first), and how many of them `welcome` counts unread in. */
export const CONVERSATIONS_KEPT = 500;
export const CONVERSATIONS_COUNTED = 100;

/** The read-marker key of a room or of a conversation with a user (by key). */
export const roomMarker = (room: string) => `#${room}`;
export const withMarker = (userKey: string) => `@${userKey}`;

export function belongs(user: Pick<UserRecord, "rooms">, room: string): boolean {
  return user.rooms?.includes(room) ?? false;
}

/** Adds the room to the user's rooms (durable); true when it was not there. */
export async function addMembership(store: UserStore, key: string, room: string): Promise<boolean> {
  let added = false;
  await store.update(key, (u) => {
    added = !belongs(u, room);
    if (added) u.rooms = [...(u.rooms ?? []), room];
  });
  return added;
}

/** Removes the room from the user's rooms and its read marker (durable); true when it was there. */
export async function removeMembership(store: UserStore, key: string, room: string): Promise<boolean> {
  let removed = false;
  await store.update(key, (u) => {
    removed = belongs(u, room);
    if (removed) u.rooms = u.rooms!.filter((r) => r !== room);
    if (u.reads) delete u.reads[roomMarker(room)];
  });
  return removed;
}

/** Moves the read marker forward (never back, so devices that are behind cannot undo it); true when it moved. */
export async function moveMarker(store: UserStore, key: string, marker: string, id: string): Promise<boolean> {
  let moved = false;
  await store.update(key, (u) => {
    const current = u.reads?.[marker];
    moved = current === undefined || compareIds(id, current) > 0;
    if (moved) u.reads = { ...(u.reads ?? {}), [marker]: id };
  });
  return moved;
}

/** Puts the conversation with `other` first in the user's index. */
export async function noteConversation(store: UserStore, key: string, other: { key: string; name: string }, lastId: string, ts: number): Promise<void> {
  await store.update(key, (u) => {
    const rest = (u.conversations ?? []).filter((c) => c.key !== other.key);
    u.conversations = [{ key: other.key, with: other.name, lastId, ts }, ...rest].slice(0, CONVERSATIONS_KEPT);
  });
}

/** Whether a record mentions the user: its `mentions` (added by the mention parser) name them or `@room`. */
function mentions(record: MessageRecord, name: string): boolean {
  const list = record.mentions;
  return list !== undefined && (list.includes(name) || list.includes("@room"));
}

/** Whether a message was deleted (the Amendments state). */
export type IsDeleted = (id: string) => boolean;

/** Messages by others after `lastRead` in the stream (up to the history kept), and how many of them mention the user. */
export async function countUnread(
  broker: Pick<Broker, "history">,
  room: string,
  lastRead: string | undefined,
  user: string,
  historyPerRoom: number,
  isDeleted: IsDeleted,
): Promise<{ count: number; mentions: number }> {
  const page = await broker.history(room, lastRead === undefined ? { limit: historyPerRoom } : { after: lastRead, limit: historyPerRoom });
  let count = 0;
  let mentioned = 0;
  for (const r of page.messages) {
    if (!isMessage(r) || r.from === user || isDeleted(r.id)) continue;
    count++;
    if (mentions(r, user)) mentioned++;
  }
  return { count, mentions: mentioned };
}

export type Unread = { room: string; count: number; mentions: number } | { with: string; count: number; mentions: number };

/**
 * What `welcome` says of the user's state: unread counts for every room the
 * user belongs to and every conversation with unread messages, and the
 * conversations, most recent first. Read from the user's record and the
 * streams' kept history; the log is never scanned.
 */
export async function welcomeState(
  broker: Pick<Broker, "history">,
  user: UserRecord,
  historyPerRoom: number,
  isDeleted: IsDeleted,
): Promise<{ unread: Unread[]; conversations: Array<{ with: string; lastId: string; ts: number }> }> {
  const reads = user.reads ?? {};
  const rooms = user.rooms ?? [];
  const conversations = user.conversations ?? [];
  const roomCounts = rooms.map((room) => countUnread(broker, room, reads[roomMarker(room)], user.name, historyPerRoom, isDeleted));
  const talks = conversations.slice(0, CONVERSATIONS_COUNTED).filter((c) => {
    const read = reads[withMarker(c.key)];
    return read === undefined || compareIds(c.lastId, read) > 0;
  });
  const talkCounts = talks.map((c) => countUnread(broker, dmRoom(user.key, c.key), reads[withMarker(c.key)], user.name, historyPerRoom, isDeleted));
  const [r, t] = await Promise.all([Promise.all(roomCounts), Promise.all(talkCounts)]);
  const unread: Unread[] = rooms.map((room, i) => ({ room, ...r[i]! }));
  talks.forEach((c, i) => {
    if (t[i]!.count > 0) unread.push({ with: c.with, ...t[i]! });
  });
  return { unread, conversations: conversations.map((c) => ({ with: c.with, lastId: c.lastId, ts: c.ts })) };
}
