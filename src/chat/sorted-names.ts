/** Lists of member names sorted as Array.prototype.sort sorts strings (by UTF-16 code units), read and merged without re-sorting. */

/** Whether sorted `names` (Array.prototype.sort's order: UTF-16 code units) holds `name`. */
export function sortedHas(names: readonly string[], name: string): boolean {
  let lo = 0;
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const at = names[mid]!;
    if (at === name) return true;
    if (at < name) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/** Two sorted lists with no name in both, as one sorted list. */
export function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  const out = new Array<string>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! < b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}
