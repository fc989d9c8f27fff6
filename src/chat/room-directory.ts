import type { Broker } from "../../storage/broker/types.ts";
import type { Presence } from "../../storage/presence/types.ts";
import type { Hub } from "./hub.ts";
import { roomKey } from "./room-key.ts";

/** Which rooms exist: the configured defaults, rooms with members, rooms with history. */
export class RoomDirectory {
  /** What the room list was encoded from: the hub's and the log's versions and the configured defaults. */
  #cached: { hub: number; log: number; defaults: readonly string[]; json: string } | undefined;

  constructor(
    private readonly defaults: () => readonly string[],
    private readonly hub: Hub,
    private readonly broker: Pick<Broker, "rooms" | "roomsVersion">,
    private readonly presence: Pick<Presence, "activeRooms">,
  ) {}

  /**
   * `JSON.stringify(this.names())`, kept while no room appears or goes: with
   * thousands of rooms, building and encoding the list was most of what a
   * sign-in cost and allocated.
   */
  json(): string {
    const hub = this.hub.roomsVersion;
    const log = this.broker.roomsVersion();
    const defaults = this.defaults();
    const cached = this.#cached;
    if (cached && cached.hub === hub && cached.log === log && cached.defaults === defaults) return cached.json;
    const json = JSON.stringify(this.names());
    this.#cached = { hub, log, defaults, json };
    return json;
  }

  /** Default rooms first, then every other room with members or history. */
  names(): string[] {
    // Every welcome lists every room: with thousands of rooms, a Set of them all
    // per sign-in was most of what a sign-in allocated. The hub's and the log's
    // names are each unique, so only the few defaults need looking through.
    const defaults = [...new Set(this.defaults().map((r) => roomKey(r)))];
    const names = defaults.slice();
    for (const r of this.hub.roomKeys()) if (!defaults.includes(r)) names.push(r);
    for (const r of this.broker.rooms()) if (!defaults.includes(r) && !this.hub.hasRoom(r)) names.push(r);
    return names;
  }

  /** names() plus rooms that have members on other nodes. */
  async allNames(): Promise<string[]> {
    return [...new Set([...this.names(), ...(await this.presence.activeRooms())])];
  }
}
