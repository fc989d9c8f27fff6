import { formatId } from "./ids.ts";
import type { HistoryQuery } from "./types.ts";

/** Where one record's line is: file (segment), byte offset and length (without the "\n"). */
export type Location = { segment: number; offset: number; length: number };

/** A query's answer as positions: [from, to) of the room's messages, and HistoryPage.complete. */
export type Selection = { from: number; to: number; complete: boolean };

/** Numbers per entry: id ms, id seq + segment × SEQ_SPAN, offset, length (32 bytes, unboxed doubles). */
const FIELDS = 4;
/** Sequences run below 1,000,000 < 2^20, so seq and segment share one exact float64. */
const SEQ_SPAN = 2 ** 20;
const DASH = 0x2d;

/**
 * What the log files keep of one room: the id and file location of each of its
 * newest `capacity` messages that are still in a kept file, 32 bytes a
 * message, never the messages themselves. Every message the room ever had
 * takes the next position; the kept ones are [first, end). Remembers the id of
 * the last message it dropped, which tells a reconnecting client whether its
 * gap can be filled completely.
 */
export class RoomIndex {
  // A plain array of doubles, not a Float64Array: for the many rooms with a few messages, a typed array's own objects would cost more than its entries.
  #slots: number[];
  #mask: number;
  #first = 0;
  #end = 0;
  /** The last message dropped, as its id's two numbers (formatted only when a query needs it). */
  #droppedMs = -1;
  #droppedSeq = 0;

  constructor(readonly capacity: number) {
    this.#slots = doubles(FIELDS);
    this.#mask = 0;
  }

  get first(): number {
    return this.#first;
  }
  get end(): number {
    return this.#end;
  }
  get size(): number {
    return this.#end - this.#first;
  }

  /** Adds the room's next message; false for an id that is not a message id (nothing added). */
  push(id: string, { segment, offset, length }: Location): boolean {
    // On every append: digits read in place (no regular expression, no substrings).
    if (id.length !== 20 || id.charCodeAt(13) !== DASH) return false;
    const ms = digits(id, 0, 13);
    const seq = digits(id, 14, 20);
    if (ms < 0 || seq < 0) return false;
    if (this.size === this.capacity) this.#dropOldest();
    if (this.size > this.#mask) this.#grow();
    const at = this.#slot(this.#end, this.#mask);
    this.#slots[at] = ms;
    this.#slots[at + 1] = seq + segment * SEQ_SPAN;
    this.#slots[at + 2] = offset;
    this.#slots[at + 3] = length;
    this.#end += 1;
    return true;
  }

  idAt(pos: number): string {
    const at = this.#slot(pos, this.#mask);
    return formatId(this.#slots[at]!, this.#slots[at + 1]! % SEQ_SPAN);
  }

  segmentAt(pos: number): number {
    return Math.floor(this.#slots[this.#slot(pos, this.#mask) + 1]! / SEQ_SPAN);
  }

  lengthAt(pos: number): number {
    return this.#slots[this.#slot(pos, this.#mask) + 3]!;
  }

  locationAt(pos: number): Location {
    const at = this.#slot(pos, this.#mask);
    return { segment: Math.floor(this.#slots[at + 1]! / SEQ_SPAN), offset: this.#slots[at + 2]!, length: this.#slots[at + 3]! };
  }

  /** Forgets the messages in files older than `segment` (deleted by rotation). */
  dropBelowSegment(segment: number): void {
    while (this.size > 0 && this.segmentAt(this.#first) < segment) this.#dropOldest();
  }

  /** The positions a query selects (as RoomHistory did in memory: see HistoryPage). */
  select({ after, before, limit }: HistoryQuery): Selection {
    let lo = this.#first;
    let hi = this.#end;
    if (after !== undefined) lo = Math.max(lo, this.#bound(after, true));
    if (before !== undefined) hi = Math.min(hi, this.#bound(before, false));
    if (hi < lo) hi = lo;
    const from = Math.max(lo, hi - Math.max(0, limit));
    const complete =
      after !== undefined ? (this.#droppedMs < 0 || after >= formatId(this.#droppedMs, this.#droppedSeq)) && from === lo : from === this.#first;
    return { from, to: hi, complete };
  }

  /** First position whose id is greater than `id` (`orEqual`: or equal to it). */
  #bound(id: string, orEqual: boolean): number {
    let lo = this.#first;
    let hi = this.#end;
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const at = this.idAt(mid);
      if (at < id || (orEqual && at === id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #dropOldest(): void {
    const at = this.#slot(this.#first, this.#mask);
    this.#droppedMs = this.#slots[at]!;
    this.#droppedSeq = this.#slots[at + 1]! % SEQ_SPAN;
    this.#first += 1;
  }

  /** Where position `pos` lives in a ring of mask + 1 entries (positions may pass 2^31: no bitwise and). */
  #slot(pos: number, mask: number): number {
    return (pos % (mask + 1)) * FIELDS;
  }

  /** Doubles the ring (each position moves to its slot in the bigger one). */
  #grow(): void {
    const mask = this.#mask * 2 + 1;
    const slots = doubles((mask + 1) * FIELDS);
    for (let pos = this.#first; pos < this.#end; pos++) {
      const from = this.#slot(pos, this.#mask);
      const to = this.#slot(pos, mask);
      for (let i = 0; i < FIELDS; i++) slots[to + i] = this.#slots[from + i]!;
    }
    this.#slots = slots;
    this.#mask = mask;
  }
}

/** An array of `n` numbers that V8 stores as unboxed doubles (8 bytes each). */
function doubles(n: number): number[] {
  return new Array<number>(n).fill(0.5);
}

/** The decimal number in id[from, to), or -1 if a character there is not a digit. */
function digits(id: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = id.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}
