import type { Broker } from "../../../storage/broker/types.ts";
import { isMessage, type ChatRecord } from "../../../storage/chatlog/types.ts";
import type { AmendedView } from "../amendments.ts";
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

/**
 * `belongs` for many questions about one user: a `rooms` page asks it of every
 * secret room it passes, and a scan of the user's rooms for each (up to
 * `limits.maxRooms` of both) made one request cost rooms × rooms steps.
 */
export function belongsTest(user: Pick<UserRecord, "rooms">): (room: string) => boolean {
  let own: Set<string> | undefined;
  return (room) => (own ??= new Set(user.rooms ?? [])).has(room);
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

/**
 * Moves the read marker forward (never back, so devices that are behind cannot
 * undo it); says whether it moved and the marker as stored after it.
 */
export async function moveMarker(store: UserStore, key: string, marker: string, id: string): Promise<{ moved: boolean; id: string }> {
  let moved = false;
  let stored = id;
  await store.update(key, (u) => {
    const current = u.reads?.[marker];
    moved = current === undefined || compareIds(id, current) > 0;
    if (moved) u.reads = { ...(u.reads ?? {}), [marker]: id };
    else stored = current!;
  });
  return { moved, id: stored };
}

/**
 * The id of the newest record (of any kind) the stream keeps, from the log
 * (in a cluster, Redis): one record read. A read marker is never set past it,
 * or a made-up id far ahead would silence the stream's unread counts for good.
 */
export async function newestKept(broker: Pick<Broker, "history">, stream: string): Promise<string | undefined> {
  const page = await broker.history(stream, { limit: 1 });
  return page.messages.at(-1)?.id;
}

/** The id a read marker is set to: the one asked for, or the stream's newest when it asks for more. */
export function clampMarker(id: string, newest: string): string {
  return compareIds(id, newest) > 0 ? newest : id;
}

/**
 * Notes message `lastId` of the conversation with `other` in the user's index,
 * kept newest first. Two messages stored at once (on two nodes) may be noted
 * in either order: a conversation's entry only moves to a newer message, and
 * goes where its id places it.
 */
export async function noteConversation(store: UserStore, key: string, other: { key: string; name: string }, lastId: string, ts: number): Promise<void> {
  await store.update(key, (u) => {
    const list = u.conversations ?? [];
    const known = list.find((c) => c.key === other.key);
    if (known && compareIds(known.lastId, lastId) >= 0) return;
    const rest = list.filter((c) => c !== known);
    const at = rest.findIndex((c) => compareIds(c.lastId, lastId) < 0);
    rest.splice(at === -1 ? rest.length : at, 0, { key: other.key, with: other.name, lastId, ts });
    u.conversations = rest.slice(0, CONVERSATIONS_KEPT);
  });
}

/** Whether a mentions list (the parser's, or an edit's recomputed one) names the user or `@room`. */
function mentions(list: string[] | undefined, name: string): boolean {
  return list !== undefined && (list.includes(name) || list.includes("@room"));
}

/** The current state (deleted, edited) of a page's messages: `Amendments.recall` (a message evicted from memory is read back). */
export type StatesOf = (records: readonly ChatRecord[]) => Promise<Pick<AmendedView, "get">>;

/**
 * Records read to count one stream's unread exactly (the newest after the
 * marker), and in all by one `welcome`: counting is bounded work per request,
 * whatever the number of rooms or the history kept (docs/protocol.md#welcome).
 */
export const UNREAD_READ = 50;
export const UNREAD_READ_TOTAL = 500;

/**
 * Unread in a stream after `lastRead`, from `kept` (the records it keeps after
 * the marker, counted by the log without reading them) and the newest `reads`
 * of them, read: among those, messages by others that are not deleted count,
 * and those that mention the user are the mentions; the older ones (not read)
 * count whatever they are. Exact when `reads` covers `kept`.
 */
async function countFrom(
  broker: Pick<Broker, "history">,
  room: string,
  lastRead: string | undefined,
  user: string,
  kept: number,
  reads: number,
  statesOf: StatesOf,
): Promise<{ count: number; mentions: number }> {
  if (kept === 0 || reads === 0) return { count: kept, mentions: 0 };
  const page = await broker.history(room, lastRead === undefined ? { limit: reads } : { after: lastRead, limit: reads });
  const states = await statesOf(page.messages);
  let count = Math.max(0, kept - page.messages.length);
  let mentioned = 0;
  for (const r of page.messages) {
    if (!isMessage(r) || r.from === user) continue;
    const state = states.get(r.id);
    if (state?.deleted) continue;
    count++;
    // An edit recomputed the message's mentions: what history shows is what counts.
    if (mentions(state?.edit ? state.edit.mentions : r.mentions, user)) mentioned++;
  }
  return { count, mentions: mentioned };
}

/** Unread in one stream (`joined`), reading at most `maxReads` records (see countFrom). */
export async function countUnread(
  broker: Pick<Broker, "history" | "keptAfter">,
  room: string,
  lastRead: string | undefined,
  user: string,
  maxReads: number,
  statesOf: StatesOf,
): Promise<{ count: number; mentions: number }> {
  const kept = await broker.keptAfter(room, lastRead);
  return countFrom(broker, room, lastRead, user, kept, Math.min(kept, maxReads), statesOf);
}

export type Unread = { room: string; count: number; mentions: number } | { with: string; count: number; mentions: number };

/**
 * What `welcome` says of the user's state: unread counts for every room the
 * user belongs to and every conversation with unread messages, and the
 * conversations, most recent first. Read from the user's record, the
 * streams' counts of records kept after each marker (nothing read) and at
 * most `maxReads` records in all (UNREAD_READ a stream at most).
 */
export async function welcomeState(
  broker: Pick<Broker, "history" | "keptAfter">,
  user: UserRecord,
  maxReads: number,
  statesOf: StatesOf,
): Promise<{ unread: Unread[]; conversations: Array<{ with: string; lastId: string; ts: number }> }> {
  const reads = user.reads ?? {};
  const rooms = user.rooms ?? [];
  const conversations = user.conversations ?? [];
  const talks = conversations.slice(0, CONVERSATIONS_COUNTED).filter((c) => {
    const read = reads[withMarker(c.key)];
    return read === undefined || compareIds(c.lastId, read) > 0;
  });
  const streams = [
    ...rooms.map((room) => ({ stream: room, marker: reads[roomMarker(room)] })),
    ...talks.map((c) => ({ stream: dmRoom(user.key, c.key), marker: reads[withMarker(c.key)] })),
  ];
  // Counted first (nothing read), then the reads shared out in order: rooms, then conversations.
  const kept = await Promise.all(streams.map((s) => broker.keptAfter(s.stream, s.marker)));
  let left = maxReads;
  const counts = await Promise.all(
    streams.map((s, i) => {
      const allotted = Math.min(kept[i]!, UNREAD_READ, left);
      left -= allotted;
      return countFrom(broker, s.stream, s.marker, user.name, kept[i]!, allotted, statesOf);
    }),
  );
  const unread: Unread[] = rooms.map((room, i) => ({ room, ...counts[i]! }));
  talks.forEach((c, i) => {
    const t = counts[rooms.length + i]!;
    if (t.count > 0) unread.push({ with: c.with, ...t });
  });
  return { unread, conversations: conversations.map((c) => ({ with: c.with, lastId: c.lastId, ts: c.ts })) };
}
