import { describe, expect, it } from "vitest";
import { dm } from "../../../../src/chat/handlers/direct.ts";
import { join } from "../../../../src/chat/handlers/rooms.ts";
import { read } from "../../../../src/chat/handlers/state.ts";
import { stateConsumer } from "../../../../src/chat/state/bus.ts";
import { welcomeState } from "../../../../src/chat/state/user-state.ts";
import { dmRoom } from "../../../../storage/chatlog/room-keys.ts";
import { chatWorld, codeOf, settle } from "./world.ts";

/** An id after every id the log gives out in these tests (syntactically valid). */
const FAR_AHEAD = "9999999999999-999999";

/** alice (two sessions, the second told of the first's markers over the bus) and bob, both in `dev`. */
async function world() {
  const w = chatWorld({ known: ["alice", "bob"] });
  w.bus.subscribe(stateConsumer({ hub: w.hub, directory: w.directory, origin: w.ctx.presence.origin }));
  const a1 = w.user("alice");
  const a2 = w.user("alice");
  const bob = w.user("bob");
  await join(w.ctx, a1.session, { type: "join", room: "dev" });
  await join(w.ctx, bob.session, { type: "join", room: "dev" });
  const unread = async () => (await welcomeState(w.broker, (await w.users.get("alice"))!, 1000, async () => ({ get: () => undefined }))).unread;
  const marker = async (key: string) => (await w.users.get("alice"))!.reads?.[key];
  return { w, a1, a2, bob, unread, marker };
}

const acks = (s: { frames: () => Array<Record<string, unknown>> }) => s.frames().filter((f) => f.type === "ack");
const reads = (s: { frames: () => Array<Record<string, unknown>> }) => s.frames().filter((f) => f.type === "read");

describe("read: a marker never goes past the newest record the stream keeps (memory broker)", () => {
  it("stores an id far ahead as the room's newest id: the ack and the other sessions' read carry it, and later messages count unread", async () => {
    const { w, a1, a2, unread, marker } = await world();
    await w.broker.publish({ room: "dev", from: "bob", text: "x" });
    const newest = await w.broker.publish({ room: "dev", from: "bob", text: "y" });
    await read(w.ctx, a1.session, { type: "read", room: "dev", id: FAR_AHEAD, ref: "r" });
    await settle();
    expect(await marker("#dev")).toBe(newest.id);
    expect(acks(a1)).toEqual([{ type: "ack", ref: "r", id: newest.id, ts: expect.any(Number) }]);
    expect(reads(a2)).toEqual([{ type: "read", room: "dev", id: newest.id }]);
    expect(await unread()).toEqual([{ room: "dev", count: 0, mentions: 0 }]);
    // Not silenced: what comes next is unread, and the next read moves on to it.
    const later = await w.broker.publish({ room: "dev", from: "bob", text: "z @alice", mentions: ["alice"] });
    expect(await unread()).toEqual([{ room: "dev", count: 1, mentions: 1 }]);
    await read(w.ctx, a1.session, { type: "read", room: "dev", id: FAR_AHEAD, ref: "r2" });
    await settle();
    expect(await marker("#dev")).toBe(later.id);
    expect(acks(a1).at(-1)).toMatchObject({ ref: "r2", id: later.id });
    expect(reads(a2).at(-1)).toEqual({ type: "read", room: "dev", id: later.id });
  });

  it("clamps to the newest record of any kind (a reaction after the last message)", async () => {
    const { w, a1, marker } = await world();
    const message = await w.broker.publish({ room: "dev", from: "bob", text: "x" });
    const reaction = await w.broker.publish({ kind: "react", room: "dev", by: "bob", target: message.id, author: "bob", emoji: "👍", on: true });
    await read(w.ctx, a1.session, { type: "read", room: "dev", id: FAR_AHEAD, ref: 1 });
    expect(await marker("#dev")).toBe(reaction.id);
    expect(acks(a1).at(-1)).toMatchObject({ ref: 1, id: reaction.id });
  });

  it("stores an id at or before the newest as sent, and acks a read that does not move the marker with the marker as stored", async () => {
    const { w, a1, a2, marker } = await world();
    const first = await w.broker.publish({ room: "dev", from: "bob", text: "x" });
    const second = await w.broker.publish({ room: "dev", from: "bob", text: "y" });
    await read(w.ctx, a1.session, { type: "read", room: "dev", id: second.id, ref: "a" });
    await read(w.ctx, a1.session, { type: "read", room: "dev", id: first.id, ref: "b" });
    await settle();
    expect(await marker("#dev")).toBe(second.id);
    expect(acks(a1).map((f) => [f.ref, f.id])).toEqual([
      ["a", second.id],
      ["b", second.id],
    ]);
    // Only a marker that moved is told.
    expect(reads(a2)).toEqual([{ type: "read", room: "dev", id: second.id }]);
  });

  it("clamps a conversation's marker to the conversation's newest id (not another stream's), and its unread stays right", async () => {
    const { w, a1, a2, bob, unread, marker } = await world();
    await dm(w.ctx, bob.session, { type: "dm", to: "alice", text: "one" });
    await settle();
    const [conversation] = (await w.broker.history(dmRoom("alice", "bob"), { limit: 1 })).messages;
    // A room message after it: newer than the conversation's newest, and not where the marker may go.
    const roomMessage = await w.broker.publish({ room: "dev", from: "bob", text: "elsewhere" });
    expect(roomMessage.id > conversation!.id).toBe(true);
    await read(w.ctx, a1.session, { type: "read", with: "Bob", id: FAR_AHEAD, ref: "d" });
    await settle();
    expect(await marker("@bob")).toBe(conversation!.id);
    expect(acks(a1).at(-1)).toMatchObject({ ref: "d", id: conversation!.id });
    expect(reads(a2)).toEqual([{ type: "read", with: "bob", id: conversation!.id }]);
    expect((await unread()).filter((u) => "with" in u)).toEqual([]);
    await dm(w.ctx, bob.session, { type: "dm", to: "alice", text: "two" });
    await settle();
    expect(await unread()).toContainEqual({ with: "bob", count: 1, mentions: 0 });
  });

  it("refuses a read in a room or conversation that keeps no record (not_found), storing nothing", async () => {
    const { w, a1, a2, marker } = await world();
    expect(await codeOf(() => read(w.ctx, a1.session, { type: "read", room: "dev", id: FAR_AHEAD, ref: 1 }))).toBe("not_found");
    expect(await codeOf(() => read(w.ctx, a1.session, { type: "read", with: "bob", id: FAR_AHEAD, ref: 2 }))).toBe("not_found");
    await settle();
    expect(await marker("#dev")).toBeUndefined();
    expect(await marker("@bob")).toBeUndefined();
    expect(acks(a1)).toEqual([]);
    expect(reads(a2)).toEqual([]);
  });
});
