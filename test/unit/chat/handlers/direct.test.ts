import { describe, expect, it } from "vitest";
import { dm, dmHistory } from "../../../../src/chat/handlers/direct.ts";
import { ClientError } from "../../../../src/message/index.ts";
import { chatWorld, settle } from "./world.ts";

describe("direct message handlers", () => {
  describe("dm", () => {
    it("delivers to every session of both sides, in no room, and acks the sender", async () => {
      const w = chatWorld({ known: ["alice", "bob"] });
      const alice = w.user("alice");
      const aliceElsewhere = w.user("alice");
      const bob = w.user("bob");
      const carol = w.user("carol");
      await dm(w.ctx, alice.session, { type: "dm", to: "Bob", text: "psst", ref: 1 });
      await settle();
      const frame = { type: "dm", from: "alice", to: "bob", text: "psst" };
      for (const s of [alice, aliceElsewhere, bob]) expect(s.frames().find((f) => f.type === "dm")).toMatchObject(frame);
      expect(carol.sent).toEqual([]);
      expect(alice.frames().at(-1)).toMatchObject({ type: "ack", ref: 1 });
      expect(w.broker.rooms()).toEqual([]);
    });

    it("refuses an unknown user", async () => {
      const w = chatWorld({ known: ["alice"] });
      const error = await dm(w.ctx, w.user("alice").session, { type: "dm", to: "nobody", text: "hi" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClientError);
      expect((error as ClientError).code).toBe("unknown_user");
    });
  });

  describe("dm_history", () => {
    it("answers the conversation with the other user, whoever asks", async () => {
      const w = chatWorld({ known: ["alice", "bob"] });
      const alice = w.user("alice");
      const bob = w.user("bob");
      await dm(w.ctx, alice.session, { type: "dm", to: "bob", text: "one" });
      await dm(w.ctx, bob.session, { type: "dm", to: "alice", text: "two" });
      await settle();
      await dmHistory(w.ctx, bob.session, { type: "dm_history", with: "alice" });
      const answer = bob.frames().at(-1)!;
      expect(answer).toMatchObject({ type: "dm_history", with: "alice", complete: true });
      expect((answer.messages as Array<{ from: string; to: string; text: string }>).map((m) => [m.from, m.to, m.text])).toEqual([
        ["alice", "bob", "one"],
        ["bob", "alice", "two"],
      ]);
    });

    it("refuses a `since` or `before` that is not an id", async () => {
      const w = chatWorld();
      const error = await dmHistory(w.ctx, w.user("alice").session, { type: "dm_history", with: "bob", since: "x" }).catch((e: unknown) => e);
      expect((error as ClientError).code).toBe("bad_frame");
    });
  });
});
