import { describe, expect, it } from "vitest";
import { RECORD_OVERHEAD, RoomHistory } from "../../../../storage/chatlog/room-history.ts";
import type { ChatRecord } from "../../../../storage/chatlog/types.ts";
import { WindowBudget } from "../../../../storage/chatlog/window-budget.ts";
import { formatId } from "../../../../storage/chatlog/ids.ts";

const T = 1764100000000;
let n = 0;
/** A record whose stored line counts 100 bytes, so each costs 100 + RECORD_OVERHEAD. */
const COST = 100 + RECORD_OVERHEAD;

function store(budget: WindowBudget, room: RoomHistory, name: string): ChatRecord {
  n += 1;
  const record: ChatRecord = { id: formatId(T + n, 0), room: name, from: "a", text: "t", ts: T + n };
  budget.changed(room, room.stored(record, { segment: 1, offset: n * 100, length: 100 }));
  return record;
}

describe("WindowBudget", () => {
  it("keeps the total within the limit by letting go of the least recently used rooms", () => {
    const budget = new WindowBudget(5 * COST);
    const [a, b, c] = [new RoomHistory(100), new RoomHistory(100), new RoomHistory(100)];
    store(budget, a, "a");
    store(budget, a, "a");
    store(budget, b, "b");
    store(budget, b, "b");
    budget.touch(a); // a used last: b is now the least recently used
    store(budget, c, "c");
    expect(budget.bytes).toBe(5 * COST);
    store(budget, c, "c");
    expect(budget.bytes).toBe(4 * COST);
    expect([a.windowSize, b.windowSize, c.windowSize]).toEqual([2, 0, 2]);
  });

  it("trims the oldest records of a room that alone is over the limit", () => {
    const budget = new WindowBudget(3 * COST);
    const a = new RoomHistory(100);
    const records = Array.from({ length: 5 }, () => store(budget, a, "a"));
    expect(budget.bytes).toBe(3 * COST);
    expect(a.windowSize).toBe(3);
    expect(a.windowStart).toBe(2);
    expect(a.recordAt(1)).toBeUndefined();
    expect(a.recordAt(4)).toBe(records[4]);
    // The index still has all five: the two let go of are read from the files.
    expect(a.index.size).toBe(5);
  });

  it("holds nothing with a limit of 0", () => {
    const budget = new WindowBudget(0);
    const a = new RoomHistory(100);
    for (let i = 0; i < 3; i++) store(budget, a, "a");
    expect(budget.bytes).toBe(0);
    expect(a.windowSize).toBe(0);
    expect(a.index.size).toBe(3);
  });

  it("lets go of what the index drops (historyPerRoom) and counts it", () => {
    const budget = new WindowBudget(100 * COST);
    const a = new RoomHistory(2);
    for (let i = 0; i < 5; i++) store(budget, a, "a");
    expect(a.windowSize).toBe(2);
    expect(budget.bytes).toBe(2 * COST);
  });

  it("takes back records read from the files only when they join the window", () => {
    const budget = new WindowBudget(100 * COST);
    const a = new RoomHistory(100);
    const records = Array.from({ length: 5 }, () => store(budget, a, "a"));
    budget.freed(a, a.clearWindow());
    expect(budget.bytes).toBe(0);
    // An empty window: only a run reaching the newest (position 5) joins it.
    expect(a.extend(2, records.slice(2, 4))).toBe(0);
    expect(a.extend(3, records.slice(3, 5))).toBe(2 * COST);
    expect(a.windowStart).toBe(3);
    // Then only a run ending where the window starts.
    expect(a.extend(0, records.slice(0, 2))).toBe(0);
    expect(a.extend(1, records.slice(1, 3))).toBe(2 * COST);
    expect([a.windowStart, a.windowSize]).toEqual([1, 4]);
    expect(a.recordAt(1)).toBe(records[1]);
    expect(a.recordAt(4)).toBe(records[4]);
  });
});
