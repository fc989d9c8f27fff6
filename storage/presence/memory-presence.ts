import { status, type LocalUser, type OnlineUser, type Presence } from "./types.ts";

/** Presence of a single node: everything is local, so it is plain maps. */
export function createMemoryPresence(): Presence {
  const startedAt = Date.now();
  const rooms = new Map<string, Set<string>>();
  /**
   * Each room's members sorted, once read: every join reads its room's list,
   * so a change makes the next list from the last one (one copy with the name
   * put in place) rather than a copy and a sort of the whole room. Lists are
   * frozen and replaced, never changed: a caller may keep one (a join's frame does).
   */
  const sorted = new Map<string, readonly string[]>();
  const online = new Map<string, LocalUser>();
  /** The rooms of each user in any room: `users()` reads them without a scan of every room. */
  const roomsOf = new Map<string, Set<string>>();
  /**
   * The last `users()` answer, until presence changes, and each user's entry
   * in it, until that user's presence changes: IRC asks for the list for WHO,
   * WHOIS, ISON, USERHOST, NICK and every registration, and on a node of
   * thousands a list made anew each time cost milliseconds of the event loop.
   */
  let listed: readonly OnlineUser[] | undefined;
  const entries = new Map<string, OnlineUser>();
  const changed = (user: string) => {
    listed = undefined;
    entries.delete(user);
  };
  return {
    async open() {},
    async enter(room, user) {
      let set = rooms.get(room);
      if (!set) rooms.set(room, (set = new Set()));
      if (set.has(user)) return false;
      set.add(user);
      let mine = roomsOf.get(user);
      if (!mine) roomsOf.set(user, (mine = new Set()));
      mine.add(room);
      changed(user);
      const list = sorted.get(room);
      if (list) sorted.set(room, withName(list, user));
      return true;
    },
    async exit(room, user) {
      const set = rooms.get(room);
      if (!set?.delete(user)) return false;
      const mine = roomsOf.get(user);
      if (mine?.delete(room) && mine.size === 0) roomsOf.delete(user);
      changed(user);
      sorted.delete(room);
      if (set.size === 0) rooms.delete(room);
      return true;
    },
    async setLocal(user, info) {
      changed(user);
      if (info) online.set(user, info);
      else online.delete(user);
    },
    async members(names) {
      return names.map((r) => {
        let list = sorted.get(r);
        if (!list) {
          const set = rooms.get(r);
          if (!set) return [];
          sorted.set(r, (list = Object.freeze([...set].sort())));
        }
        return list as string[];
      });
    },
    async activeRooms() {
      return [...rooms.keys()];
    },
    async users() {
      // Frozen: every caller shares it until the next change.
      if (listed) return listed as OnlineUser[];
      const users: OnlineUser[] = [];
      for (const [name, info] of online) {
        let entry = entries.get(name);
        if (!entry) {
          const rooms = Object.freeze([...(roomsOf.get(name) ?? [])].sort()) as string[];
          entries.set(name, (entry = Object.freeze({ name, ...info, rooms })));
        }
        users.push(entry);
      }
      listed = Object.freeze(users);
      return users;
    },
    async statusOf(names) {
      return names.map((name) => status(online.get(name)));
    },
    async nodes() {
      return [{ id: "local", startedAt, self: true }];
    },
    async close() {
      rooms.clear();
      sorted.clear();
      online.clear();
      roomsOf.clear();
      entries.clear();
      listed = undefined;
    },
  } satisfies Presence;
}

/** A sorted list with `name` (not in it) put in its place, as a new frozen list. */
function withName(list: readonly string[], name: string): readonly string[] {
  let at = 0;
  let hi = list.length;
  while (at < hi) {
    const mid = (at + hi) >>> 1;
    if (list[mid]! < name) at = mid + 1;
    else hi = mid;
  }
  const next = new Array<string>(list.length + 1);
  for (let i = 0; i < at; i++) next[i] = list[i]!;
  next[at] = name;
  for (let i = at; i < list.length; i++) next[i + 1] = list[i]!;
  return Object.freeze(next);
}
