import { describe, expect, it } from "vitest";
import { join, leave, typing } from "../../../../src/chat/handlers/rooms.ts";
import { rooms } from "../../../../src/chat/handlers/state.ts";
import { chatWorld, codeOf, settle } from "./world.ts";

describe("room handlers", () => {
  describe("join", () => {
    it("answers with the members and the latest history, and tells the room's other members", async () => {
      const w = chatWorld();
      const alice = w.user("alice");
      const bob = w.user("bob");
      await join(w.ctx, alice.session, { type: "join", room: "General" });
      for (const text of ["1", "2", "3", "4"]) await w.broker.publish({ room: "general", from: "alice", text });
      await join(w.ctx, bob.session, { type: "join", room: "general" });
      const joined = bob.frames().find((f) => f.type === "joined")!;
      expect(joined).toMatchObject({ room: "general", members: ["alice", "bob"], recovered: true });
      expect((joined.history as Array<{ text: string; type: string }>).map((m) => [m.type, m.text])).toEqual([
        ["message", "2"],
        ["message", "3"],
        ["message", "4"],
      ]);
      w.hub.flushPresence();
      expect(alice.frames().filter((f) => f.type === "presence")).toEqual([{ type: "presence", room: "general", user: "bob", event: "join" }]);
    });

    it("resumes after `since` with every message missed, and refuses a `since` that is not an id", async () => {
      const w = chatWorld();
      const alice = w.user("alice");
      const first = await w.broker.publish({ room: "general", from: "bob", text: "seen" });
      for (const text of ["a", "b", "c", "d"]) await w.broker.publish({ room: "general", from: "bob", text });
      await join(w.ctx, alice.session, { type: "join", room: "general", since: first.id });
      const joined = alice.frames().find((f) => f.type === "joined")!;
      expect((joined.history as Array<{ text: string }>).map((m) => m.text)).toEqual(["a", "b", "c", "d"]);
      expect(await codeOf(() => join(w.ctx, alice.session, { type: "join", room: "other", since: "yesterday" }))).toBe("bad_frame");
    });

    it("refuses more rooms than a connection may hold", async () => {
      const w = chatWorld({ limits: { maxRoomsPerSession: 1 } });
      const alice = w.user("alice");
      await join(w.ctx, alice.session, { type: "join", room: "one" });
      expect(await codeOf(() => join(w.ctx, alice.session, { type: "join", room: "two" }))).toBe("too_many_rooms");
    });
  });

  describe("leave", () => {
    it("answers left and tells the room once the user's last session is gone", async () => {
      const w = chatWorld();
      const alice = w.user("alice");
      const bob = w.user("bob");
      await join(w.ctx, alice.session, { type: "join", room: "general" });
      await join(w.ctx, bob.session, { type: "join", room: "general" });
      await leave(w.ctx, bob.session, { type: "leave", room: "general" });
      await settle();
      w.hub.flushPresence();
      expect(bob.frames().at(-1)).toEqual({ type: "left", room: "general" });
      expect(alice.frames().at(-1)).toEqual({ type: "presence", room: "general", user: "bob", event: "leave" });
    });

    it("refuses a room the session is not in", async () => {
      const w = chatWorld();
      expect(await codeOf(() => leave(w.ctx, w.user("alice").session, { type: "leave", room: "general" }))).toBe("not_in_room");
    });
  });

  describe("typing", () => {
    it("goes to the room's other members, not back to the typist, and onto the bus", async () => {
      const w = chatWorld();
      const alice = w.user("alice");
      const bob = w.user("bob");
      const onBus: unknown[] = [];
      w.bus.subscribe((e) => onBus.push(e));
      await join(w.ctx, alice.session, { type: "join", room: "general" });
      await join(w.ctx, bob.session, { type: "join", room: "general" });
      typing(w.ctx, alice.session, { type: "typing", room: "general" });
      expect(bob.frames().at(-1)).toEqual({ type: "typing", room: "general", user: "alice" });
      expect(alice.frames().some((f) => f.type === "typing")).toBe(false);
      expect(onBus).toContainEqual({ kind: "typing", room: "general", user: "alice", origin: "this-node" });
    });

    it("refuses a room the session is not in", async () => {
      const w = chatWorld();
      expect(await codeOf(() => typing(w.ctx, w.user("alice").session, { type: "typing", room: "general" }))).toBe("not_in_room");
    });
  });

  describe("rooms", () => {
    it("lists the directory's rooms by name with member counts, a page at a time", async () => {
      const w = chatWorld();
      const alice = w.user("alice");
      await join(w.ctx, alice.session, { type: "join", room: "lobby" });
      await join(w.ctx, alice.session, { type: "join", room: "attic" });
      await rooms(w.ctx, alice.session, { type: "rooms" });
      expect(alice.frames().at(-1)).toEqual({
        type: "rooms",
        rooms: [
          { name: "attic", members: 1 },
          { name: "general", members: 0 },
          { name: "lobby", members: 1 },
        ],
      });
      await rooms(w.ctx, alice.session, { type: "rooms", limit: 2, ref: 7 });
      expect(alice.frames().at(-1)).toMatchObject({ rooms: [{ name: "attic" }, { name: "general" }], next: "general", ref: 7 });
      await rooms(w.ctx, alice.session, { type: "rooms", after: "general", limit: 2 });
      expect(alice.frames().at(-1)).toEqual({ type: "rooms", rooms: [{ name: "lobby", members: 1 }] });
      await rooms(w.ctx, alice.session, { type: "rooms", query: "OBB" });
      expect(alice.frames().at(-1)).toEqual({ type: "rooms", rooms: [{ name: "lobby", members: 1 }] });
    });
  });
});
