import { keepModes, withModeChange, type RoomInfo, type RoomStore } from "./types.ts";

/** Room state in memory only: for tests. */
export function createMemoryRoomStore(initial: RoomInfo[] = []): RoomStore {
  const rooms = new Map(initial.map((r) => [r.name, { ...r }]));
  return {
    async load() {
      return [...rooms.values()].map((r) => ({ ...r }));
    },
    async put(info) {
      rooms.set(info.name, keepModes({ ...info, members: rooms.get(info.name)?.members ?? info.members }, rooms.get(info.name)));
    },
    async changeMode(name, change) {
      const room = rooms.get(name);
      if (!room) return undefined;
      const next = withModeChange(room, change);
      rooms.set(name, next);
      return { ...next };
    },
    async changeMembers(name, delta, now) {
      const room = rooms.get(name);
      if (!room) return undefined;
      room.members = Math.max(0, room.members + delta);
      if (room.members === 0) room.emptySince ??= now;
      else delete room.emptySince;
      return { ...room };
    },
    async get(name) {
      const room = rooms.get(name);
      return room && { ...room };
    },
    async remove(name) {
      rooms.delete(name);
    },
    async close() {},
  };
}
