import { describe, expect, it } from "vitest";
import { join } from "../../../../src/chat/handlers/rooms.ts";
import { history, say } from "../../../../src/chat/handlers/messages.ts";
import { aliceAndBobIn, chatWorld, codeOf, settle } from "./world.ts";

/** Alice and bob, both in general. */
const room = () => aliceAndBobIn("general");

describe("message handlers", () => {
  describe("say", () => {
    it("stores the message through the broker, delivers the same bytes to every member, and acks the sender", async () => {
      const { w, alice, bob } = await room();
      say(w.ctx, alice.session, { type: "say", room: "general", text: "hello", ref: 7 });
      // Delivered in the same turn as the write, before the ack.
      const delivered = bob.sent.at(-1)!;
      expect(JSON.parse(delivered.text)).toMatchObject({ type: "message", room: "general", from: "alice", text: "hello" });
      // The sender's own copy is the same encoded frame, held for its ack.
      expect(alice.held).toEqual([delivered]);
      expect(alice.held[0]).toBe(delivered);
      await settle();
      const ack = alice.frames().at(-1)!;
      expect(ack).toMatchObject({ type: "ack", ref: 7, id: JSON.parse(delivered.text).id });
      expect((await w.broker.history("general", { limit: 10 })).messages.map((m) => ("text" in m ? m.text : m.kind))).toEqual(["hello"]);
      expect(w.ctx.counters.messagesIn).toBe(1);
    });

    it("refuses a room the session is not in, blank text and text over the limit", async () => {
      const { w, alice } = await room();
      expect(await codeOf(() => say(w.ctx, alice.session, { type: "say", room: "elsewhere", text: "x" }))).toBe("not_in_room");
      expect(await codeOf(() => say(w.ctx, alice.session, { type: "say", room: "general", text: "   " }))).toBe("bad_frame");
      const long = "x".repeat(w.config.limits.maxTextLength + 1);
      expect(await codeOf(() => say(w.ctx, alice.session, { type: "say", room: "general", text: long }))).toBe("too_large");
    });

    it("answers unavailable (with the ref) and sends the message to no one when it cannot be stored", async () => {
      const { w, alice, bob } = await room();
      const before = bob.sent.length;
      w.broker.publish = async () => {
        const { StorageUnavailableError } = await import("../../../../storage/errors.ts");
        throw new StorageUnavailableError("disk full", { public: "the message could not be stored; it was not sent" });
      };
      say(w.ctx, alice.session, { type: "say", room: "general", text: "lost", ref: "r1" });
      await settle();
      expect(alice.frames().at(-1)).toEqual({ type: "error", code: "unavailable", message: "the message could not be stored; it was not sent", ref: "r1" });
      expect(bob.sent.length).toBe(before);
    });

    it("refuses with rate_limited once the connection's allowance is spent, and counts it", async () => {
      const w = chatWorld({ limits: { messagesPerSecond: 1, messageBurst: 2 } });
      const alice = w.user("alice");
      await join(w.ctx, alice.session, { type: "join", room: "general" });
      say(w.ctx, alice.session, { type: "say", room: "general", text: "1" });
      say(w.ctx, alice.session, { type: "say", room: "general", text: "2" });
      expect(await codeOf(() => say(w.ctx, alice.session, { type: "say", room: "general", text: "3" }))).toBe("rate_limited");
      expect(w.ctx.counters.rateLimited).toBe(1);
    });
  });

  describe("history", () => {
    it("pages back with `before`, oldest first, and says when the start is reached", async () => {
      const { w, alice } = await room();
      const stored = [];
      for (const text of ["a", "b", "c", "d", "e"]) stored.push(await w.broker.publish({ room: "general", from: "bob", text }));
      await history(w.ctx, alice.session, { type: "history", room: "general", before: stored[3]!.id, limit: 2 });
      expect(alice.frames().at(-1)).toMatchObject({ type: "history", room: "general", complete: false });
      expect((alice.frames().at(-1)!.messages as Array<{ text: string }>).map((m) => m.text)).toEqual(["b", "c"]);
      await history(w.ctx, alice.session, { type: "history", room: "general", before: stored[1]!.id, limit: 2 });
      expect(alice.frames().at(-1)).toMatchObject({ complete: true, messages: [{ type: "message", text: "a", from: "bob", room: "general" }] });
    });

    it("refuses a room the session is not in and a `before` that is not an id", async () => {
      const { w, alice } = await room();
      expect(await codeOf(() => history(w.ctx, alice.session, { type: "history", room: "elsewhere" }))).toBe("not_in_room");
      expect(await codeOf(() => history(w.ctx, alice.session, { type: "history", room: "general", before: "soon" }))).toBe("bad_frame");
    });
  });
});
