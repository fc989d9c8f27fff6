import { encode, type Encoded } from "../../message/index.ts";
import type { Broker } from "../../../storage/broker/types.ts";
import type { ChatRecord } from "../../../storage/chatlog/types.ts";
import type { Bus } from "../../../storage/bus/types.ts";
import type { Presence } from "../../../storage/presence/types.ts";
import { keepModes, withModeChange, type RoomInfo, type RoomModeChange, type RoomStore, type RoomTopic } from "../../../storage/rooms/types.ts";
import type { Limits } from "../../config/schema.ts";
import type { Hub } from "../hub.ts";
import { roomKey } from "../room-key.ts";

/** A `rooms` page unless asked for fewer, and the most one page holds. */
export const ROOMS_PAGE_DEFAULT = 50;
export const ROOMS_PAGE_MAX = 200;

export type RoomsPage = { rooms: Array<{ name: string; members: number; topic?: string }>; next?: string };

type Deps = {
  defaults: () => readonly string[];
  limits: Limits;
  hub: Hub;
  broker: Pick<Broker, "rooms">;
  presence: Pick<Presence, "activeRooms" | "members">;
  store: RoomStore;
  bus: Bus;
  now?: () => number;
};

/**
 * The room directory on one node: every room kept in the room store, in
 * memory, sorted by name, so a page is a binary search and a short walk.
 * A new room or a room forgotten is stored first, then told to every node on
 * the bus (`apply`); a topic is a stored room event, applied on every node as
 * the broker delivers it (`topicStored`). Each node then pushes the first page
 * to its signed-in sessions, encoded once, at most every `limits.roomsPushMs`.
 */
export class RoomDirectory {
  readonly #rooms = new Map<string, RoomInfo>();
  #sorted: string[] = [];
  #pushTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #now: () => number;

  constructor(private readonly deps: Deps) {
    this.#now = deps.now ?? Date.now;
  }

  /** Reads the store; a store never written is seeded with the rooms that have history (data from before the store). */
  async open(): Promise<void> {
    let list = await this.deps.store.load();
    if (list.length === 0) {
      const at = this.#now();
      list = this.deps.broker.rooms().map((name) => ({ name, createdAt: at, members: 0, emptySince: at }));
      for (const r of list) await this.deps.store.put(r);
    }
    for (const r of list) this.#add(r);
    await this.#ensureDefaults();
  }

  async #ensureDefaults(): Promise<void> {
    for (const d of this.deps.defaults()) {
      const name = roomKey(d);
      if (this.#rooms.has(name)) continue;
      const info = { name, createdAt: this.#now(), members: 0 };
      this.#add(info);
      await this.deps.store.put(info);
    }
  }

  #add(info: RoomInfo): void {
    if (!this.#rooms.has(info.name)) this.#sorted.splice(lowerBound(this.#sorted, info.name), 0, info.name);
    this.#rooms.set(info.name, info);
  }

  #drop(name: string): void {
    if (!this.#rooms.delete(name)) return;
    const i = lowerBound(this.#sorted, name);
    if (this.#sorted[i] === name) this.#sorted.splice(i, 1);
  }

  has(name: string): boolean {
    return this.#rooms.has(name);
  }

  /** Whether the room exists: listed here, or kept in the store (created on another node a moment ago, not told here yet). */
  async exists(name: string): Promise<boolean> {
    return this.#rooms.has(name) || (await this.deps.store.get(name)) !== undefined;
  }

  get size(): number {
    return this.#rooms.size;
  }

  topic(name: string): RoomTopic | undefined {
    return this.#rooms.get(name)?.topic;
  }

  /** The room as this node knows it (roles and modes as the broker delivered them), if listed. */
  get(name: string): Readonly<RoomInfo> | undefined {
    return this.#rooms.get(name);
  }

  /**
   * Creates the room (stored, then told to every node); `creator` (issue 21)
   * becomes its operator, in the same write. Of two nodes creating it at once
   * the store keeps the first one's roles (`put` keeps a kept room's).
   */
  async create(name: string, creator?: string): Promise<void> {
    const info: RoomInfo = { name, createdAt: this.#now(), members: 0, emptySince: this.#now(), ...(creator === undefined ? {} : { operators: [creator] }) };
    await this.deps.store.put(info);
    this.#add(info);
    await this.deps.bus.publish({ kind: "room", action: "created", room: info });
  }

  /** A user now belongs to the room (+1) or left it (-1). */
  async changeMembers(name: string, delta: number): Promise<void> {
    const info = await this.deps.store.changeMembers(name, delta, this.#now());
    if (info) this.#rooms.set(name, this.#known(name, info));
  }

  /**
   * `fresh` (read from the store) with what this node already knows: the
   * topic if the store has none yet, and the roles and modes, which only the
   * broker's records change here (in the broker's order, whatever the store read says).
   */
  #known(name: string, fresh: RoomInfo): RoomInfo {
    const known = this.#rooms.get(name);
    return keepModes({ ...fresh, topic: fresh.topic ?? known?.topic }, known);
  }

  /** Stores one change to the room's roles or modes (issue 21); the `mode` record itself goes through the broker (handlers/modes.ts). */
  async storeMode(name: string, change: RoomModeChange): Promise<void> {
    await this.deps.store.changeMode(name, change);
    // Applied here at once, not only when its record comes back from the broker (again, to the
    // same end; that one pushes the pages): a request right behind it (an operator who revoked
    // themself) is checked against it.
    this.#applyMode(name, change);
  }

  /** A mode record the broker delivered (from any node): applied here; a room made secret or not changes the directory's pages. */
  modeStored(name: string, change: RoomModeChange): void {
    this.#applyMode(name, change);
    if (change.mode === "secret") this.schedulePush();
  }

  #applyMode(name: string, change: RoomModeChange): void {
    const known = this.#rooms.get(name) ?? { name, createdAt: this.#now(), members: 0 };
    this.#add(withModeChange(known, change));
  }

  /**
   * Stores the topic in the room store (so the directory has it after a
   * restart, however long ago it was set). The topic record itself goes
   * through the broker (handlers/state.ts); `topicStored` applies it on every node.
   */
  async storeTopic(name: string, topic: RoomTopic): Promise<void> {
    const current = (await this.deps.store.get(name)) ?? this.#rooms.get(name) ?? { name, createdAt: this.#now(), members: 0 };
    const info: RoomInfo = { ...current, topic };
    if (topic.text === "") delete info.topic;
    await this.deps.store.put(info);
  }

  /** A stored room event the broker delivered (from any node): a topic or a mode change is applied here before the hub sends it. */
  stored(event: ChatRecord): void {
    if (event.kind === "topic") this.topicStored(event.room, { text: event.text, by: event.by, ts: event.ts });
    else if (event.kind === "mode") this.modeStored(event.room, "user" in event ? { mode: event.mode, on: event.on, user: event.user } : { mode: event.mode, on: event.on });
  }

  /** A topic record the broker delivered (from any node): the directory lists it, and every session gets a fresh first page. */
  topicStored(name: string, topic: RoomTopic): void {
    const known = this.#rooms.get(name) ?? { name, createdAt: this.#now(), members: 0 };
    const next: RoomInfo = { ...known, topic };
    if (topic.text === "") delete next.topic;
    this.#add(next);
    this.schedulePush();
  }

  /** A change told on the bus (by any node, this one included). */
  apply(action: "created" | "forgotten", info: RoomInfo): void {
    if (action === "forgotten") return this.#drop(info.name);
    const known = this.#rooms.get(info.name);
    // What this node knows of the room's topic and members is as new as what the creator read.
    const next: RoomInfo = { ...info, members: known?.members ?? info.members, ...(known?.topic ? { topic: known.topic } : {}) };
    // A mode record that came before the news of the room (broker and bus are apart) has been applied already; the creator's grant joins it.
    let merged = known ? keepModes(next, known) : next;
    for (const user of known ? (info.operators ?? []) : []) merged = withModeChange(merged, { mode: "operator", on: true, user });
    this.#add(merged);
    this.schedulePush();
  }

  /**
   * One page of the directory: names after `after` containing `query`, sorted,
   * with members online and topic. A secret room (issue 21) is listed only when
   * `mine` says the asker belongs to it (never in the unasked push).
   */
  async page(options: { query?: string; after?: string; limit?: number; mine?: (room: string) => boolean }): Promise<RoomsPage> {
    const limit = Math.min(options.limit ?? ROOMS_PAGE_DEFAULT, ROOMS_PAGE_MAX);
    const query = options.query?.normalize("NFKC").toLowerCase();
    const names: string[] = [];
    let i = options.after === undefined ? 0 : upperBound(this.#sorted, options.after);
    let more = false;
    for (; i < this.#sorted.length; i++) {
      const name = this.#sorted[i]!;
      if (query && !name.includes(query)) continue;
      if (this.#rooms.get(name)?.secret && !options.mine?.(name)) continue;
      if (names.length === limit) {
        more = true;
        break;
      }
      names.push(name);
    }
    const members = await this.deps.presence.members(names);
    const rooms = names.map((name, j) => {
      const topic = this.#rooms.get(name)?.topic?.text;
      const count = members[j]!.length;
      return topic ? { name, members: count, topic } : { name, members: count };
    });
    return more ? { rooms, next: names[names.length - 1]! } : { rooms };
  }

  /** Every room the directory lists, default rooms first (admin views, stats). */
  names(): string[] {
    const defaults = [...new Set(this.deps.defaults().map((d) => roomKey(d)))];
    return [...defaults, ...this.#sorted.filter((n) => !defaults.includes(n))];
  }

  /** names() plus rooms that have members on other nodes and are not listed (yet). */
  async allNames(): Promise<string[]> {
    return [...new Set([...this.names(), ...(await this.deps.presence.activeRooms())])];
  }

  /** The first page, pushed unasked to every signed-in session on this node, coalesced over `roomsPushMs`. */
  schedulePush(): void {
    if (this.#pushTimer) return;
    this.#pushTimer = setTimeout(() => {
      this.#pushTimer = undefined;
      this.page({}).then(
        (page) => this.#pushAll(encode({ type: "rooms", ...page })),
        () => {},
      );
    }, this.deps.limits.roomsPushMs);
  }

  #pushAll(bytes: Encoded): void {
    const { hub } = this.deps;
    for (const s of hub.sessions) if (s.user) hub.write(s, bytes);
  }

  /**
   * Forgets rooms nobody belongs to, empty for `emptyRoomTtlMs`, with nobody
   * in them on this node and not a default room. Their history stays in the log.
   */
  async sweep(): Promise<void> {
    await this.#ensureDefaults();
    const now = this.#now();
    const defaults = new Set(this.deps.defaults().map((d) => roomKey(d)));
    const ttl = this.deps.limits.emptyRoomTtlMs;
    for (const info of [...this.#rooms.values()]) {
      if (defaults.has(info.name) || this.deps.hub.hasRoom(info.name)) continue;
      if (info.members > 0 || now - (info.emptySince ?? info.createdAt) < ttl) continue;
      // Read again: another node may have let someone in meanwhile.
      const fresh = await this.deps.store.get(info.name);
      if (fresh && (fresh.members > 0 || now - (fresh.emptySince ?? fresh.createdAt) < ttl)) {
        this.#rooms.set(info.name, this.#known(info.name, fresh));
        continue;
      }
      // Someone in it on another node (a connection still in a room its user left from another one) keeps it too.
      const [inIt] = await this.deps.presence.members([info.name]);
      if (inIt && inIt.length > 0) continue;
      await this.deps.store.remove(info.name);
      this.#drop(info.name);
      await this.deps.bus.publish({ kind: "room", action: "forgotten", room: info });
    }
  }

  close(): void {
    clearTimeout(this.#pushTimer);
    this.#pushTimer = undefined;
  }
}

/** The first index whose name is >= `name`. */
function lowerBound(sorted: string[], name: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose name is > `name`. */
function upperBound(sorted: string[], name: string): number {
  const i = lowerBound(sorted, name);
  return sorted[i] === name ? i + 1 : i;
}
