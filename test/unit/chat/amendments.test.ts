import { describe, expect, it, vi } from "vitest";
import { Amendments } from "../../../src/chat/amendments.ts";
import type { AmendmentRecord } from "../../../storage/chatlog/types.ts";
import { formatId } from "../../../storage/chatlog/ids.ts";
import { createMemoryBroker } from "../../../storage/broker/memory-broker.ts";
import type { MessageRecord } from "../../../storage/chatlog/types.ts";
import { amendThenDeliver } from "../../../src/chat/amendments.ts";

const T = 1764100000000;
let seq = 0;
const id = (n: number) => formatId(T + n, 0);
const next = () => formatId(T + 1_000_000, ++seq);
const edit = (target: string, text: string): AmendmentRecord => ({ kind: "edit", id: next(), room: "r", by: "a", target, author: "a", text, ts: T });
const del = (target: string): AmendmentRecord => ({ kind: "delete", id: next(), room: "r", by: "a", target, author: "a", ts: T });
const react = (target: string, emoji: string, by: string, on = true): AmendmentRecord => ({ kind: "react", id: next(), room: "r", by, target, author: "a", emoji, on, ts: T });

describe("Amendments memory bound", () => {
  it("keeps edits and reactions within its byte budget, forgetting the least recently amended first", () => {
    const state = new Amendments(20_000);
    for (let n = 0; n < 100; n++) state.apply(edit(id(n), "x".repeat(500)));
    expect(state.bytes).toBeLessThanOrEqual(20_000);
    expect(state.get(id(0))).toBeUndefined();
    expect(state.get(id(99))!.edit!.text).toBe("x".repeat(500));
    // Amending an old entry again makes it the most recent: it outlives newer ones.
    const kept = new Amendments(3_000);
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

  it("keeps every deletion mark, however many; a deletion frees what it hides", () => {
    const state = new Amendments(1_000_000);
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
    // Far more than the 200,000 marks once kept (out of order, so the compact set merges its tail many times).
    const n = 250_000;
    for (let k = 2; k <= n; k++) state.apply(del(id(((k * 7919) % n) + 2)));
    expect(state.isDeleted(id(1))).toBe(true);
    for (let k = 2; k <= n + 1; k += 997) expect(state.isDeleted(id(k))).toBe(true);
    expect(state.isDeleted(id(n + 2))).toBe(false);
    // About 10 bytes a mark (well under 16).
    expect(state.idBytes).toBeLessThan(n * 16);
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

  it("orders reactions by the records that set them, whatever the order they arrive in", () => {
    // u1 and u2 react with :x:, u2 with :y:; u1 takes :x: back and gives it again.
    const records = [react(id(1), ":x:", "u1"), react(id(1), ":x:", "u2"), react(id(1), ":y:", "u2"), react(id(1), ":x:", "u1", false), react(id(1), ":x:", "u1")];
    const forward = new Amendments();
    const backward = new Amendments();
    for (const r of records) forward.apply(r);
    for (const r of [...records].reverse()) backward.apply(r);
    for (const s of [forward, backward]) {
      const reactions = s.reactionsOf(s.get(id(1))!)!;
      expect(reactions).toEqual({ ":x:": ["u2", "u1"], ":y:": ["u2"] });
      expect(Object.keys(reactions)).toEqual([":x:", ":y:"]);
    }
    // Once u2 takes :x: back, the oldest reaction standing is u2's :y:.
    forward.apply(react(id(1), ":x:", "u2", false));
    expect(Object.entries(forward.reactionsOf(forward.get(id(1))!)!)).toEqual([[":y:", ["u2"]], [":x:", ["u1"]]]);
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

  it("answers a deletion on its way as deleted until its record is applied (or it failed)", () => {
    const state = new Amendments();
    state.deleting(id(1));
    // An edit, reaction or second delete handled before the deletion is stored sees it.
    expect(state.isDeleted(id(1))).toBe(true);
    state.apply(del(id(1)));
    expect(state.isDeleted(id(1))).toBe(true);
    state.deleting(id(2));
    state.deleteFailed(id(2));
    expect(state.isDeleted(id(2))).toBe(false);
  });
});

describe("Amendments read back from the log", () => {
  /** A memory broker feeding a state that holds about one entry. */
  async function world(memoryBytes = 400) {
    const broker = createMemoryBroker({ historyPerRoom: 10_000 });
    const state = new Amendments(memoryBytes);
    broker.register(amendThenDeliver(state, () => {}));
    const say = async (text: string) => (await broker.publish({ room: "r", from: "a", text })) as MessageRecord;
    const change = (event: Record<string, unknown>, target: MessageRecord) => broker.publish({ room: "r", target: target.id, author: "a", by: "a", ...event } as never);
    return { broker, state, say, change };
  }

  it("shows an evicted edit's latest text and time, and evicted reactions, reading the stream once per page", async () => {
    const { broker, state, say, change } = await world();
    const first = await say("one");
    const second = await say("two");
    await change({ kind: "edit", text: "one, v1" }, first);
    const latest = await change({ kind: "edit", text: "one, v2" }, first);
    await change({ kind: "react", emoji: ":a:", on: true, by: "u1" }, second);
    await change({ kind: "react", emoji: ":b:", on: true, by: "u2" }, second);
    await change({ kind: "react", emoji: ":b:", on: false, by: "u2" }, second);
    // Newer changes to other messages push both out of the tiny memory.
    for (let k = 0; k < 5; k++) await change({ kind: "edit", text: "x".repeat(100) }, await say(`m${k}`));
    expect(state.get(first.id)).toBeUndefined();
    expect(state.get(second.id)).toBeUndefined();
    const all = (await broker.history("r", { limit: 100 })).messages;
    const history = vi.spyOn(broker, "history");
    const view = await state.recall(broker, all);
    const reads = history.mock.calls.length;
    // The stream read back a page at a time (two here), not once per message.
    expect(reads).toBeLessThanOrEqual(2);
    expect(view.get(first.id)!.edit).toMatchObject({ text: "one, v2", editedAt: latest.ts });
    expect(view.reactionsOf(view.get(second.id)!)).toEqual({ ":a:": ["u1"] });
    // Held again: a next page needs no read until it is evicted again.
    await state.recall(broker, [second]);
    expect(state.needsRecall([second])).toBe(false);
    expect(state.reactionsOf(state.get(second.id)!)).toEqual({ ":a:": ["u1"] });
  });

  it("completes an evicted message's state when a new change arrives before a page reads it back", async () => {
    const { broker, state, say, change } = await world();
    const first = await say("one");
    await change({ kind: "edit", text: "one, edited" }, first);
    for (let k = 0; k < 5; k++) await change({ kind: "edit", text: "x".repeat(100) }, await say(`m${k}`));
    // A reaction to the evicted message: held, but the edit is not (partial), so a page still reads it back.
    await change({ kind: "react", emoji: ":a:", on: true, by: "u1" }, first);
    expect(state.get(first.id)!.edit).toBeUndefined();
    expect(state.needsRecall([first])).toBe(true);
    const view = await state.recall(broker, [first]);
    expect(view.get(first.id)!.edit!.text).toBe("one, edited");
    expect(view.reactionsOf(view.get(first.id)!)).toEqual({ ":a:": ["u1"] });
  });

  it("rebuilds every deletion and reads evicted edits back after a restart", async () => {
    const { broker, state, say, change } = await world();
    const messages: MessageRecord[] = [];
    for (let k = 0; k < 30; k++) messages.push(await say(`m${k}`));
    for (const m of messages.slice(0, 20)) await change({ kind: "delete" }, m);
    for (const m of messages.slice(20)) await change({ kind: "edit", text: `${m.text}!` }, m);
    expect(state.isDeleted(messages[0]!.id)).toBe(true);
    // A new state over the same log, as at start-up, with the same tiny memory.
    const restarted = new Amendments(400);
    await restarted.rebuild(broker);
    expect(messages.slice(0, 20).every((m) => restarted.isDeleted(m.id))).toBe(true);
    const view = await restarted.recall(broker, messages);
    expect(messages.slice(20).map((m) => view.get(m.id)!.edit!.text)).toEqual(messages.slice(20).map((m) => `${m.text}!`));
  });
});
