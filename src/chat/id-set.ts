import { ID_PATTERN } from "../../storage/chatlog/ids.ts";

/** Tail size at which it is merged into the sorted part: at least this, or 1/32 of the set. */
const TAIL_MIN = 1024;

/**
 * A set of message ids that only grows, compact: each `<ms>-<seq>` id packed
 * into one 64-bit integer (ms << 20 | seq; 13 digits of ms fit in 44 bits, 6
 * of seq in 20) in a sorted typed array, searched by bisection, plus a small
 * unsorted tail (a Set) merged into it once it holds 1/32 of the set. About 8
 * bytes an id in the array (up to 10 while it has room to grow) and ~2 more for
 * the tail: a million ids take about 10-12 MB. Anything not shaped like an id
 * (never stored, kept only to stay correct) goes in a plain Set.
 */
export class IdSet {
  #sorted = new BigUint64Array(0);
  #length = 0;
  readonly #tail = new Set<bigint>();
  readonly #other = new Set<string>();

  get size(): number {
    return this.#length + this.#tail.size + this.#other.size;
  }

  /** About the bytes held: the array's capacity, and ~60 a tail or odd entry. */
  get bytes(): number {
    return this.#sorted.byteLength + (this.#tail.size + this.#other.size) * 60;
  }

  has(id: string): boolean {
    const key = pack(id);
    if (key === undefined) return this.#other.has(id);
    return this.#tail.has(key) || this.#find(key);
  }

  add(id: string): void {
    const key = pack(id);
    if (key === undefined) {
      this.#other.add(id);
      return;
    }
    if (this.#tail.has(key) || this.#find(key)) return;
    this.#tail.add(key);
    if (this.#tail.size >= Math.max(TAIL_MIN, this.#length >> 5)) this.#merge();
  }

  #find(key: bigint): boolean {
    let lo = 0;
    let hi = this.#length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.#sorted[mid]!;
      if (v === key) return true;
      if (v < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** Merges the sorted tail into the array from the back (in place when it has room; it grows by a quarter). */
  #merge(): void {
    const tail = [...this.#tail].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const length = this.#length + tail.length;
    if (length > this.#sorted.length) {
      const grown = new BigUint64Array(Math.max(length, Math.ceil(this.#sorted.length * 1.25)));
      grown.set(this.#sorted.subarray(0, this.#length));
      this.#sorted = grown;
    }
    const a = this.#sorted;
    let i = this.#length - 1;
    let j = tail.length - 1;
    for (let k = length - 1; j >= 0; k--) a[k] = i >= 0 && a[i]! > tail[j]! ? a[i--]! : tail[j--]!;
    this.#length = length;
    this.#tail.clear();
  }
}

function pack(id: string): bigint | undefined {
  if (!ID_PATTERN.test(id)) return undefined;
  return (BigInt(id.slice(0, 13)) << 20n) | BigInt(id.slice(14));
}
