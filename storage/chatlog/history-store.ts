import { StorageUnavailableError } from "../errors.ts";
import { RoomHistory } from "./room-history.ts";
import type { Location } from "./room-index.ts";
import type { Segments } from "./segments.ts";
import type { ChatRecord, HistoryPage, HistoryQuery } from "./types.ts";
import { WindowBudget } from "./window-budget.ts";

/**
 * Rereads a query's missing records this many times at most: each time, those
 * dropped from memory by other rooms' traffic while the last read ran.
 */
const MAX_READS = 5;

export type HistoryStoreOptions = {
  /** Messages kept per room (limits.historyPerRoom): what the index keeps of each room. */
  perRoom: number;
  /** Bytes of records held in memory across all rooms (limits.historyMemoryBytes). */
  memoryBytes: number;
  segments: Segments;
  warn: (message: string, fields?: Record<string, unknown>) => void;
};

/**
 * Every room's history: an index of what the log files keep (all of it, by
 * location) and, within one memory budget, the newest records of the rooms
 * in use. A query is answered from memory where it can and reads the rest of
 * its page from the files, a bounded number of lines (at most its `limit`).
 */
export class HistoryStore {
  readonly #rooms = new Map<string, RoomHistory>();
  readonly #budget: WindowBudget;

  constructor(readonly options: HistoryStoreOptions) {
    this.#budget = new WindowBudget(options.memoryBytes);
  }

  /** Bytes of records held in memory (at most limits.historyMemoryBytes). */
  get memoryBytes(): number {
    return this.#budget.bytes;
  }

  /** Rooms and direct conversations with history (only ever added to). */
  get size(): number {
    return this.#rooms.size;
  }

  names(): IterableIterator<string> {
    return this.#rooms.keys();
  }

  /** A record found in the files at start-up: indexed, not held. */
  indexed(id: string, room: string, at: Location): boolean {
    return this.#room(room).indexed(id, at);
  }

  /** A record just written: indexed and held, within the budget. */
  stored(record: ChatRecord, at: Location): void {
    const room = this.#room(record.room);
    this.#budget.changed(room, room.stored(record, at));
  }

  /** Where a record just stored is (it is among its room's newest). */
  locate(name: string, id: string): Location | undefined {
    const index = this.#rooms.get(name)?.index;
    if (!index) return undefined;
    let lo = index.first;
    let hi = index.end;
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (index.idAt(mid) < id) lo = mid + 1;
      else hi = mid;
    }
    return lo < index.end && index.idAt(lo) === id ? index.locationAt(lo) : undefined;
  }

  /** Files below `segment` were deleted: what they held is no longer kept. */
  dropBelowSegment(segment: number): void {
    for (const room of this.#rooms.values()) this.#budget.freed(room, room.dropBelowSegment(segment));
  }

  async query(name: string, query: HistoryQuery): Promise<HistoryPage> {
    const room = this.#rooms.get(name);
    if (!room) return { messages: [], complete: true };
    // Records read from the files, by position (null: a line that does not parse).
    const read = new Map<number, ChatRecord | null>();
    for (let reads = 0; ; reads++) {
      // Planned anew after every read, so the page is the room as it is when it resolves.
      const { from, to, complete } = room.index.select(query);
      const missing: number[] = [];
      for (let pos = from; pos < to; pos++) if (!read.has(pos) && room.recordAt(pos) === undefined) missing.push(pos);
      if (missing.length === 0) return { messages: this.#page(room, from, to, read), complete };
      if (reads === MAX_READS) throw new StorageUnavailableError("chat log: history kept moving while it was read");
      const lines = await this.options.segments.read(missing.map((pos) => room.index.locationAt(pos))).catch((error: Error) => {
        this.options.warn("chat log: could not read history from the files", { room: name, error: error.message });
        throw new StorageUnavailableError(`chat log: could not read history (${error.message})`);
      });
      missing.forEach((pos, i) => read.set(pos, this.#parse(lines[i]!, name)));
    }
  }

  /** The records [from, to), oldest first; what was read is held if it joins the window. */
  #page(room: RoomHistory, from: number, to: number, read: Map<number, ChatRecord | null>): ChatRecord[] {
    const messages: ChatRecord[] = [];
    for (let pos = from; pos < to; pos++) {
      const record = room.recordAt(pos) ?? read.get(pos);
      if (record) messages.push(record);
    }
    const start = room.windowStart;
    if (read.size > 0 && from < start && to >= start) {
      const older: ChatRecord[] = [];
      for (let pos = from; pos < start; pos++) {
        const record = read.get(pos);
        if (!record) return messages;
        older.push(record);
      }
      this.#budget.changed(room, room.extend(from, older));
    } else {
      this.#budget.touch(room);
    }
    return messages;
  }

  #parse(line: string, room: string): ChatRecord | null {
    try {
      const record = JSON.parse(line) as ChatRecord;
      if (record?.room === room) return record;
    } catch {}
    this.options.warn("chat log: skipping an unreadable line", { room });
    return null;
  }

  #room(name: string): RoomHistory {
    let room = this.#rooms.get(name);
    if (!room) this.#rooms.set(name, (room = new RoomHistory(this.options.perRoom)));
    return room;
  }
}
