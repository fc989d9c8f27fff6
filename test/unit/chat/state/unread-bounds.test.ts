import { describe, expect, it } from "vitest";
import { createMemoryBroker } from "../../../../storage/broker/memory-broker.ts";
import type { Broker } from "../../../../storage/broker/types.ts";
import type { UserRecord } from "../../../../storage/users/types.ts";
import { countUnread, roomMarker, UNREAD_READ, UNREAD_READ_TOTAL, welcomeState } from "../../../../src/chat/state/user-state.ts";

/** A memory broker whose history reads are counted: calls and records returned. */
function counted() {
  const broker = createMemoryBroker();
  const reads = { calls: 0, records: 0, largest: 0 };
  const history: Broker["history"] = async (room, query) => {
    const page = await broker.history(room, query);
    reads.calls += 1;
    reads.records += page.messages.length;
    reads.largest = Math.max(reads.largest, page.messages.length);
    return page;
  };
  return { broker: { ...broker, history }, reads };
}

const alice = (rooms: string[], reads: Record<string, string>): UserRecord =>
  ({ key: "alice", name: "alice", rooms, reads, conversations: [] }) as unknown as UserRecord;

const notDeleted = async () => ({ get: () => undefined });

describe("unread counts are bounded work per sign-in", () => {
  it("a welcome of a user in 300 rooms, all read, reads no record", async () => {
    const { broker, reads } = counted();
    const markers: Record<string, string> = {};
    const rooms = Array.from({ length: 300 }, (_, i) => `r${i}`);
    for (const room of rooms) {
      for (let j = 0; j < 20; j++) markers[roomMarker(room)] = (await broker.publish({ room, from: "bob", text: `m${j}` })).id;
    }
    const state = await welcomeState(broker, alice(rooms, markers), UNREAD_READ_TOTAL, notDeleted);
    expect(state.unread).toHaveLength(300);
    expect(state.unread.every((u) => u.count === 0 && u.mentions === 0)).toBe(true);
    expect(reads).toEqual({ calls: 0, records: 0, largest: 0 });
  });

  it("a welcome of a user in 300 rooms with 100 unread each reads at most 50 a room and 500 in all", async () => {
    const { broker, reads } = counted();
    const rooms = Array.from({ length: 300 }, (_, i) => `r${i}`);
    for (const room of rooms) {
      for (let j = 0; j < 100; j++) await broker.publish({ room, from: "bob", text: `m${j}`, ...(j % 10 === 0 ? { mentions: ["alice"] } : {}) } as never);
    }
    const state = await welcomeState(broker, alice(rooms, {}), UNREAD_READ_TOTAL, notDeleted);
    expect(reads.largest).toBeLessThanOrEqual(UNREAD_READ);
    expect(reads.records).toBe(UNREAD_READ_TOTAL);
    expect(reads.calls).toBe(UNREAD_READ_TOTAL / UNREAD_READ);
    // Every room counts its 100 records kept; mentions among the newest 50 read (rooms first, in order).
    expect(state.unread[0]).toEqual({ room: "r0", count: 100, mentions: 5 });
    expect(state.unread[9]).toEqual({ room: "r9", count: 100, mentions: 5 });
    expect(state.unread[10]).toEqual({ room: "r10", count: 100, mentions: 0 });
    expect(state.unread.every((u) => u.count === 100)).toBe(true);
  });

  it("joined reads at most 50: exact when 50 or fewer follow the marker, older records counted as they are kept", async () => {
    const { broker, reads } = counted();
    const first = await broker.publish({ room: "dev", from: "bob", text: "read" });
    for (let j = 0; j < 10; j++) await broker.publish({ room: "dev", from: "alice", text: `own ${j}` });
    for (let j = 0; j < 40; j++) await broker.publish({ room: "dev", from: "bob", text: `new ${j}` });
    // 50 after the marker, 10 of them alice's own: exact.
    expect(await countUnread(broker, "dev", first.id, "alice", UNREAD_READ, notDeleted)).toEqual({ count: 40, mentions: 0 });
    await broker.publish({ room: "dev", from: "bob", text: "one more" });
    // 51 after the marker: the newest 50 are read (41 by bob), the oldest (alice's own) counts as kept.
    expect(await countUnread(broker, "dev", first.id, "alice", UNREAD_READ, notDeleted)).toEqual({ count: 42, mentions: 0 });
    expect(reads.largest).toBe(UNREAD_READ);
  });
});
