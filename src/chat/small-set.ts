/**
 * A set for the few members a connection's rooms or a user's connections
 * usually have, and there are one or two per connection. One member is held
 * as itself (the set is then one small object, 32 bytes, where a `Set` takes
 * about 150 and a one-element array another 56); more members as one
 * exact-size array, replaced on each change (changes are rare, reads are
 * many). Members may not be arrays: an array marks the many-member form.
 */
export class SmallSet<T> implements Iterable<T> {
  #items: T | readonly T[] = NONE;

  get size(): number {
    const items = this.#items;
    return Array.isArray(items) ? items.length : 1;
  }

  has(value: T): boolean {
    const items = this.#items;
    return Array.isArray(items) ? items.includes(value) : items === value;
  }

  add(value: T): this {
    if (Array.isArray(value)) throw new TypeError("SmallSet members may not be arrays");
    const items = this.#items;
    if (!Array.isArray(items)) {
      // concat allocates the exact size; a spread leaves room for 16 more.
      if (items !== value) this.#items = [items as T].concat([value]);
    } else if (items.length === 0) this.#items = value;
    else if (!items.includes(value)) this.#items = items.concat([value]);
    return this;
  }

  delete(value: T): boolean {
    const items = this.#items;
    if (!Array.isArray(items)) {
      if (items !== value) return false;
      this.#items = NONE;
      return true;
    }
    const i = items.indexOf(value);
    if (i < 0) return false;
    this.#items = items.length === 2 ? items[1 - i]! : items.slice(0, i).concat(items.slice(i + 1));
    return true;
  }

  /** Iterates the members as they were when iteration began: changes meanwhile do not disturb it. */
  [Symbol.iterator](): Iterator<T> {
    const items = this.#items;
    return (Array.isArray(items) ? items : [items as T])[Symbol.iterator]();
  }
}

const NONE: readonly never[] = Object.freeze([]);

export type ReadonlySmallSet<T> = Pick<SmallSet<T>, "size" | "has" | typeof Symbol.iterator>;
