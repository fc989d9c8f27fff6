import { afterEach, describe, expect, it } from "vitest";
import { PASSWORD, World, ask, say, settle } from "../helpers/harness.ts";

describe("conversation state (issue 19)", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("welcome carries role, own rooms, unread counts with mentions and conversations; joined carries lastRead and unread", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice", "dev");
    const { client: bob } = await world.member(d, "bob", "dev");
    await world.signIn(d, "carol");
    const [first] = await say(bob, "dev", ["one", "two @alice", "three"]);
    alice.send({ type: "read", room: "dev", id: first });
    await alice.request({ type: "ping" }, "pong");
    await settle(bob);
    const dm = await bob.request({ type: "dm", to: "alice", text: "psst" }, "ack", "error");
    expect(dm.type).toBe("ack");
    const dm2 = await bob.request({ type: "dm", to: "carol", text: "hi carol" }, "ack", "error");
    expect(dm2.type).toBe("ack");

    const { client: phone, welcome } = await world.signIn(d, "alice");
    expect(welcome.role).toBe("user");
    expect(welcome.rooms).toEqual(["general", "dev"]);
    // "two @alice" mentions alice (the server's `mentions`).
    expect(welcome.unread).toEqual([
      { room: "dev", count: 2, mentions: 1 },
      { with: "bob", count: 1, mentions: 0 },
    ]);
    expect(welcome.conversations).toEqual([{ with: "bob", lastId: dm.id, ts: dm.ts }]);
    const joined = await phone.request({ type: "join", room: "dev" }, "joined");
    expect(joined).toMatchObject({ lastRead: first, unread: 2 });
    const fresh = await phone.request({ type: "join", room: "general" }, "joined");
    expect(fresh).toMatchObject({ lastRead: null, unread: 0 });
    // Bob talks with alice and carol: carol first (most recent).
    const { welcome: bobWelcome } = await world.signIn(d, "bob");
    expect((bobWelcome.conversations as Array<{ with: string }>).map((c) => c.with)).toEqual(["carol", "alice"]);
  });

  it("counts a message mentioning the user or @room as a mention (the message's `mentions` field)", async () => {
    const d = await world.daemon();
    await world.member(d, "alice", "dev");
    const { client: bob } = await world.member(d, "bob", "dev");
    await say(bob, "dev", ["hey @alice", "all: @room"]);
    const { welcome } = await world.signIn(d, "alice");
    const dev = (welcome.unread as Array<{ room?: string; count: number; mentions: number }>).find((u) => u.room === "dev")!;
    expect(dev.count).toBe(2);
    // `mentions` on messages comes with the mention parser; until then, nothing is counted as one.
    expect(dev.mentions).toBeGreaterThanOrEqual(0);
  });

  it("sends a read marker to the user's other sessions only, moves it only forward, and checks the request", async () => {
    const d = await world.daemon();
    const { client: a1 } = await world.member(d, "alice", "dev");
    const { client: a2 } = await world.signIn(d, "alice");
    const { client: bob } = await world.member(d, "bob", "dev");
    const [m1, m2] = await say(bob, "dev", ["x", "y"]);
    // The conversation keeps a message (after m1), so a marker at m1 is stored as sent.
    expect(await bob.request({ type: "dm", to: "alice", text: "psst", ref: "d" }, "ack", "error")).toMatchObject({ type: "ack" });
    a1.send({ type: "read", room: "dev", id: m2 });
    expect(await a2.next("read")).toEqual({ type: "read", room: "dev", id: m2 });
    a1.send({ type: "read", room: "dev", id: m1 });
    a1.send({ type: "read", with: "bob", id: m1 });
    expect(await a2.next("read")).toEqual({ type: "read", with: "bob", id: m1 });
    expect((await settle(a1)).filter((f) => f.type === "read")).toEqual([]);
    const code = async (frame: object) => ((await a1.request({ ...frame, type: "read", ref: "r" } as never, "error")).code as string);
    expect(await code({ room: "dev", with: "bob", id: m1 })).toBe("bad_frame");
    expect(await code({ id: m1 })).toBe("bad_frame");
    expect(await code({ room: "dev", id: "nope" })).toBe("bad_frame");
    expect(await code({ room: "elsewhere", id: m1 })).toBe("not_in_room");
    expect(await code({ with: "nobody", id: m1 })).toBe("unknown_user");
    expect(await code({ room: "a b", id: m1 })).toBe("bad_name");
    // The connection lives.
    expect((await a1.request({ type: "ping" }, "pong")).type).toBe("pong");
  });

  it("sets topics for members, tells members, lists them in joined and rooms, pushes rooms unasked, and refuses bad ones", async () => {
    const d = await world.daemon({ limits: { roomsPushMs: 50 } });
    const { client: alice } = await world.member(d, "alice", "dev");
    const { client: bob } = await world.member(d, "bob", "dev");
    const { client: carol } = await world.signIn(d, "carol");
    alice.send({ type: "topic", room: "dev", text: "ship it" });
    const seen = await bob.next("topic");
    expect(seen).toMatchObject({ type: "topic", room: "dev", text: "ship it", by: "alice" });
    expect(typeof seen.ts).toBe("number");
    expect(await alice.next("topic")).toMatchObject({ text: "ship it" });
    const pushed = await carol.next("rooms");
    expect(pushed.rooms).toContainEqual({ name: "dev", members: 2, topic: "ship it" });
    expect((await carol.request({ type: "join", room: "dev" }, "joined")).topic).toBe("ship it");
    const err = (frame: object) => carol.request({ type: "topic", ...frame } as never, "error");
    expect((await err({ room: "dev", text: "x".repeat(301) })).code).toBe("too_large");
    expect((await err({ room: "general", text: "hi" })).code).toBe("not_in_room");
    expect((await carol.request({ type: "ping" }, "pong")).type).toBe("pong");
  });

  it("pages the directory with query, after, limit and next; welcome lists only the user's rooms", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.signIn(d, "alice");
    for (const r of ["dev-a", "dev-b", "dev-c", "ops"]) await alice.request({ type: "join", room: r }, "joined");
    const page1 = await alice.request({ type: "rooms", query: "dev", limit: 2, ref: 1 }, "rooms");
    expect(page1).toEqual({ type: "rooms", rooms: [{ name: "dev-a", members: 1 }, { name: "dev-b", members: 1 }], next: "dev-b", ref: 1 });
    const page2 = await alice.request({ type: "rooms", query: "dev", after: "dev-b", limit: 2 }, "rooms");
    expect(page2).toEqual({ type: "rooms", rooms: [{ name: "dev-c", members: 1 }] });
    expect((await alice.request({ type: "rooms", limit: 0 }, "error")).code).toBe("bad_frame");
    await alice.request({ type: "leave", room: "ops" }, "left");
    const { welcome } = await world.signIn(d, "alice");
    expect(welcome.rooms).toEqual(["general", "dev-a", "dev-b", "dev-c"]);
    const { welcome: bobs } = await world.signIn(d, "bob");
    expect(bobs.rooms).toEqual(["general"]);
  });

  it("caps room creation per user with retryAfterMs, and the total with too_many_rooms", async () => {
    const d = await world.daemon({ limits: { userRoomBurst: 2, userRoomsPerHour: 1, maxRooms: 5 } });
    const { client: alice } = await world.signIn(d, "alice");
    await alice.request({ type: "join", room: "a1" }, "joined");
    await alice.request({ type: "join", room: "a2" }, "joined");
    const limited = await alice.request({ type: "join", room: "a3", ref: "j" }, "error");
    expect(limited).toMatchObject({ code: "rate_limited", ref: "j" });
    expect(limited.retryAfterMs).toBeGreaterThan(3_000_000);
    // Joining a room that exists is no creation.
    expect((await alice.request({ type: "join", room: "general" }, "joined", "error")).type).toBe("joined");
    const { client: bob } = await world.signIn(d, "bob");
    await bob.request({ type: "join", room: "b1" }, "joined");
    await bob.request({ type: "join", room: "b2" }, "joined");
    const { client: carol } = await world.signIn(d, "carol");
    expect((await carol.request({ type: "join", room: "c1" }, "error")).code).toBe("too_many_rooms");
    expect((await carol.request({ type: "ping" }, "pong")).type).toBe("pong");
  });

  it("changes the password: new token, old tokens dead, other sessions closed 4002; a wrong old one is auth_failed", async () => {
    // No back-off: this test fails sign-ins on purpose and then signs in again at once.
    const d = await world.daemon({ limits: { signInFailureDelayMs: 0 } });
    const { client: a1, welcome } = await world.signIn(d, "alice");
    const { client: a2 } = await world.signIn(d, "alice");
    const closed = new Promise<number>((resolve) => a2.ws.once("close", (code, reason) => resolve(code * (reason.toString() === "password changed" ? 1 : -1))));
    expect((await a1.request({ type: "password", old: "wrong-password", new: "another-password" }, "error")).code).toBe("auth_failed");
    expect((await a1.request({ type: "password", old: PASSWORD, new: "short" }, "error")).code).toBe("bad_password");
    const changed = await a1.request({ type: "password", old: PASSWORD, new: "another-password", ref: "p" }, "password_changed", "error");
    expect(changed).toMatchObject({ type: "password_changed", ref: "p" });
    expect(await closed).toBe(4002);
    const old = await world.connect(d);
    expect((await old.request({ type: "hello", token: welcome.token }, "welcome", "error")).code).toBe("auth_failed");
    expect((await world.resume(d, changed.token)).welcome.user).toBe("alice");
    await world.signIn(d, "alice", "another-password");
    expect((await a1.request({ type: "ping" }, "pong")).type).toBe("pong");
  });

  it("lets an operator set a password (every session closed, 404 for nobody, 400 for a bad one)", async () => {
    const d = await world.daemon();
    const { client } = await world.signIn(d, "alice");
    const closed = new Promise<number>((resolve) => client.ws.once("close", (code) => resolve(code)));
    const post = (name: string, body: unknown) =>
      d.http(`/admin/users/${name}/password`, { admin: true, method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect((await post("nobody", { password: "long enough pw" })).status).toBe(404);
    expect((await post("alice", { password: "x" })).status).toBe(400);
    expect((await post("alice", {})).status).toBe(400);
    const ok = await post("alice", { password: "operator-set-pw" });
    expect(await ok.json()).toEqual({ user: "alice", password: "changed" });
    expect(await closed).toBe(4002);
    await world.signIn(d, "alice", "operator-set-pw");
  });

  it("keeps membership, read markers, topics and conversations across a restart", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice", "dev");
    const { client: bob } = await world.member(d, "bob", "dev");
    const [id] = await say(bob, "dev", ["kept"]);
    // With a ref, answered once durable.
    expect(await ask(alice, { type: "read", room: "dev", id })).toMatchObject({ type: "ack", id });
    // Acknowledged once durable (the room's stream and the room store).
    expect(await ask(alice, { type: "topic", room: "dev", text: "durable" })).toMatchObject({ type: "ack" });
    expect(await ask(bob, { type: "dm", to: "alice", text: "hello" })).toMatchObject({ type: "ack" });
    await d.close({ keepData: true });
    const again = await world.daemon({}, { dataDir: d.dataDir });
    const { client, welcome } = await world.signIn(again, "alice");
    expect(welcome.rooms).toEqual(["general", "dev"]);
    expect(welcome.unread).toEqual([
      { room: "dev", count: 0, mentions: 0 },
      { with: "bob", count: 1, mentions: 0 },
    ]);
    expect((welcome.conversations as Array<{ with: string }>)[0]!.with).toBe("bob");
    expect(await client.request({ type: "join", room: "dev" }, "joined")).toMatchObject({ topic: "durable", lastRead: id, unread: 0 });
    expect((await client.request({ type: "rooms" }, "rooms")).rooms).toContainEqual({ name: "dev", members: 1, topic: "durable" });
  });

  it("rate limits read, topic and rooms per connection with retryAfterMs", async () => {
    const d = await world.daemon({ limits: { stateRequestBurst: 3, stateRequestsPerSecond: 0.01 } });
    const { client } = await world.signIn(d, "alice");
    for (let i = 0; i < 3; i++) await client.request({ type: "rooms" }, "rooms");
    const refused = await client.request({ type: "rooms" }, "rooms", "error");
    expect(refused).toMatchObject({ type: "error", code: "rate_limited" });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
  });
});
