import type { LocalUser, OnlineUser, Presence } from "./types.ts";

/** Presence of a single node: everything is local, so it is plain maps. */
export function createMemoryPresence(): Presence {
  const startedAt = Date.now();
  const rooms = new Map<string, Set<string>>();
  const online = new Map<string, LocalUser>();
  return {
    async open() {},
    async enter(room, user) {
      let set = rooms.get(room);
      if (!set) rooms.set(room, (set = new Set()));
      if (set.has(user)) return false;
      set.add(user);
      return true;
    },
    async exit(room, user) {
      const set = rooms.get(room);
      if (!set?.delete(user)) return false;
      if (set.size === 0) rooms.delete(room);
      return true;
    },
    async setLocal(user, info) {
      if (info) online.set(user, info);
      else online.delete(user);
    },
    async members(names) {
      return names.map((r) => [...(rooms.get(r) ?? [])].sort());
    },
    async activeRooms() {
      return [...rooms.keys()];
    },
    async users() {
      return [...online].map(([name, info]): OnlineUser => {
        const inRooms = [...rooms].filter(([, set]) => set.has(name)).map(([r]) => r);
        return { name, ...info, rooms: inRooms.sort() };
      });
    },
    async awayOf(names) {
      return names.map((name) => online.get(name)?.away);
    },
    async nodes() {
      return [{ id: "local", startedAt, self: true }];
    },
    async close() {
      rooms.clear();
      online.clear();
    },
  } satisfies Presence;
}
