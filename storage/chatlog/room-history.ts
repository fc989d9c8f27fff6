import type { ChatRecord, HistoryPage, HistoryQuery } from "./types.ts";

/**
 * The newest `capacity` messages of one room, in id order. Remembers the id of
 * the last message it dropped, which is what tells a reconnecting client whether
 * its gap can be filled completely.
 */
export class RoomHistory {
  #items: ChatRecord[] = [];
  #start = 0;
  #evicted: string | undefined;
  constructor(readonly capacity: number) {}

  push(record: ChatRecord): void {
    this.#items.push(record);
    if (this.#items.length - this.#start > this.capacity) {
      this.#evicted = this.#items[this.#start]!.id;
      this.#start += 1;
      // Compact occasionally so dropping the oldest stays O(1) amortised.
      if (this.#start >= this.capacity) {
        this.#items = this.#items.slice(this.#start);
        this.#start = 0;
      }
    }
  }

  get size(): number {
    return this.#items.length - this.#start;
  }

  query({ after, before, limit }: HistoryQuery): HistoryPage {
    const items = this.#items;
    let lo = this.#start;
    let hi = items.length;
    if (after !== undefined) lo = Math.max(lo, upperBound(items, after, this.#start));
    if (before !== undefined) hi = Math.min(hi, lowerBound(items, before, this.#start));
    if (hi < lo) hi = lo;
    const from = Math.max(lo, hi - limit);
    const messages = items.slice(from, hi);
    const complete =
      after !== undefined
        ? (this.#evicted === undefined || after >= this.#evicted) && from === lo
        : from === this.#start;
    return { messages, complete };
  }
}

/** First index whose id is greater than `id`. */
function upperBound(items: ChatRecord[], id: string, start: number): number {
  let lo = start;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid]!.id <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose id is greater than or equal to `id`. */
function lowerBound(items: ChatRecord[], id: string, start: number): number {
  let lo = start;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid]!.id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
