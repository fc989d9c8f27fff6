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
 */
export class RecordCache<T> {
  readonly #entries = new Map<string, { stamp: string; record: T }>();
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
    this.#entries.delete(key);
    this.#entries.set(key, { stamp, record: copyJson(record) });
    if (this.#entries.size > this.limit) this.#entries.delete(this.#entries.keys().next().value!);
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
