import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Hub } from "../../../src/chat/hub.ts";
import { Session } from "../../../src/chat/session.ts";
import type { Peer } from "../../../src/chat/peer.ts";
import { encode, type Encoded } from "../../../src/message/index.ts";
import { mergeSorted, sortedHas } from "../../../src/chat/sorted-names.ts";

/**
 * What a join costs in a room of thousands (issue 21, docs/benchmarks.md
 * "Memory per IRC connection"): structural checks that fail if the per-join
 * copies come back, not timings.
 */
const RATE = { messagesPerSecond: 10, messageBurst: 20 };

function member(hub: Hub, key: string, batches = false) {
  const sent: Encoded[] = [];
  const batched: Array<readonly Encoded[]> = [];
  const peer: Peer = { send: (e) => void sent.push(e), close: () => {}, bufferedAmount: 0, remoteAddress: "127.0.0.1" };
  if (batches) peer.sendBatch = (frames) => void batched.push(frames);
  const session = new Session(peer, RATE);
  session.user = { key, name: key, role: "user" };
  hub.add(session);
  hub.signedIn(session);
  return { session, sent, batched };
}

describe("a join's members list (Hub.membersWith)", () => {
  it("is the presence store's list itself when it has every member here: no copy, set or sort per join", () => {
    const hub = new Hub(1 << 20);
    for (const k of ["carol", "alice", "bob"]) hub.join(member(hub, k).session, "r");
    hub.join(member(hub, "alice").session, "r");
    const everywhere = ["alice", "bob", "carol", "dave"];
    expect(hub.membersWith("r", everywhere)).toBe(everywhere);
    expect(hub.membersWith("empty", everywhere)).toBe(everywhere);
  });

  it("merges in the members here the store does not have yet, once each, in sort order", () => {
    const hub = new Hub(1 << 20);
    for (const k of ["erin", "Zed", "bob", "erin"]) hub.join(member(hub, k).session, "r");
    const everywhere = ["alice", "bob", "dave"];
    const members = hub.membersWith("r", everywhere);
    expect(members).toEqual([...new Set([...everywhere, "erin", "Zed", "bob"])].sort());
    expect(everywhere).toEqual(["alice", "bob", "dave"]);
  });

  it("searches and merges in Array.prototype.sort's order", () => {
    const names = ["b", "É", "a", "Z", "é", "_x", "10", "9"];
    const sorted = [...names].sort();
    for (const n of names) expect(sortedHas(sorted, n)).toBe(true);
    expect(sortedHas(sorted, "c")).toBe(false);
    expect(mergeSorted(sorted.filter((_, i) => i % 2 === 0), sorted.filter((_, i) => i % 2 === 1))).toEqual(sorted);
  });
});

describe("encode", () => {
  it("serialises a frame only when a peer reads its text or bytes, and then once", () => {
    const toJSON = vi.fn(() => ["a", "b"]);
    const frame = { type: "joined", room: "r", members: { toJSON } } as never;
    const encoded = encode(frame);
    expect(encoded.frame).toBe(frame);
    expect(toJSON).not.toHaveBeenCalled();
    expect(JSON.parse(encoded.text).members).toEqual(["a", "b"]);
    expect(new TextDecoder().decode(encoded.bytes)).toBe(encoded.text);
    expect(toJSON).toHaveBeenCalledTimes(1);
  });
});

describe("a presence batch (Hub.flushPresence)", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("goes whole, in one call, to each member whose peer takes batches and gets all of it; frame by frame otherwise", () => {
    const hub = new Hub(1 << 20);
    const irc = member(hub, "irc", true);
    const ws = member(hub, "ws");
    hub.join(irc.session, "r");
    hub.join(ws.session, "r");
    const joiners = ["b", "c", "d"].map((k) => {
      const m = member(hub, k, true);
      hub.join(m.session, "r");
      hub.toRoomPresence("r", { type: "presence", room: "r", user: k, event: "join" }, m.session);
      return m;
    });
    const before = hub.deliveries;
    hub.flushPresence();
    expect(irc.batched).toHaveLength(1);
    expect(irc.batched[0]!.map((e) => (e.frame as { user: string }).user)).toEqual(["b", "c", "d"]);
    expect(irc.sent).toEqual([]);
    expect(ws.sent.map((e) => JSON.parse(e.text).user)).toEqual(["b", "c", "d"]);
    // Joined during the batch: only what came after its join, frame by frame (and never its own).
    expect(joiners[0]!.batched).toEqual([]);
    expect(joiners[0]!.sent.map((e) => (e.frame as { user: string }).user)).toEqual(["c", "d"]);
    expect(joiners[2]!.sent).toEqual([]);
    expect(hub.deliveries - before).toBe(3 + 3 + 2 + 1);
  });
});
