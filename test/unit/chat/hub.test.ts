import { describe, expect, it, vi } from "vitest";
import { Hub } from "../../../src/chat/hub.ts";
import { Session } from "../../../src/chat/session.ts";
import type { Peer } from "../../../src/chat/peer.ts";
import { CloseCode, encode, type Encoded, type OutboundFrame } from "../../../src/message/index.ts";

const RATE = { messagesPerSecond: 10, messageBurst: 20 };

function fakePeer(bufferedAmount = 0) {
  const sent: Encoded[] = [];
  const peer = {
    send: vi.fn((e: Encoded) => void sent.push(e)),
    close: vi.fn(),
    bufferedAmount,
    remoteAddress: "127.0.0.1",
  };
  return { peer, sent, frames: () => sent.map((e) => JSON.parse(e.text) as OutboundFrame) };
}

/** A signed-in session of `key`, registered with the hub. */
function user(hub: Hub, key: string, name = key, buffered = 0) {
  const p = fakePeer(buffered);
  const session = new Session(p.peer as Peer, RATE);
  session.user = { key, name, role: "user" };
  hub.add(session);
  hub.signedIn(session);
  return { session, ...p };
}

describe("Hub", () => {
  describe("join", () => {
    it("is true for a user's first session in a room, false for more", () => {
      const hub = new Hub(1 << 20);
      const a1 = user(hub, "alice", "Alice");
      const a2 = user(hub, "alice", "Alice");
      expect(hub.join(a1.session, "general")).toBe(true);
      expect(hub.join(a2.session, "general")).toBe(false);
      expect(hub.join(a1.session, "general")).toBe(false);
      expect(hub.members("general")).toEqual(["Alice"]);
      expect(hub.memberCount("general")).toBe(1);
      expect(a1.session.rooms.has("general")).toBe(true);
    });

    it("lists members by display name, sorted", () => {
      const hub = new Hub(1 << 20);
      for (const [k, n] of [["carol", "carol"], ["alice", "Alice"], ["bob", "Bob"]] as const) hub.join(user(hub, k, n).session, "r");
      expect(hub.members("r")).toEqual(["Alice", "Bob", "carol"]);
      expect(hub.members("nowhere")).toEqual([]);
      expect(hub.memberCount("nowhere")).toBe(0);
    });
  });

  describe("rename", () => {
    it("moves the session to the new user: in the same rooms, counted and found under the new key", () => {
      const hub = new Hub(1 << 20);
      const a = user(hub, "alice");
      const b = user(hub, "bob");
      hub.join(a.session, "general");
      hub.join(a.session, "random");
      hub.join(b.session, "general");
      hub.rename(a.session, { key: "malice", name: "Malice", role: "user" });
      expect(a.session.user).toEqual({ key: "malice", name: "Malice", role: "user" });
      expect(hub.members("general")).toEqual(["Malice", "bob"]);
      expect(hub.hasUser("general", "alice")).toBe(false);
      expect(hub.hasUser("random", "malice")).toBe(true);
      expect(hub.memberCount("general")).toBe(2);
      expect(hub.userSessions("alice").size).toBe(0);
      expect([...hub.userSessions("malice")]).toEqual([a.session]);
      // Leaving afterwards is the new user's last session leaving.
      expect(hub.leave(a.session, "random")).toBe(true);
    });

    it("a change of case keeps the key and shows the new name", () => {
      const hub = new Hub(1 << 20);
      const a = user(hub, "alice");
      hub.join(a.session, "general");
      hub.rename(a.session, { key: "alice", name: "Alice", role: "user" });
      expect(hub.members("general")).toEqual(["Alice"]);
      expect(hub.memberCount("general")).toBe(1);
      expect(hub.userSessions("alice").size).toBe(1);
    });
  });

  describe("leave", () => {
    it("is true only when the user's last session leaves the room", () => {
      const hub = new Hub(1 << 20);
      const a1 = user(hub, "alice");
      const a2 = user(hub, "alice");
      hub.join(a1.session, "general");
      hub.join(a2.session, "general");
      expect(hub.leave(a1.session, "general")).toBe(false);
      expect(hub.members("general")).toEqual(["alice"]);
      expect(hub.leave(a2.session, "general")).toBe(true);
      expect(hub.members("general")).toEqual([]);
      expect([...hub.roomKeys()]).toEqual([]);
    });

    it("is false for a room the session is not in", () => {
      const hub = new Hub(1 << 20);
      const a = user(hub, "alice");
      expect(hub.leave(a.session, "general")).toBe(false);
      hub.join(user(hub, "bob").session, "general");
      expect(hub.leave(a.session, "general")).toBe(false);
      expect(hub.members("general")).toEqual(["bob"]);
    });
  });

  describe("remove", () => {
    it("takes the session out of every room and returns the rooms its user left", () => {
      const hub = new Hub(1 << 20);
      const a1 = user(hub, "alice");
      const a2 = user(hub, "alice");
      hub.join(a1.session, "one");
      hub.join(a1.session, "two");
      hub.join(a2.session, "two");
      expect(hub.remove(a1.session).sort()).toEqual(["one"]);
      expect(hub.sessions.has(a1.session)).toBe(false);
      expect(hub.userSessions("alice").size).toBe(1);
      expect(hub.remove(a2.session)).toEqual(["two"]);
      expect(hub.userSessions("alice").size).toBe(0);
      expect(hub.onlineUsers()).toEqual([]);
    });

    it("handles a session that never signed in", () => {
      const hub = new Hub(1 << 20);
      const session = new Session(fakePeer().peer as Peer, RATE);
      hub.add(session);
      expect(hub.remove(session)).toEqual([]);
      expect(hub.sessions.size).toBe(0);
    });
  });

  describe("fan-out", () => {
    it("toRoom sends the same encoded bytes to every session in the room except one", () => {
      const hub = new Hub(1 << 20);
      const a = user(hub, "alice");
      const b = user(hub, "bob");
      const c = user(hub, "carol");
      hub.join(a.session, "r");
      hub.join(b.session, "r");
      user(hub, "dave"); // not in the room
      const frame: OutboundFrame = { type: "typing", room: "r", user: "alice" };
      hub.toRoom("r", frame, a.session);
      expect(a.sent).toHaveLength(0);
      expect(b.frames()).toEqual([frame]);
      expect(c.sent).toHaveLength(0);
      const shared = encode(frame);
      hub.toRoom("r", shared);
      expect(a.sent[0]).toBe(shared);
      expect(b.sent[1]).toBe(shared);
      expect(hub.deliveries).toBe(3);
    });


    it("toRoom follows joins and leaves made between two fan-outs (the member list it loops over is kept between them)", () => {
      const hub = new Hub(1 << 20);
      const a = user(hub, "alice");
      const b = user(hub, "bob");
      hub.join(a.session, "r");
      hub.toRoom("r", { type: "typing", room: "r", user: "x" });
      hub.join(b.session, "r");
      hub.toRoom("r", { type: "typing", room: "r", user: "y" });
      hub.leave(a.session, "r");
      hub.toRoom("r", { type: "typing", room: "r", user: "z" });
      hub.remove(b.session);
      hub.join(a.session, "r");
      hub.toRoom("r", { type: "typing", room: "r", user: "w" });
      expect(a.frames().map((f) => (f as { user: string }).user)).toEqual(["x", "y", "w"]);
      expect(b.frames().map((f) => (f as { user: string }).user)).toEqual(["y", "z"]);
    });
    it("toAll reaches signed-in sessions only", () => {
      const hub = new Hub(1 << 20);
      const a = user(hub, "alice");
      const anon = fakePeer();
      hub.add(new Session(anon.peer as Peer, RATE));
      hub.toAll({ type: "notice", text: "hi", kind: "broadcast", ts: 1 });
      expect(a.frames()).toEqual([{ type: "notice", text: "hi", kind: "broadcast", ts: 1 }]);
      expect(anon.sent).toHaveLength(0);
    });

    it("deliver sends a room message to the room", () => {
      const hub = new Hub(1 << 20);
      const a = user(hub, "alice");
      hub.join(a.session, "r");
      hub.deliver({ id: "1764100000000-000000", room: "r", from: "bob", text: "hi", ts: 1 });
      expect(a.frames()).toEqual([{ type: "message", id: "1764100000000-000000", room: "r", from: "bob", text: "hi", ts: 1 }]);
    });

    it("deliver holds the sender's own copy for its next frame and sends the others theirs", () => {
      const hub = new Hub(1 << 20);
      const a = user(hub, "alice");
      const held: Encoded[] = [];
      const hold = vi.fn((e: Encoded) => void held.push(e));
      (a.peer as Partial<Peer>).hold = hold;
      const b = user(hub, "bob");
      hub.join(a.session, "r");
      hub.join(b.session, "r");
      hub.deliver({ id: "1764100000000-000000", room: "r", from: "alice", text: "hi", ts: 1 }, a.session);
      const message = { type: "message", id: "1764100000000-000000", room: "r", from: "alice", text: "hi", ts: 1 };
      expect(held.map((e) => JSON.parse(e.text))).toEqual([message]);
      expect(a.sent).toHaveLength(0);
      expect(b.frames()).toEqual([message]);
      expect(hub.deliveries).toBe(2);
    });

    it("deliver sends the sender its copy at once when its peer cannot hold frames", () => {
      const hub = new Hub(1 << 20);
      const a = user(hub, "alice");
      hub.join(a.session, "r");
      hub.deliver({ id: "1764100000000-000000", room: "r", from: "alice", text: "hi", ts: 1 }, a.session);
      expect(a.frames()).toEqual([{ type: "message", id: "1764100000000-000000", room: "r", from: "alice", text: "hi", ts: 1 }]);
    });

    it("deliver sends a dm to every session of both users, once each", () => {
      const hub = new Hub(1 << 20);
      const a1 = user(hub, "alice");
      const a2 = user(hub, "alice");
      const b = user(hub, "bob");
      const c = user(hub, "carol");
      hub.deliver({ id: "1764100000000-000000", room: "dm:alice:bob", from: "alice", to: "bob", text: "psst", ts: 1 });
      const dm = { type: "dm", id: "1764100000000-000000", from: "alice", to: "bob", text: "psst", ts: 1 };
      expect(a1.frames()).toEqual([dm]);
      expect(a2.frames()).toEqual([dm]);
      expect(b.frames()).toEqual([dm]);
      expect(c.sent).toHaveLength(0);
    });

    it("deliver sends a dm to oneself once", () => {
      const hub = new Hub(1 << 20);
      const a = user(hub, "alice");
      hub.deliver({ id: "1764100000000-000000", room: "dm:alice:alice", from: "alice", to: "alice", text: "note", ts: 1 });
      expect(a.sent).toHaveLength(1);
    });

    it("cuts off a slow consumer with 4001 instead of buffering more", () => {
      const hub = new Hub(1000);
      const slow = user(hub, "slow", "slow", 1001);
      const fine = user(hub, "fine", "fine", 1000);
      hub.join(slow.session, "r");
      hub.join(fine.session, "r");
      hub.toRoom("r", { type: "left", room: "r" });
      expect(slow.sent).toHaveLength(0);
      expect(slow.peer.close).toHaveBeenCalledWith(CloseCode.slowConsumer, "slow consumer");
      expect(fine.sent).toHaveLength(1);
      expect(hub.slowConsumersDropped).toBe(1);
    });
  });

  it("holds replies to the same cap: a reply to a client over it cuts it off once, and is not a delivery", () => {
    const hub = new Hub(1000);
    const fine = fakePeer(1000);
    const slow = fakePeer(1001);
    const a = new Session(fine.peer as Peer, RATE, hub);
    const b = new Session(slow.peer as Peer, RATE, hub);
    a.send({ type: "pong", ref: 1 });
    b.send({ type: "pong", ref: 2 });
    b.send({ type: "pong", ref: 3 });
    expect(fine.frames()).toEqual([{ type: "pong", ref: 1 }]);
    expect(slow.sent).toHaveLength(0);
    expect(slow.peer.close).toHaveBeenCalledTimes(1);
    expect(slow.peer.close).toHaveBeenCalledWith(CloseCode.slowConsumer, "slow consumer");
    expect(hub.slowConsumersDropped).toBe(1);
    expect(hub.deliveries).toBe(0);
  });

  it("onlineUsers lists each user once with their sessions", () => {
    const hub = new Hub(1 << 20);
    user(hub, "alice", "Alice");
    user(hub, "alice", "Alice");
    user(hub, "bob");
    const online = hub.onlineUsers().map((u) => ({ key: u.key, name: u.name, n: u.sessions.size }));
    expect(online.sort((x, y) => x.key.localeCompare(y.key))).toEqual([
      { key: "alice", name: "Alice", n: 2 },
      { key: "bob", name: "bob", n: 1 },
    ]);
  });
});
