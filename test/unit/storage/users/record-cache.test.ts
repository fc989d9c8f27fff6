import { describe, expect, it } from "vitest";
import { RecordCache } from "../../../../storage/users/record-cache.ts";

describe("RecordCache", () => {
  it("returns a record only for the stamp it was stored with", () => {
    const cache = new RecordCache<{ n: number }>(10);
    cache.set("a", "1:10:100", { n: 1 });
    expect(cache.get("a", "1:10:100")).toEqual({ n: 1 });
    expect(cache.get("a", "2:10:100")).toBeUndefined();
    expect(cache.get("a", "1:10:100")).toBeUndefined();
  });

  it("hands out copies, so changing one leaves the cache as it was", () => {
    const cache = new RecordCache<{ tags: string[] }>(10);
    const stored = { tags: ["x"] };
    cache.set("a", "s", stored);
    stored.tags.push("changed after set");
    cache.get("a", "s")!.tags.push("changed after get");
    expect(cache.get("a", "s")).toEqual({ tags: ["x"] });
  });

  it("drops the least recently used record past its limit", () => {
    const cache = new RecordCache<number>(2);
    cache.set("a", "s", 1);
    cache.set("b", "s", 2);
    cache.get("a", "s");
    cache.set("c", "s", 3);
    expect(cache.size).toBe(2);
    expect(cache.get("b", "s")).toBeUndefined();
    expect(cache.get("a", "s")).toBe(1);
    expect(cache.get("c", "s")).toBe(3);
  });

  it("keeps nothing with limit 0, and refuses a limit that is not a whole number >= 0", () => {
    const cache = new RecordCache<number>(0);
    cache.set("a", "s", 1);
    expect(cache.get("a", "s")).toBeUndefined();
    expect(() => new RecordCache(-1)).toThrow("cache size must be a whole number >= 0, got -1");
  });

  it("forgets a deleted key", () => {
    const cache = new RecordCache<number>(2);
    cache.set("a", "s", 1);
    cache.delete("a");
    expect(cache.get("a", "s")).toBeUndefined();
  });
});
