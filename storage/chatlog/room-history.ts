import { RoomIndex, type Location } from "./room-index.ts";
import type { ChatRecord } from "./types.ts";

/**
 * What a message held in memory costs besides its stored line, roughly: the
 * record object, its five or six fields and the window's slot. Window bytes are
 * the stored line's length plus this, per message.
 */
export const RECORD_OVERHEAD = 160;

/**
 * One room's history: its index (every message the log files keep for it, by
 * location) and its window, the newest of those held in memory as records.
 * The window is always a suffix: positions [windowStart, index.end), so what
 * is in memory plus what is read from disk is one contiguous run.
 */
export class RoomHistory {
  readonly index: RoomIndex;
  /** Made on first use: most rooms of a many-rooms flood hold one record or none. */
  #window: ChatRecord[] = NONE;
  #head = 0;
  #start = 0;
  #bytes = 0;

  constructor(capacity: number) {
    this.index = new RoomIndex(capacity);
  }

  /** Bytes the window holds (see RECORD_OVERHEAD). */
  get windowBytes(): number {
    return this.#bytes;
  }
  /** Position of the window's oldest record (index.end when empty). */
  get windowStart(): number {
    return this.windowSize > 0 ? this.#start : this.index.end;
  }
  get windowSize(): number {
    return this.#window.length - this.#head;
  }

  /** Indexes a record found in the files, without holding it (start-up). */
  indexed(id: string, at: Location): boolean {
    if (this.windowSize > 0) this.clearWindow();
    return this.index.push(id, at);
  }

  /** A record just written at `at`: indexed and held in the window. The change in window bytes. */
  stored(record: ChatRecord, at: Location): number {
    const before = this.#bytes;
    if (this.windowSize > 0 && this.#start + this.windowSize !== this.index.end) this.clearWindow();
    // A full index drops its oldest: the window lets go of it first, while its size is known.
    if (this.index.size === this.index.capacity && this.windowSize > 0 && this.#start === this.index.first) this.dropOldest();
    if (!this.index.push(record.id, at)) return this.#bytes - before;
    if (this.windowSize === 0) {
      this.#window = [record];
      this.#head = 0;
      this.#start = this.index.end - 1;
    } else {
      this.#window.push(record);
    }
    this.#bytes += cost(at.length);
    return this.#bytes - before;
  }

  /** The record at `pos` if the window holds it. */
  recordAt(pos: number): ChatRecord | undefined {
    return pos >= this.#start && pos < this.#start + this.windowSize ? this.#window[this.#head + pos - this.#start] : undefined;
  }

  /**
   * Records read from disk for positions [from, from + records.length): held
   * if they end where the window starts (or at the end of an empty window). The
   * change in window bytes.
   */
  extend(from: number, records: ChatRecord[]): number {
    const to = from + records.length;
    if (records.length === 0 || to !== this.windowStart || from < this.index.first) return 0;
    let added = 0;
    for (let pos = from; pos < to; pos++) added += cost(this.index.lengthAt(pos));
    this.#window = this.windowSize > 0 ? [...records, ...this.#window.slice(this.#head)] : records;
    this.#head = 0;
    this.#start = from;
    this.#bytes += added;
    return added;
  }

  /** Drops the window's oldest record; the bytes freed (0 when empty). */
  dropOldest(): number {
    if (this.windowSize === 0) return 0;
    const freed = cost(this.index.lengthAt(this.#start));
    this.#window[this.#head] = undefined as unknown as ChatRecord;
    this.#head += 1;
    this.#start += 1;
    this.#bytes -= freed;
    if (this.windowSize === 0) this.clearWindow();
    // Compact once half is dead, so dropping the oldest stays O(1) amortised.
    else if (this.#head > 32 && this.#head * 2 > this.#window.length) {
      this.#window = this.#window.slice(this.#head);
      this.#head = 0;
    }
    return freed;
  }

  /** Lets go of every record held; the bytes freed. */
  clearWindow(): number {
    const freed = this.#bytes;
    this.#window = NONE;
    this.#head = 0;
    this.#bytes = 0;
    return freed;
  }

  /** Files below `segment` were deleted: the window, then the index, let go of what they held. The bytes freed. */
  dropBelowSegment(segment: number): number {
    let freed = 0;
    while (this.windowSize > 0 && this.index.segmentAt(this.#start) < segment) freed += this.dropOldest();
    this.index.dropBelowSegment(segment);
    return freed;
  }
}

/** The empty window, shared (never written to: a window is made anew when it gets a record). */
const NONE: ChatRecord[] = Object.freeze([]) as unknown as ChatRecord[];

function cost(lineLength: number): number {
  return lineLength + RECORD_OVERHEAD;
}
