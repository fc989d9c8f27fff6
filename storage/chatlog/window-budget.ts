import type { RoomHistory } from "./room-history.ts";

/**
 * One byte budget for the messages held in memory across all rooms
 * (limits.historyMemoryBytes). Rooms are kept in least-recently-used order;
 * past the budget, the least recently used rooms' windows are let go of
 * (their history stays in the files, read back on demand), and if the room in
 * use alone is over, its oldest records go.
 */
export class WindowBudget {
  /** Rooms with something in memory, least recently used first (Map order). */
  readonly #rooms = new Map<RoomHistory, true>();
  /** The room used last (the Map's last key), so using it again moves nothing. */
  #last: RoomHistory | undefined;
  #bytes = 0;

  constructor(readonly limit: number) {}

  /** Bytes held in memory by every room's window together. */
  get bytes(): number {
    return this.#bytes;
  }

  /** `room`'s window changed by `delta` bytes (and was just used); keeps the total within the budget. */
  changed(room: RoomHistory, delta: number): void {
    this.#bytes += delta;
    if (room.windowSize === 0) this.#forget(room);
    else if (room !== this.#last) this.#use(room);
    if (this.#bytes > this.limit) this.#shrink(room);
  }

  /** Used without a change: last to be let go of. */
  touch(room: RoomHistory): void {
    if (room !== this.#last && this.#rooms.has(room)) this.#use(room);
  }

  /** A change made outside `changed` (rotation dropping files): account for it. */
  freed(room: RoomHistory, bytes: number): void {
    this.#bytes -= bytes;
    if (room.windowSize === 0) this.#forget(room);
  }

  #use(room: RoomHistory): void {
    this.#rooms.delete(room);
    this.#rooms.set(room, true);
    this.#last = room;
  }

  #forget(room: RoomHistory): void {
    this.#rooms.delete(room);
    if (this.#last === room) this.#last = undefined;
  }

  #shrink(current: RoomHistory): void {
    for (const room of this.#rooms.keys()) {
      if (this.#bytes <= this.limit) return;
      if (room === current) continue;
      this.#bytes -= room.clearWindow();
      this.#forget(room);
    }
    while (this.#bytes > this.limit && current.windowSize > 0) this.#bytes -= current.dropOldest();
    if (current.windowSize === 0) this.#forget(current);
  }
}
