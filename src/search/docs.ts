/**
 * The documents of the search index, numbered in id order (ids grow with
 * time, so a higher number is a newer message): for each, its id as two
 * numbers, its room and sender as numbers, where its line is in the log, and
 * flags. 37 bytes a message in typed arrays of 16,384 entries, never the text.
 */

const PAGE_BITS = 14;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;

/** The message was deleted: never found. */
export const REMOVED = 1;
/** The message was edited: its words are in the edit overlay, not the postings. */
export const EDITED = 2;

/** Where a record's line is in the embedded log (segment -1: read it by room and id). */
export type Place = { segment: number; offset: number; length: number };

type Page = {
  ms: Float64Array;
  seq: Uint32Array;
  room: Uint32Array;
  from: Uint32Array;
  segment: Int32Array;
  offset: Float64Array;
  length: Uint32Array;
  flags: Uint8Array;
};

export const BYTES_PER_DOC = 8 + 4 + 4 + 4 + 4 + 8 + 4 + 1;

export class Docs {
  #pages: Page[] = [];
  #count = 0;

  get count(): number {
    return this.#count;
  }

  /** Adds the next document; its number. */
  push(ms: number, seq: number, room: number, from: number, at: Place | undefined): number {
    const doc = this.#count;
    const i = doc & PAGE_MASK;
    if (i === 0) this.#pages.push(newPage());
    const p = this.#pages[doc >>> PAGE_BITS]!;
    p.ms[i] = ms;
    p.seq[i] = seq;
    p.room[i] = room;
    p.from[i] = from;
    p.segment[i] = at?.segment ?? -1;
    p.offset[i] = at?.offset ?? 0;
    p.length[i] = at?.length ?? 0;
    this.#count += 1;
    return doc;
  }

  room(doc: number): number {
    return this.#pages[doc >>> PAGE_BITS]!.room[doc & PAGE_MASK]!;
  }
  from(doc: number): number {
    return this.#pages[doc >>> PAGE_BITS]!.from[doc & PAGE_MASK]!;
  }
  flags(doc: number): number {
    return this.#pages[doc >>> PAGE_BITS]!.flags[doc & PAGE_MASK]!;
  }
  segment(doc: number): number {
    return this.#pages[doc >>> PAGE_BITS]!.segment[doc & PAGE_MASK]!;
  }
  flag(doc: number, flag: number): void {
    this.#pages[doc >>> PAGE_BITS]!.flags[doc & PAGE_MASK]! |= flag;
  }

  /** The id as its two numbers. */
  ms(doc: number): number {
    return this.#pages[doc >>> PAGE_BITS]!.ms[doc & PAGE_MASK]!;
  }
  seq(doc: number): number {
    return this.#pages[doc >>> PAGE_BITS]!.seq[doc & PAGE_MASK]!;
  }

  place(doc: number): Place | undefined {
    const p = this.#pages[doc >>> PAGE_BITS]!;
    const i = doc & PAGE_MASK;
    return p.segment[i]! < 0 ? undefined : { segment: p.segment[i]!, offset: p.offset[i]!, length: p.length[i]! };
  }

  /** The first document whose id is at least (ms, seq) (`count` if none). */
  lowerBound(ms: number, seq: number): number {
    let lo = 0;
    let hi = this.#count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.ms(mid);
      if (m < ms || (m === ms && this.seq(mid) < seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get bytes(): number {
    return this.#pages.length * PAGE_SIZE * BYTES_PER_DOC;
  }
}

function newPage(): Page {
  return {
    ms: new Float64Array(PAGE_SIZE),
    seq: new Uint32Array(PAGE_SIZE),
    room: new Uint32Array(PAGE_SIZE),
    from: new Uint32Array(PAGE_SIZE),
    segment: new Int32Array(PAGE_SIZE),
    offset: new Float64Array(PAGE_SIZE),
    length: new Uint32Array(PAGE_SIZE),
    flags: new Uint8Array(PAGE_SIZE),
  };
}
