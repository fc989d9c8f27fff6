import { describe, expect, it } from "vitest";
import { SmallSet } from "../../../src/chat/small-set.ts";

describe("SmallSet", () => {
  it("starts empty", () => {
    const set = new SmallSet<string>();
    expect(set.size).toBe(0);
    expect(set.has("a")).toBe(false);
    expect([...set]).toEqual([]);
    expect(set.delete("a")).toBe(false);
  });

  it("holds one member, and adding it again changes nothing", () => {
    const set = new SmallSet<string>().add("a").add("a");
    expect(set.size).toBe(1);
    expect(set.has("a")).toBe(true);
    expect(set.has("b")).toBe(false);
    expect([...set]).toEqual(["a"]);
  });

  it("keeps members in insertion order without duplicates", () => {
    const set = new SmallSet<string>().add("a").add("b").add("a").add("c").add("b");
    expect(set.size).toBe(3);
    expect([...set]).toEqual(["a", "b", "c"]);
    expect(["a", "b", "c", "d"].map((m) => set.has(m))).toEqual([true, true, true, false]);
  });

  it("deletes from every size down to empty, and answers whether it removed anything", () => {
    const set = new SmallSet<string>().add("a").add("b").add("c");
    expect(set.delete("x")).toBe(false);
    expect(set.delete("b")).toBe(true);
    expect([...set]).toEqual(["a", "c"]);
    expect(set.delete("a")).toBe(true);
    expect([...set]).toEqual(["c"]);
    expect(set.size).toBe(1);
    expect(set.delete("a")).toBe(false);
    expect(set.delete("c")).toBe(true);
    expect(set.size).toBe(0);
    expect([...set]).toEqual([]);
    set.add("d");
    expect([...set]).toEqual(["d"]);
  });

  it("keeps the other member when one of two goes, whichever it is", () => {
    const first = new SmallSet<string>().add("a").add("b");
    first.delete("a");
    expect([...first]).toEqual(["b"]);
    const second = new SmallSet<string>().add("a").add("b");
    second.delete("b");
    expect([...second]).toEqual(["a"]);
    expect(second.has("b")).toBe(false);
  });

  it("holds objects by identity", () => {
    const a = { id: 1 };
    const b = { id: 1 };
    const set = new SmallSet<object>().add(a);
    expect(set.has(a)).toBe(true);
    expect(set.has(b)).toBe(false);
    set.add(b);
    expect(set.size).toBe(2);
  });

  it("iterates the members as they were when iteration began", () => {
    for (const start of [["a"], ["a", "b"]]) {
      const set = new SmallSet<string>();
      for (const m of start) set.add(m);
      const seen: string[] = [];
      for (const m of set) {
        seen.push(m);
        set.delete(m);
        set.add(`${m}2`);
      }
      expect(seen).toEqual(start);
    }
  });

  it("refuses arrays as members (an array is how it holds several)", () => {
    expect(() => new SmallSet<unknown>().add(["a"])).toThrow(TypeError);
  });
});
