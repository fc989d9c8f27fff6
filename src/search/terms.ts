/**
 * The term dictionary: folded word -> term number, and the words in sorted
 * order for prefix lookups ("deplo" -> deploy, deployed, deployment). New
 * words wait in a short unsorted list and are merged into the sorted one
 * in batches, so adding a word never shifts the whole list.
 */
export class Terms {
  readonly #ids = new Map<string, number>();
  #sorted: string[] = [];
  #fresh: string[] = [];

  get size(): number {
    return this.#ids.size;
  }

  get(term: string): number | undefined {
    return this.#ids.get(term);
  }

  /** Records a new term (not yet known) as number `id`. */
  set(term: string, id: number): void {
    this.#ids.set(term, id);
    this.#fresh.push(term);
    // Merging costs the whole list: wait until the fresh part is a fair share of it.
    if (this.#fresh.length > Math.max(1024, this.#sorted.length >> 4)) this.#merge();
  }

  /** The numbers of every term that begins with `prefix`. */
  withPrefix(prefix: string): number[] {
    const out: number[] = [];
    const sorted = this.#sorted;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < sorted.length && sorted[i]!.startsWith(prefix); i++) out.push(this.#ids.get(sorted[i]!)!);
    for (const term of this.#fresh) if (term.startsWith(prefix)) out.push(this.#ids.get(term)!);
    return out;
  }

  #merge(): void {
    const fresh = this.#fresh.sort();
    const old = this.#sorted;
    const merged = new Array<string>(old.length + fresh.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < old.length && j < fresh.length) merged[k++] = old[i]! < fresh[j]! ? old[i++]! : fresh[j++]!;
    while (i < old.length) merged[k++] = old[i++]!;
    while (j < fresh.length) merged[k++] = fresh[j++]!;
    this.#sorted = merged;
    this.#fresh = [];
  }
}
