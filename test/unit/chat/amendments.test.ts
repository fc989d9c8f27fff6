import { describe, expect, it } from "vitest";
import { Amendments } from "../../../src/chat/amendments.ts";
import type { AmendmentRecord } from "../../../storage/chatlog/types.ts";
import { formatId } from "../../../storage/chatlog/ids.ts";

const T = 1764100000000;
let seq = 0;
const id = (n: number) => formatId(T + n, 0);
const next = () => formatId(T + 1_000_000, ++seq);
const edit = (target: string, text: string): AmendmentRecord => ({ kind: "edit", id: next(), room: "r", by: "a", target, author: "a", text, ts: T });
const del = (target: string): AmendmentRecord => ({ kind: "delete", id: next(), room: "r", by: "a", target, author: "a", ts: T });
const react = (target: string, emoji: string, by: string, on = true): AmendmentRecord => ({ kind: "react", id: next(), room: "r", by, target, author: "a", emoji, on, ts: T });

describe("Amendments memory bound", () => {
  it("keeps edits and reactions within its byte budget, forgetting the least recently amended first", () => {
    const state = new Amendments(20_000, 100);
    for (let n = 0; n < 100; n++) state.apply(edit(id(n), "x".repeat(500)));
    expect(state.bytes).toBeLessThanOrEqual(20_000);
    expect(state.get(id(0))).toBeUndefined();
    expect(state.get(id(99))!.edit!.text).toBe("x".repeat(500));
    // Amending an old entry again makes it the most recent: it outlives newer ones.
    const kept = new Amendments(3_000, 100);
    kept.apply(react(id(1), ":a:", "u1"));
    for (let n = 2; n < 6; n++) kept.apply(react(id(n), ":a:", "u1"));
    kept.apply(react(id(2), ":b:", "u2"));
    for (let n = 6; n < 9; n++) kept.apply(react(id(n), ":a:", "u1"));
    expect(kept.bytes).toBeLessThanOrEqual(3_000);
    expect(kept.get(id(1))).toBeUndefined();
    expect(kept.get(id(3))).toBeUndefined();
    expect(kept.reactionsOf(kept.get(id(2))!)).toEqual({ ":a:": ["u1"], ":b:": ["u2"] });
    expect(kept.get(id(8))).toBeDefined();
  });

  it("keeps deletion marks apart, up to their cap, oldest first out; a deletion frees what it hides", () => {
    const state = new Amendments(1_000_000, 3);
    state.apply(edit(id(1), "long text ".repeat(50)));
    const before = state.bytes;
    expect(before).toBeGreaterThan(0);
    state.apply(del(id(1)));
    expect(state.bytes).toBe(0);
    expect(state.isDeleted(id(1))).toBe(true);
    expect(state.get(id(1))).toEqual({ deleted: true });
    // Later changes to a deleted message change nothing.
    state.apply(react(id(1), ":a:", "u1"));
    expect(state.bytes).toBe(0);
    for (let n = 2; n <= 4; n++) state.apply(del(id(n)));
    expect(state.isDeleted(id(1))).toBe(false);
    expect([2, 3, 4].every((n) => state.isDeleted(id(n)))).toBe(true);
  });

  it("ends in the same state whatever the order records arrive in", () => {
    const records = [edit(id(1), "a"), react(id(1), ":x:", "u1"), edit(id(1), "b"), react(id(1), ":x:", "u1", false), react(id(1), ":x:", "u2")];
    const forward = new Amendments();
    const backward = new Amendments();
    for (const r of records) forward.apply(r);
    for (const r of [...records].reverse()) backward.apply(r);
    for (const s of [forward, backward]) {
      expect(s.get(id(1))!.edit!.text).toBe("b");
      expect(s.reactionsOf(s.get(id(1))!)).toEqual({ ":x:": ["u2"] });
    }
  });

  it("answers a toggle on its way until its record is applied (or it failed)", () => {
    const state = new Amendments();
    expect(state.hasReaction(id(1), ":a:", "u1")).toBe(false);
    state.toggling(id(1), ":a:", "u1", true);
    // A second toggle before the first is stored sees it on, so it takes it back.
    expect(state.hasReaction(id(1), ":a:", "u1")).toBe(true);
    state.apply(react(id(1), ":a:", "u1", true));
    expect(state.hasReaction(id(1), ":a:", "u1")).toBe(true);
    state.toggling(id(1), ":a:", "u1", false);
    expect(state.hasReaction(id(1), ":a:", "u1")).toBe(false);
    state.toggled(id(1), ":a:", "u1");
    expect(state.hasReaction(id(1), ":a:", "u1")).toBe(true);
  });
});
