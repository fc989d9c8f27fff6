import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Hub, PRESENCE_BATCH_MS } from "../../../src/chat/hub.ts";
import { Session } from "../../../src/chat/session.ts";
import type { Peer } from "../../../src/chat/peer.ts";
import type { Encoded, OutboundFrame } from "../../../src/message/index.ts";

const RATE = { messagesPerSecond: 10, messageBurst: 20 };

function member(hub: Hub, key: string) {
  const sent: Encoded[] = [];
  const peer = { send: vi.fn((e: Encoded) => void sent.push(e)), close: vi.fn(), bufferedAmount: 0, remoteAddress: "127.0.0.1" };
  const session = new Session(peer as Peer, RATE);
  session.user = { key, name: key, role: "user" };
  hub.add(session);
  hub.signedIn(session);
  const frames = () => sent.map((e) => JSON.parse(e.text) as OutboundFrame & { user?: string; event?: string });
  return { session, peer, frames };
}

const presence = (user: string, event: "join" | "leave" = "join") => ({ type: "presence" as const, room: "r", user, event });

describe("Hub presence batching", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("holds presence changes for the batch window, then sends them together, in order", () => {
    const hub = new Hub(1 << 20);
    const alice = member(hub, "alice");
    hub.join(alice.session, "r");
    for (const name of ["b", "c", "d"]) {
      const m = member(hub, name);
      hub.join(m.session, "r");
      hub.toRoomPresence("r", presence(name), m.session);
    }
    expect(alice.frames()).toEqual([]);
    vi.advanceTimersByTime(PRESENCE_BATCH_MS);
    expect(alice.frames().map((f) => f.user)).toEqual(["b", "c", "d"]);
  });

  it("sends the queued changes of several rooms in the order they happened, not room after room (a flush, a PING's, or a message's)", () => {
    const hub = new Hub(1 << 20);
    const alice = member(hub, "alice");
    for (const room of ["r1", "r2"]) hub.join(alice.session, room);
    const inRoom = (room: string, user: string) => ({ type: "presence" as const, room, user, event: "join" as const });
    const order = () => alice.frames().map((f) => `${(f as { room: string }).room} ${f.user}`);
    for (const user of ["b", "c"]) for (const room of ["r1", "r2"]) hub.toRoomPresence(room, inRoom(room, user));
    hub.flushPresence();
    expect(order()).toEqual(["r1 b", "r2 b", "r1 c", "r2 c"]);
    for (const user of ["d", "e"]) for (const room of ["r1", "r2"]) hub.toRoomPresence(room, inRoom(room, user));
    hub.flushPresence(["r1"]);
    // Up to r1's latest change: r2's later one waits.
    expect(order().slice(4)).toEqual(["r1 d", "r2 d", "r1 e"]);
    for (const user of ["f", "g"]) for (const room of ["r1", "r2"]) hub.toRoomPresence(room, inRoom(room, user));
    hub.toRoom("r1", { type: "typing", room: "r1", user: "h" });
    expect(order().slice(7)).toEqual(["r2 e", "r1 f", "r2 f", "r1 g", "r1 h"]);
    hub.flushPresence();
    expect(order().slice(12)).toEqual(["r2 g"]);
  });

  it("gives each member only the changes made after its own join, and never its own", () => {
    const hub = new Hub(1 << 20);
    const alice = member(hub, "alice");
    hub.join(alice.session, "r");
    const bob = member(hub, "bob");
    hub.join(bob.session, "r");
    hub.toRoomPresence("r", presence("bob"), bob.session);
    const carol = member(hub, "carol");
    hub.join(carol.session, "r");
    hub.toRoomPresence("r", presence("carol"), carol.session);
    hub.flushPresence();
    expect(alice.frames().map((f) => f.user)).toEqual(["bob", "carol"]);
    expect(bob.frames().map((f) => f.user)).toEqual(["carol"]);
    expect(carol.frames()).toEqual([]);
  });

  it("sends queued presence before anything else the room gets afterwards", () => {
    const hub = new Hub(1 << 20);
    const alice = member(hub, "alice");
    const bob = member(hub, "bob");
    hub.join(alice.session, "r");
    hub.join(bob.session, "r");
    hub.toRoomPresence("r", presence("bob"), bob.session);
    hub.toRoom("r", { type: "typing", room: "r", user: "bob" }, bob.session);
    expect(alice.frames().map((f) => f.type)).toEqual(["presence", "typing"]);
    vi.advanceTimersByTime(PRESENCE_BATCH_MS);
    expect(alice.frames()).toHaveLength(2);
  });

  it("writes one batch per member however many changes it holds", () => {
    const hub = new Hub(1 << 20);
    const members = Array.from({ length: 50 }, (_, i) => member(hub, `u${i}`));
    for (const m of members) {
      hub.join(m.session, "r");
      hub.toRoomPresence("r", presence(m.session.user!.name), m.session);
    }
    expect(members[0]!.peer.send).not.toHaveBeenCalled();
    hub.flushPresence();
    // The first member hears of the 49 who joined after it, the last of nobody.
    expect(members[0]!.peer.send).toHaveBeenCalledTimes(49);
    expect(members[49]!.peer.send).toHaveBeenCalledTimes(0);
    vi.advanceTimersByTime(PRESENCE_BATCH_MS * 2);
    expect(members[0]!.peer.send).toHaveBeenCalledTimes(49);
  });

  it("drops what was queued for a room that emptied, and stops its timer on close", () => {
    const hub = new Hub(1 << 20);
    const alice = member(hub, "alice");
    const bob = member(hub, "bob");
    hub.join(alice.session, "r");
    hub.join(bob.session, "r");
    hub.toRoomPresence("r", presence("bob"), bob.session);
    hub.leave(alice.session, "r");
    hub.leave(bob.session, "r");
    hub.close();
    expect(vi.getTimerCount()).toBe(0);
    hub.join(alice.session, "r");
    hub.flushPresence();
    expect(alice.frames()).toEqual([]);
  });

  it("flushes the queued presence of the rooms asked for only (an IRC PING), leaving the others' batch to its timer", () => {
    const hub = new Hub(1 << 20);
    const alice = member(hub, "alice");
    const bob = member(hub, "bob");
    hub.join(alice.session, "r");
    hub.join(bob.session, "s");
    const carol = member(hub, "carol");
    hub.join(carol.session, "r");
    hub.join(carol.session, "s");
    hub.toRoomPresence("r", presence("carol"), carol.session);
    hub.toRoomPresence("s", { ...presence("carol"), room: "s" }, carol.session);
    hub.flushPresence(["r"]);
    expect(alice.frames().map((f) => f.user)).toEqual(["carol"]);
    expect(bob.frames()).toEqual([]);
    vi.advanceTimersByTime(PRESENCE_BATCH_MS);
    expect(bob.frames().map((f) => f.user)).toEqual(["carol"]);
    expect(alice.frames()).toHaveLength(1);
  });

  it("tells an away message to the peers that take it in the rooms given, once each, after the rooms' queued presence", () => {
    const hub = new Hub(1 << 20);
    const order: string[] = [];
    const alice = member(hub, "alice");
    alice.peer.send.mockImplementation(() => void order.push("presence"));
    Object.assign(alice.peer, { awayChanged: vi.fn((user: string, text?: string) => void order.push(`away ${user} ${text}`)) });
    const web = member(hub, "web");
    const bob = member(hub, "bob");
    Object.assign(bob.peer, { awayChanged: vi.fn() });
    for (const room of ["r", "s"]) for (const m of [alice, web, bob]) hub.join(m.session, room);
    hub.toRoomPresence("r", presence("bob"), bob.session);
    hub.toAway(["r", "s"], "bob", "lunch", bob.session);
    expect(order).toEqual(["presence", "away bob lunch"]);
    expect((bob.peer as unknown as { awayChanged: ReturnType<typeof vi.fn> }).awayChanged).not.toHaveBeenCalled();
    expect(web.frames().map((f) => f.type)).toEqual(["presence"]);
  });
});
