/**
 * A set for the few members a connection's rooms or a user's connections
 * usually have: one exact-size array, replaced on each change (changes are
 * rare, reads are many). About 50 bytes with one member where a `Set` takes
 * about 150, and there are one or two per connection.
 */
export class SmallSet<T> implements Iterable<T> {
  #items: readonly T[] = NONE;

  get size(): number {
    return this.#items.length;
  }

  has(value: T): boolean {
    return this.#items.includes(value);
  }

  add(value: T): this {
    // concat allocates the exact size; a spread leaves room for 16 more.
    if (!this.#items.includes(value)) this.#items = this.#items.concat([value]);
    return this;
  }

  delete(value: T): boolean {
    const i = this.#items.indexOf(value);
    if (i < 0) return false;
    this.#items = this.#items.length === 1 ? NONE : this.#items.slice(0, i).concat(this.#items.slice(i + 1));
    return true;
  }

  /** Iterates the members as they were when iteration began: changes meanwhile do not disturb it. */
  [Symbol.iterator](): Iterator<T> {
    return this.#items[Symbol.iterator]();
  }
}

const NONE: readonly never[] = Object.freeze([]);

export type ReadonlySmallSet<T> = Pick<SmallSet<T>, "size" | "has" | typeof Symbol.iterator>;
