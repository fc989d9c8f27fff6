import { checkNewName, lookalikeError } from "../message/index.ts";
import { skeletonsOf } from "../unicode/skeleton.ts";

/**
 * Which new rooms may be made: a `join` that would create a room (one that is
 * no default, has no members anywhere and no history) is held to the rule for
 * new names (`checkNewName`: no invisible characters, no mixed scripts) and
 * refused `bad_name` when its UTS #39 skeleton equals an existing room's
 * ("gеneral" with a Cyrillic е beside "general"). Rooms that exist are
 * joined as before, whatever their names.
 *
 * The index (skeleton -> room) is filled from every room known (`rooms()`:
 * this node's, the log's and, in a cluster, those with members on other
 * nodes) each time a room not in it is joined, so rooms made elsewhere count
 * too. Two nodes creating look-alike rooms in the same moment could both
 * succeed; rooms are not accounts, and the next look-alike is refused.
 */
export class RoomNames {
  /** Known rooms and their skeletons. */
  readonly #rooms = new Map<string, string[]>();
  readonly #bySkeleton = new Map<string, string>();

  constructor(private readonly rooms: () => Promise<string[]>) {}

  /** Resolves when `key` (as typed: `input`) exists or may be created; throws `bad_name` otherwise. */
  async check(input: string, key: string): Promise<void> {
    if (this.#rooms.has(key)) return;
    // Only rooms new to the index pay for their skeletons (each new room used to redo every room's).
    for (const room of await this.rooms()) if (!this.#rooms.has(room)) this.#add(room, skeletonsOf(room, room));
    if (this.#rooms.has(key)) return;
    const fresh = checkNewName(input, "room");
    for (const s of fresh.skeletons) {
      const holder = this.#bySkeleton.get(s);
      if (holder !== undefined && holder !== key) throw lookalikeError("room");
    }
    this.#add(key, fresh.skeletons);
  }

  #add(room: string, skeletons: string[]): void {
    if (this.#rooms.has(room)) return;
    this.#rooms.set(room, skeletons);
    for (const s of skeletons) if (!this.#bySkeleton.has(s)) this.#bySkeleton.set(s, room);
  }
}
