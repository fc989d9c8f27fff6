import type { BigIntStats } from "node:fs";
import { copyJson } from "./copy-json.ts";

/** What identifies one version of a file: inode, size and modification time (ns). */
export function stampOf(s: BigIntStats): string {
  return `${s.ino}:${s.size}:${s.mtimeNs}`;
}

/**
 * Parsed records (JSON data) by key, each with the stamp of the file it came
 * from; a lookup with another stamp misses. Least recently used entries go
 * first past `limit`. Callers get a copy, so a caller changing a record cannot
 * change the cache.
 *
 * Once full, the cache takes a new key only on its second `set` in recent
 * history (a doorkeeper, as in TinyLFU): a key read once, such as each user
 * of a reconnect storm, does not push out a record that is read again and
 * again. Without it, a storm of more users than `limit` evicted a record for
 * nearly every sign-in, and each evicted one had lived long enough to die in
 * the old generation: ~0.5 KiB of garbage per connection, until the next full
 * GC (docs/benchmarks.md).
 */
export class RecordCache<T> {
  readonly #entries = new Map<string, { stamp: string; record: T }>();
  /** Fingerprints of keys set recently, by slot (a hash of the key); made when the cache first fills. */
  #seen: Uint32Array | undefined;
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`cache size must be a whole number >= 0, got ${limit}`);
  }

  get(key: string, stamp: string): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.stamp !== stamp) {
      this.#entries.delete(key);
      return undefined;
    }
    // Re-insert: Map order is the recency order.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return copyJson(entry.record);
  }

  set(key: string, stamp: string, record: T): void {
    if (this.limit === 0) return;
    const had = this.#entries.delete(key);
    if (!had && this.#entries.size >= this.limit && !this.#seenBefore(key)) return;
    this.#entries.set(key, { stamp, record: copyJson(record) });
    if (this.#entries.size > this.limit) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** Whether `key` was set recently; remembers it either way. Four slots per entry keep collisions rare. */
  #seenBefore(key: string): boolean {
    const seen = (this.#seen ??= new Uint32Array(2 ** Math.ceil(Math.log2(this.limit * 4))));
    // FNV-1a over UTF-16 code units: the slot from its low bits, the fingerprint (never 0) from all of it.
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    const slot = h & (seen.length - 1);
    const fingerprint = (h | 1) >>> 0;
    if (seen[slot] === fingerprint) return true;
    seen[slot] = fingerprint;
    return false;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
