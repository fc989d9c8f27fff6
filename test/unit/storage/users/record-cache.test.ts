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

  it("once full, takes a new key only on its second set, so keys seen once do not push out the others", () => {
    const cache = new RecordCache<number>(3);
    for (const key of ["a", "b", "c"]) cache.set(key, "s", 1);
    // A storm of keys seen once: each is turned away and the cached ones stay.
    for (let i = 0; i < 100; i++) cache.set(`once-${i}`, "s", 2);
    expect(cache.size).toBe(3);
    for (const key of ["a", "b", "c"]) expect(cache.get(key, "s")).toBe(1);
    expect(cache.has("once-7")).toBe(false);
    // A key that comes back is taken, in place of the least recently used.
    cache.set("again", "s", 3);
    cache.set("again", "s", 3);
    expect(cache.get("again", "s")).toBe(3);
    expect(cache.has("a")).toBe(false);
    // A key already cached is updated at once, and a cache with room takes a key on its first set.
    cache.set("b", "s2", 4);
    expect(cache.get("b", "s2")).toBe(4);
    cache.delete("b");
    cache.set("fresh", "s", 5);
    expect(cache.get("fresh", "s")).toBe(5);
  });

  it("forgets a deleted key", () => {
    const cache = new RecordCache<number>(2);
    cache.set("a", "s", 1);
    cache.delete("a");
    expect(cache.get("a", "s")).toBeUndefined();
  });
});
