import { describe, expect, it, vi } from "vitest";
import { join, leave } from "../../../../src/chat/handlers/rooms.ts";
import { password, read, topic } from "../../../../src/chat/handlers/state.ts";
import { countUnread, welcomeState } from "../../../../src/chat/state/user-state.ts";
import { ClientError } from "../../../../src/message/index.ts";
import { chatWorld, codeOf, settle } from "../handlers/world.ts";

describe("conversation state with the memory broker", () => {
  it("keeps membership on the account from join to leave, and counts the room's members in the room store", async () => {
    const w = chatWorld();
    const alice = w.user("alice");
    await join(w.ctx, alice.session, { type: "join", room: "dev" });
    expect((await w.users.get("alice"))!.rooms).toEqual(["dev"]);
    expect((await w.rooms.get("dev"))!.members).toBe(1);
    await leave(w.ctx, alice.session, { type: "leave", room: "dev" });
    expect((await w.users.get("alice"))!.rooms).toEqual([]);
    expect((await w.rooms.get("dev"))!).toMatchObject({ members: 0, emptySince: expect.any(Number) });
  });

  it("counts unread messages by others after the marker, and mentions of the user or @room", async () => {
    const w = chatWorld();
    const a = await w.broker.publish({ room: "dev", from: "bob", text: "a" });
    await w.broker.publish({ room: "dev", from: "bob", text: "b", mentions: ["alice"] } as never);
    await w.broker.publish({ room: "dev", from: "alice", text: "mine" });
    await w.broker.publish({ room: "dev", from: "bob", text: "c", mentions: ["@room"] } as never);
    expect(await countUnread(w.broker, "dev", undefined, "alice", 1000, async () => ({ get: () => undefined }))).toEqual({ count: 3, mentions: 2 });
    expect(await countUnread(w.broker, "dev", a.id, "alice", 1000, async () => ({ get: () => undefined }))).toEqual({ count: 2, mentions: 2 });
  });

  it("counts an edited message's mentions as the edit left them, and no deleted message", async () => {
    const w = chatWorld();
    const a = await w.broker.publish({ room: "dev", from: "bob", text: "a" });
    const b = await w.broker.publish({ room: "dev", from: "bob", text: "b", mentions: ["alice"] } as never);
    const c = await w.broker.publish({ room: "dev", from: "bob", text: "c", mentions: ["alice"] } as never);
    const states = new Map<string, object>([
      [a.id, { edit: { text: "@alice", mentions: ["alice"], editedAt: 1, at: a.id } }],
      [b.id, { edit: { text: "b", editedAt: 1, at: b.id } }],
      [c.id, { deleted: true }],
    ]);
    expect(await countUnread(w.broker, "dev", undefined, "alice", 1000, async () => ({ get: (id) => states.get(id) }))).toEqual({ count: 2, mentions: 1 });
  });

  it("moves read markers forward only and tells the user's other sessions over the bus", async () => {
    const w = chatWorld();
    const a1 = w.user("alice");
    const a2 = w.user("alice");
    const { stateConsumer } = await import("../../../../src/chat/state/bus.ts");
    w.bus.subscribe(stateConsumer({ hub: w.hub, directory: w.directory, origin: w.ctx.presence.origin }));
    await join(w.ctx, a1.session, { type: "join", room: "dev" });
    const m1 = await w.broker.publish({ room: "dev", from: "bob", text: "x" });
    const m2 = await w.broker.publish({ room: "dev", from: "bob", text: "y" });
    await read(w.ctx, a1.session, { type: "read", room: "dev", id: m2.id });
    await read(w.ctx, a1.session, { type: "read", room: "dev", id: m1.id });
    await settle();
    expect(a2.frames().filter((f) => f.type === "read")).toEqual([{ type: "read", room: "dev", id: m2.id }]);
    expect(a1.frames().filter((f) => f.type === "read")).toEqual([]);
    const state = await welcomeState(w.broker, (await w.users.get("alice"))!, 1000, async () => ({ get: () => undefined }));
    expect(state.unread).toEqual([{ room: "dev", count: 0, mentions: 0 }]);
    expect(await codeOf(() => read(w.ctx, a1.session, { type: "read", room: "nowhere", id: m1.id }))).toBe("not_in_room");
    expect(await codeOf(() => read(w.ctx, a1.session, { type: "read", id: m1.id }))).toBe("bad_frame");
  });

  it("refuses a topic over 300 characters or from a non-member, and stores one from a member", async () => {
    const w = chatWorld();
    const alice = w.user("alice");
    await join(w.ctx, alice.session, { type: "join", room: "dev" });
    expect(await codeOf(() => topic(w.ctx, alice.session, { type: "topic", room: "dev", text: "x".repeat(301) }))).toBe("too_large");
    expect(await codeOf(() => topic(w.ctx, w.user("bob").session, { type: "topic", room: "dev", text: "hi" }))).toBe("not_in_room");
    await topic(w.ctx, alice.session, { type: "topic", room: "dev", text: "x".repeat(300) });
    // Stored before the ack (the handler does not wait for it): the room store has it, and so does the directory.
    await vi.waitFor(async () => expect((await w.rooms.get("dev"))!.topic).toMatchObject({ text: "x".repeat(300), by: "alice" }));
    expect(alice.frames().find((f) => f.type === "ack")).toBeDefined();
  });

  it("answers a wrong old password with auth_failed", async () => {
    const w = chatWorld();
    const alice = w.user("alice");
    const failing = { ...w.ctx, accounts: { ...w.ctx.accounts, setPassword: async () => Promise.reject(new ClientError("auth_failed", "wrong password")) } };
    expect(await codeOf(() => password(failing, alice.session, { type: "password", old: "x", new: "yyyyyyyy" }))).toBe("auth_failed");
  });

  it("caps room creation per user (rate_limited with retryAfterMs) and in total (too_many_rooms)", async () => {
    const w = chatWorld({ limits: { userRoomBurst: 1, userRoomsPerHour: 1, maxRooms: 3 } });
    await settle();
    const alice = w.user("alice");
    await join(w.ctx, alice.session, { type: "join", room: "one" });
    const err = await join(w.ctx, alice.session, { type: "join", room: "two" }).catch((e: ClientError) => e);
    expect(err).toMatchObject({ code: "rate_limited" });
    expect((err as ClientError).retryAfterMs).toBeGreaterThan(3_000_000);
    await join(w.ctx, w.user("bob").session, { type: "join", room: "three" });
    expect(await codeOf(() => join(w.ctx, w.user("carol").session, { type: "join", room: "four" }))).toBe("too_many_rooms");
  });
});
