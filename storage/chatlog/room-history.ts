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
  #window: ChatRecord[] = [];
  /** What each record in the window counts for (see RECORD_OVERHEAD). */
  #sizes: number[] = [];
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
    return this.#window.length > this.#head ? this.#start : this.index.end;
  }
  get windowSize(): number {
    return this.#window.length - this.#head;
  }

  /** Indexes a record found in the files, without holding it (start-up). */
  indexed(id: string, at: Location): boolean {
    this.clearWindow();
    return this.index.push(id, at);
  }

  /** A record just written at `at`: indexed and held in the window. The change in window bytes. */
  stored(record: ChatRecord, at: Location): number {
    const before = this.#bytes;
    if (this.windowSize > 0 && this.#start + this.windowSize !== this.index.end) this.clearWindow();
    if (!this.index.push(record.id, at)) return 0;
    if (this.windowSize === 0) this.#start = this.index.end - 1;
    this.#window.push(record);
    this.#sizes.push(cost(at.length));
    this.#bytes += cost(at.length);
    this.trimToIndex();
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
    const sizes: number[] = [];
    let added = 0;
    for (let pos = from; pos < to; pos++) {
      sizes.push(cost(this.index.locationAt(pos).length));
      added += sizes[sizes.length - 1]!;
    }
    this.#window = [...records, ...this.#window.slice(this.#head)];
    this.#sizes = [...sizes, ...this.#sizes.slice(this.#head)];
    this.#head = 0;
    this.#start = from;
    this.#bytes += added;
    return added;
  }

  /** Drops the window's oldest record; the bytes freed (0 when empty). */
  dropOldest(): number {
    if (this.windowSize === 0) return 0;
    const freed = this.#sizes[this.#head]!;
    this.#window[this.#head] = undefined as unknown as ChatRecord;
    this.#head += 1;
    this.#start += 1;
    this.#bytes -= freed;
    if (this.windowSize === 0) this.clearWindow();
    // Compact once half is dead, so dropping the oldest stays O(1) amortised.
    else if (this.#head > 32 && this.#head * 2 > this.#window.length) {
      this.#window = this.#window.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
    return freed;
  }

  /** Lets go of every record held; the bytes freed. */
  clearWindow(): number {
    const freed = this.#bytes;
    this.#window = [];
    this.#sizes = [];
    this.#head = 0;
    this.#bytes = 0;
    return freed;
  }

  /** After the index dropped its oldest (historyPerRoom, deleted files), the window follows; the bytes freed. */
  trimToIndex(): number {
    let freed = 0;
    while (this.windowSize > 0 && this.#start < this.index.first) freed += this.dropOldest();
    return freed;
  }
}

function cost(lineLength: number): number {
  return lineLength + RECORD_OVERHEAD;
}
