/**
 * Postings: for each term, the numbers of the documents that hold it, as
 * LEB128 varints of the gaps between them, in blocks carved from one arena of
 * 256 KiB pages (no object per term, so a rare word costs its 16-byte block and
 * a few numbers). A term's blocks link backwards, newest first, because a
 * search walks from the newest document down and stops once it has enough.
 *
 * A block: [previous block: u32][bytes used: u8][varints...]; the first block
 * of a term takes 16 bytes, each next one twice the last, up to 256. A varint
 * never spans two blocks, and LEB128 reads backwards too (only a varint's last
 * byte lacks the high bit).
 */

const PAGE_BITS = 18;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;
const HEADER = 5;
const FIRST_BLOCK = 16;
const MAX_BLOCK = 256;

export class Postings {
  #pages: Uint8Array[] = [];
  /** The next free arena address (0 is never a block: it means "none"). */
  #top = 1;
  /** Per term: its newest block, that block's size, its newest document, how many documents. */
  #tail = new Uint32Array(1024);
  #size = new Uint16Array(1024);
  #last = new Uint32Array(1024);
  #count = new Uint32Array(1024);
  #terms = 0;

  /** A new, empty term; its number. */
  newTerm(): number {
    if (this.#terms === this.#tail.length) {
      const n = this.#tail.length * 2;
      this.#tail = grow(this.#tail, new Uint32Array(n));
      this.#size = grow(this.#size, new Uint16Array(n));
      this.#last = grow(this.#last, new Uint32Array(n));
      this.#count = grow(this.#count, new Uint32Array(n));
    }
    return this.#terms++;
  }

  /** How many documents hold the term (removed ones included until a rebuild). */
  count(term: number): number {
    return this.#count[term]!;
  }

  /** Adds `doc`, greater than every document the term holds so far. */
  add(term: number, doc: number): void {
    const count = this.#count[term]!;
    // The first gap counts from -1, so every gap is at least 1.
    const gap = count === 0 ? doc + 1 : doc - this.#last[term]!;
    if (gap <= 0) return;
    const need = gap < 0x80 ? 1 : gap < 0x4000 ? 2 : gap < 0x200000 ? 3 : gap < 0x10000000 ? 4 : 5;
    let block = this.#tail[term]!;
    let size = this.#size[term]!;
    let page = block === 0 ? undefined : this.#pages[block >>> PAGE_BITS]!;
    let at = block & PAGE_MASK;
    if (page === undefined || HEADER + page[at + 4]! + need > size) {
      size = block === 0 ? FIRST_BLOCK : Math.min(MAX_BLOCK, size * 2);
      const fresh = this.#alloc(size);
      page = this.#pages[fresh >>> PAGE_BITS]!;
      at = fresh & PAGE_MASK;
      page[at] = block & 0xff;
      page[at + 1] = (block >>> 8) & 0xff;
      page[at + 2] = (block >>> 16) & 0xff;
      page[at + 3] = block >>> 24;
      page[at + 4] = 0;
      block = fresh;
      this.#tail[term] = fresh;
      this.#size[term] = size;
    }
    let p = at + HEADER + page[at + 4]!;
    let v = gap;
    while (v >= 0x80) {
      page[p++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    page[p++] = v;
    page[at + 4] = p - at - HEADER;
    this.#last[term] = doc;
    this.#count[term] = count + 1;
  }

  /** A cursor over the term's documents, newest first. */
  cursor(term: number): TermCursor {
    return new TermCursor(this.#pages, this.#tail[term]!, this.#count[term] === 0 ? -1 : this.#last[term]!, this.#count[term]!);
  }

  /** Bytes held: the arena's pages and the per-term numbers. */
  get bytes(): number {
    return this.#pages.length * PAGE_SIZE + this.#tail.length * 14;
  }

  #alloc(size: number): number {
    // A block never crosses a page: skip to the next page when it would.
    if ((this.#top & PAGE_MASK) + size > PAGE_SIZE) this.#top = (this.#top | PAGE_MASK) + 1;
    while (this.#pages.length <= this.#top >>> PAGE_BITS) this.#pages.push(new Uint8Array(PAGE_SIZE));
    const at = this.#top;
    this.#top += size;
    return at;
  }
}

/** Documents in descending order: `doc` is the current one (-1: none left). */
export interface DocCursor {
  doc: number;
  /** Moves to the next lower document. */
  next(): void;
  /** Moves to the greatest document at or below `target`. */
  seek(target: number): void;
  /** Documents left, at most (chooses which cursor leads an intersection). */
  readonly estimate: number;
}

export class TermCursor implements DocCursor {
  doc: number;
  readonly estimate: number;
  #page: Uint8Array | undefined;
  #start = 0;
  #pos = 0;

  constructor(
    private readonly pages: Uint8Array[],
    block: number,
    last: number,
    count: number,
  ) {
    this.doc = last;
    this.estimate = count;
    this.#enter(block);
  }

  next(): void {
    if (this.doc < 0) return;
    const page = this.#page!;
    let p = this.#pos - 1;
    while (p > this.#start && page[p - 1]! & 0x80) p--;
    let gap = 0;
    let scale = 1;
    for (let i = p; i < this.#pos; i++) {
      gap += (page[i]! & 0x7f) * scale;
      scale *= 128;
    }
    this.#pos = p;
    this.doc -= gap;
    if (this.doc < 0) return;
    if (this.#pos === this.#start) {
      const prev = page[p - 5]! | (page[p - 4]! << 8) | (page[p - 3]! << 16) | (page[p - 2]! * 0x1000000);
      this.#enter(prev);
    }
  }

  seek(target: number): void {
    while (this.doc > target) this.next();
  }

  #enter(block: number): void {
    if (block === 0) {
      this.#page = undefined;
      return;
    }
    const page = this.pages[block >>> PAGE_BITS]!;
    const at = block & PAGE_MASK;
    this.#page = page;
    this.#start = at + HEADER;
    this.#pos = this.#start + page[at + 4]!;
  }
}

/** Documents of an ascending array (edited messages' words), newest first. */
export class ArrayCursor implements DocCursor {
  doc: number;
  #i: number;
  constructor(private readonly docs: readonly number[]) {
    this.#i = docs.length - 1;
    this.doc = this.#i >= 0 ? docs[this.#i]! : -1;
  }
  get estimate(): number {
    return this.#i + 1;
  }
  next(): void {
    this.#i -= 1;
    this.doc = this.#i >= 0 ? this.docs[this.#i]! : -1;
  }
  seek(target: number): void {
    while (this.doc > target) this.next();
  }
}

/** The union of cursors (a word prefix: every term it begins), newest first, each document once. */
export class UnionCursor implements DocCursor {
  doc = -1;
  readonly estimate: number;
  /** A max-heap on `doc` of the cursors not yet exhausted. */
  #heap: DocCursor[];

  constructor(cursors: DocCursor[]) {
    this.#heap = cursors.filter((c) => c.doc >= 0);
    this.estimate = cursors.reduce((n, c) => n + c.estimate, 0);
    for (let i = (this.#heap.length >> 1) - 1; i >= 0; i--) this.#down(i);
    this.doc = this.#heap.length > 0 ? this.#heap[0]!.doc : -1;
  }

  next(): void {
    this.#advance(this.doc - 1);
  }

  seek(target: number): void {
    if (this.doc > target) this.#advance(target);
  }

  /** Moves every cursor above `target` down to it. */
  #advance(target: number): void {
    const heap = this.#heap;
    while (heap.length > 0 && heap[0]!.doc > target) {
      const top = heap[0]!;
      top.seek(target);
      if (top.doc < 0) {
        const last = heap.pop()!;
        if (heap.length === 0) break;
        heap[0] = last;
      }
      this.#down(0);
    }
    this.doc = heap.length > 0 ? heap[0]!.doc : -1;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && heap[l]!.doc > heap[m]!.doc) m = l;
      if (r < n && heap[r]!.doc > heap[m]!.doc) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
}

function grow<T extends Uint32Array | Uint16Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
