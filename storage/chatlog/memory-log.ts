import { createIdGenerator } from "./ids.ts";
import { isDmRoom } from "./room-keys.ts";
import type { ChatLog, ChatRecord } from "./types.ts";

/**
 * A chat log in memory, nothing on disk: for unit tests of the chat (under the
 * memory broker). Same guarantees as the JSON-lines log, with durability
 * trivially met: `onStored` runs within `append`, in append order.
 */
export function createMemoryLog({ historyPerRoom = 1000, now = Date.now }: { historyPerRoom?: number; now?: () => number } = {}): ChatLog {
  const nextId = createIdGenerator(undefined, now);
  const rooms = new Map<string, { records: ChatRecord[]; dropped: string | undefined }>();
  let last: string | undefined;
  return {
    async open() {},
    async append(draft, onStored) {
      const { id, ts } = nextId();
      const record = { ...draft, id, ts } as ChatRecord;
      let room = rooms.get(record.room);
      if (!room) rooms.set(record.room, (room = { records: [], dropped: undefined }));
      room.records.push(record);
      if (room.records.length > historyPerRoom) room.dropped = room.records.shift()!.id;
      last = id;
      onStored?.(record);
      return record;
    },
    async history(name, { after, before, limit }) {
      const room = rooms.get(name);
      if (!room) return { messages: [], complete: true };
      const matching = room.records.filter((r) => (after === undefined || r.id > after) && (before === undefined || r.id < before));
      const messages = matching.slice(Math.max(0, matching.length - limit));
      const more = matching.length > messages.length;
      const complete = after !== undefined ? !more && (room.dropped === undefined || after >= room.dropped) : !more;
      return { messages, complete };
    },
    rooms: () => [...rooms.keys()].filter((r) => !isDmRoom(r)),
    streams: () => [...rooms.keys()],
    roomsVersion: () => rooms.size,
    lastId: () => last,
    async close() {},
  } satisfies ChatLog;
}
