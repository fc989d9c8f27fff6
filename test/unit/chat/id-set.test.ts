import { describe, expect, it } from "vitest";
import { IdSet } from "../../../src/chat/id-set.ts";
import { formatId } from "../../../storage/chatlog/ids.ts";

describe("IdSet", () => {
  it("holds every id added, in any order, and no other", () => {
    const set = new IdSet();
    const ids: string[] = [];
    // Ids across milliseconds and sequences, the greatest ms and seq included.
    for (let k = 0; k < 20_000; k++) ids.push(formatId(1764100000000 + ((k * 7919) % 20_000), k % 3 === 0 ? 999_999 : k % 1000));
    ids.push(formatId(9_999_999_999_999, 999_999), formatId(0, 0));
    for (const id of ids) set.add(id);
    for (const id of ids) set.add(id);
    expect(set.size).toBe(new Set(ids).size);
    expect(ids.every((id) => set.has(id))).toBe(true);
    expect(set.has(formatId(1764100000000, 1001))).toBe(false);
    expect(set.has(formatId(1764100000000 + 20_000, 0))).toBe(false);
  });

  it("takes about 8 to 16 bytes an id", () => {
    const set = new IdSet();
    for (let k = 0; k < 100_000; k++) set.add(formatId(1764100000000 + k, k % 7));
    expect(set.bytes).toBeGreaterThanOrEqual(100_000 * 8);
    expect(set.bytes).toBeLessThanOrEqual(100_000 * 16);
  });

  it("keeps what is not shaped like an id apart", () => {
    const set = new IdSet();
    set.add("not-an-id");
    expect(set.has("not-an-id")).toBe(true);
    expect(set.has("other")).toBe(false);
  });
});
