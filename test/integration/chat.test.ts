import { afterEach, describe, expect, it } from "vitest";
import type { TestClient } from "../helpers/client.ts";
import { World, eventually, rawWebSocket, say, settle, take } from "../helpers/harness.ts";

describe("chatting in rooms", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("delivers every message of three users to everyone once, in the same order, matching the acks", async () => {
    const d = await world.daemon();
    const users = ["alice", "bob", "carol"];
    const clients: TestClient[] = [];
    for (const u of users) clients.push((await world.member(d, u)).client);

    // Everyone talks at once.
    const sent = await Promise.all(clients.map((c, i) => say(c, "general", [1, 2, 3, 4, 5].map((n) => `${users[i]} ${n}`))));
    const acked = new Map<string, string>();
    sent.forEach((ids, i) => ids.forEach((id, n) => acked.set(id, `${users[i]} ${n + 1}`)));
    expect(acked.size).toBe(15);

    const timelines = await Promise.all(clients.map((c) => take(c, "message", 15)));
    const expectedOrder = [...acked.keys()].sort();
    for (const timeline of timelines) {
      expect(timeline.map((m) => m.id)).toEqual(expectedOrder);
      for (const m of timeline) expect(m.text).toBe(acked.get(m.id as string));
      expect(timeline.every((m) => m.room === "general" && typeof m.ts === "number")).toBe(true);
    }
    // Each sender's own messages come in the order it sent them.
    for (const ids of sent) expect(ids).toEqual([...ids].sort());
    // Nothing more: no duplicates arrive later.
    for (const c of clients) expect((await settle(c)).filter((f) => f.type === "message")).toEqual([]);
  });

  it("gives each sender its own message before its ack, and keeps every connection's frames in id order", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    const texts = (who: string) => Array.from({ length: 10 }, (_, n) => `${who} ${n}`);
    await Promise.all([say(alice, "general", texts("alice")), say(bob, "general", texts("bob"))]);
    await Promise.all([alice, bob].map((c) => take(c, "message", 20)));
    for (const c of [alice, bob]) {
      const frames = c.frames.filter((f) => f.type === "message" || f.type === "ack");
      const messageIds = frames.filter((f) => f.type === "message").map((f) => f.id as string);
      expect(messageIds).toEqual([...messageIds].sort());
      for (const [i, f] of frames.entries()) {
        if (f.type === "ack") expect(frames.slice(0, i).some((m) => m.type === "message" && m.id === f.id)).toBe(true);
      }
    }
  });

  it("tells the room who joins and who leaves, by leave or by disconnecting", async () => {
    const d = await world.daemon();
    const { client: alice, joined } = await world.member(d, "alice");
    expect(joined).toEqual({
      type: "joined",
      room: "general",
      members: ["alice"],
      history: [],
      recovered: true,
      lastRead: null,
      unread: 0,
      operators: [],
      voiced: [],
      modes: { topicLock: false, secret: false },
    });

    const { client: bob, joined: bobJoined } = await world.member(d, "Bob");
    expect(bobJoined.members).toEqual(["Bob", "alice"].sort());
    expect(await alice.next("presence")).toEqual({ type: "presence", room: "general", user: "Bob", event: "join" });

    const { client: carol, joined: carolJoined } = await world.member(d, "carol");
    expect(carolJoined.members).toEqual(["Bob", "alice", "carol"]);
    expect(await alice.next("presence")).toMatchObject({ user: "carol", event: "join" });
    expect(await bob.next("presence")).toMatchObject({ user: "carol", event: "join" });
    // No one is told about themselves.
    expect((await settle(carol)).filter((f) => f.type === "presence")).toEqual([]);

    expect(await carol.request({ type: "leave", room: "general" }, "left", "error")).toEqual({ type: "left", room: "general" });
    expect(await alice.next("presence")).toMatchObject({ user: "carol", event: "leave" });
    expect(await bob.next("presence")).toMatchObject({ user: "carol", event: "leave" });

    bob.ws.terminate();
    // A leave by disconnecting says so (`quit`).
    expect(await alice.next("presence")).toEqual({ type: "presence", room: "general", user: "Bob", event: "leave", quit: true });
    const rejoin = await alice.request({ type: "join", room: "general" }, "joined");
    expect(rejoin.members).toEqual(["alice"]);
  });

  it("handles frames in the order sent: say right behind join needs no wait", async () => {
    const d = await world.daemon();
    const { client } = await world.signIn(d, "alice");
    client.send({ type: "join", room: "fast" });
    client.send({ type: "say", room: "fast", text: "no waiting", ref: "x" });
    expect(await client.next()).toMatchObject({ type: "joined", room: "fast" });
    const [a, b] = [await client.next(), await client.next()];
    expect([a, b]).toContainEqual(expect.objectContaining({ type: "ack", ref: "x" }));
    expect([a, b]).toContainEqual(expect.objectContaining({ type: "message", room: "fast", text: "no waiting" }));

    client.send({ type: "leave", room: "fast" });
    client.send({ type: "say", room: "fast", text: "too late", ref: "y" });
    expect(await client.next()).toEqual({ type: "left", room: "fast" });
    expect(await client.next()).toMatchObject({ type: "error", code: "not_in_room", ref: "y" });
  });

  it("answers joining a room twice with joined again and changes nothing else", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    await alice.next("presence");
    const again = await bob.request({ type: "join", room: "general" }, "joined");
    expect(again.members).toEqual(["alice", "bob"]);
    expect((await settle(alice)).filter((f) => f.type === "presence")).toEqual([]);
  });

  it("shows rooms in their lower-cased form", async () => {
    const d = await world.daemon();
    const { client } = await world.signIn(d, "alice");
    expect(await client.request({ type: "join", room: "DevOps" }, "joined")).toMatchObject({ room: "devops" });
    expect(await client.request({ type: "join", room: "bad room" }, "joined", "error")).toMatchObject({ code: "bad_name" });
    expect(await client.request({ type: "join", room: "bad room", ref: "j1" }, "joined", "error")).toMatchObject({ code: "bad_name", ref: "j1" });
    expect(await client.request({ type: "leave", room: "nowhere", ref: 9 }, "left", "error")).toMatchObject({ code: "not_in_room", ref: 9 });
  });

  it("answers say, history, leave and typing outside a joined room with not_in_room", async () => {
    const d = await world.daemon();
    const { client } = await world.signIn(d, "alice");
    expect(await client.request({ type: "say", room: "general", text: "hi", ref: "s1" }, "ack", "error")).toMatchObject({
      type: "error",
      code: "not_in_room",
      ref: "s1",
    });
    expect(await client.request({ type: "history", room: "general" }, "history", "error")).toMatchObject({ code: "not_in_room" });
    expect(await client.request({ type: "leave", room: "general" }, "left", "error")).toMatchObject({ code: "not_in_room" });
    expect(await client.request({ type: "typing", room: "general" }, "error")).toMatchObject({ code: "not_in_room" });
  });

  it("lists default rooms and rooms with members in a rooms frame, with member counts", async () => {
    const d = await world.daemon({ rooms: ["general", "random"] });
    const { client: alice, welcome } = await world.member(d, "alice");
    expect(welcome.rooms).toEqual(["general", "random"]);
    const { client: bob } = await world.member(d, "bob");
    await bob.request({ type: "join", room: "dev" }, "joined");
    // A second connection of alice does not count twice.
    await world.member(d, "alice");

    const rooms = await alice.request({ type: "rooms" }, "rooms");
    expect(rooms.rooms).toEqual([
      { name: "dev", members: 1 },
      { name: "general", members: 2 },
      { name: "random", members: 0 },
    ]);
  });

  it("lists in each welcome the user's own rooms as they are then: joined until left, on any connection", async () => {
    const d = await world.daemon({ rooms: ["general"] });
    const { client: alice } = await world.member(d, "alice");
    expect((await world.member(d, "bob")).welcome.rooms).toEqual(["general"]);
    await alice.request({ type: "join", room: "dev" }, "joined");
    await alice.request({ type: "join", room: "ops" }, "joined");
    expect((await world.signIn(d, "alice")).welcome.rooms).toEqual(["general", "dev", "ops"]);
    expect((await world.member(d, "carol")).welcome.rooms).toEqual(["general"]);
    await alice.request({ type: "leave", room: "ops" }, "left");
    expect((await world.signIn(d, "alice")).welcome.rooms).toEqual(["general", "dev"]);
  });

  it("relays typing to the other members only", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    const { client: carol } = await world.member(d, "carol");
    alice.send({ type: "typing", room: "general" });
    expect(await bob.next("typing")).toEqual({ type: "typing", room: "general", user: "alice" });
    expect(await carol.next("typing")).toEqual({ type: "typing", room: "general", user: "alice" });
    expect((await settle(alice)).filter((f) => f.type === "typing")).toEqual([]);
  });

  it("pages back through history with before and limit", async () => {
    const d = await world.daemon();
    const { client } = await world.member(d, "alice");
    const ids = await say(client, "general", ["m1", "m2", "m3", "m4", "m5", "m6", "m7"]);

    const newest = await client.request({ type: "history", room: "general", limit: 3 }, "history");
    expect(newest.messages).toHaveLength(3);
    expect((newest.messages as Array<{ id: string }>).map((m) => m.id)).toEqual(ids.slice(4));
    expect(newest).toMatchObject({ room: "general", complete: false });

    const older = await client.request({ type: "history", room: "general", before: ids[4], limit: 3 }, "history");
    expect((older.messages as Array<{ id: string }>).map((m) => m.id)).toEqual(ids.slice(1, 4));
    expect(older.complete).toBe(false);

    const oldest = await client.request({ type: "history", room: "general", before: ids[1], limit: 3 }, "history");
    expect(oldest.messages).toEqual([expect.objectContaining({ type: "message", id: ids[0], from: "alice", text: "m1", room: "general" })]);
    expect(oldest.complete).toBe(true);

    const all = await client.request({ type: "history", room: "general" }, "history");
    expect((all.messages as Array<{ id: string }>).map((m) => m.id)).toEqual(ids);
    expect(all.complete).toBe(true);

    const bad = await client.request({ type: "history", room: "general", before: "yesterday" }, "history", "error");
    expect(bad).toMatchObject({ code: "bad_frame" });

    // A new joiner gets the history in joined, oldest first.
    const { joined } = await world.member(d, "bob");
    expect((joined.history as Array<{ id: string }>).map((m) => m.id)).toEqual(ids);
  });

  it("supports several connections of one user: presence only on the first join and the last leave", async () => {
    const d = await world.daemon();
    const { client: bob } = await world.member(d, "bob");
    const { client: alice1 } = await world.member(d, "alice");
    expect(await bob.next("presence")).toMatchObject({ user: "alice", event: "join" });

    const { client: alice2, joined } = await world.member(d, "alice");
    expect(joined.members).toEqual(["alice", "bob"]);
    expect((await settle(bob)).filter((f) => f.type === "presence")).toEqual([]);

    // A message from one connection reaches all of them.
    const [id] = await say(alice2, "general", ["from the phone"]);
    for (const c of [alice1, alice2, bob]) expect(await c.next("message")).toMatchObject({ id, from: "alice" });

    alice1.ws.terminate();
    await eventually(() => d.daemon.chat!.hub.userSessions("alice").size === 1, { what: "alice's first connection to go" });
    expect((await settle(bob)).filter((f) => f.type === "presence")).toEqual([]);

    await alice2.close();
    expect(await bob.next("presence")).toEqual({ type: "presence", room: "general", user: "alice", event: "leave", quit: true });
  });

  it("refuses a join over limits.maxRoomsPerSession with too_many_rooms", async () => {
    const d = await world.daemon({ limits: { maxRoomsPerSession: 2 } });
    const { client } = await world.member(d, "alice");
    await client.request({ type: "join", room: "two" }, "joined");
    expect(await client.request({ type: "join", room: "three" }, "joined", "error")).toMatchObject({ code: "too_many_rooms" });
    // Rejoining a room it is in is still fine.
    expect(await client.request({ type: "join", room: "two" }, "joined", "error")).toMatchObject({ type: "joined" });
  });
});

describe("direct messages", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("delivers a dm to both sides and acks it to the sender", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.signIn(d, "alice");
    const { client: alicePhone } = await world.signIn(d, "alice");
    const { client: bob } = await world.signIn(d, "Bob");

    alice.send({ type: "dm", to: "bob", text: "are you coming?", ref: 7 });
    const ack = await alice.next("ack");
    expect(ack).toMatchObject({ type: "ack", ref: 7 });
    const expected = { type: "dm", id: ack.id, from: "alice", to: "Bob", text: "are you coming?", ts: ack.ts };
    expect(await bob.next("dm")).toEqual(expected);
    // The sender's own dm may come just before or after the ack.
    await settle(alice);
    expect(alice.frames.filter((f) => f.type === "dm")).toEqual([expected]);
    expect(await alicePhone.next("dm")).toEqual(expected);
    expect((await settle(bob)).filter((f) => f.type === "dm")).toEqual([]);
  });

  it("answers a dm to a name without an account with unknown_user", async () => {
    const d = await world.daemon();
    const { client } = await world.signIn(d, "alice");
    expect(await client.request({ type: "dm", to: "nobody", text: "hello?", ref: "d1" }, "ack", "error")).toMatchObject({
      type: "error",
      code: "unknown_user",
      ref: "d1",
    });
  });

  it("keeps the conversation for both sides, also for a recipient who was offline", async () => {
    const d = await world.daemon();
    const { client: bob } = await world.signIn(d, "bob");
    await bob.close();
    const { client: alice } = await world.signIn(d, "alice");

    alice.send({ type: "dm", to: "bob", text: "one", ref: 1 });
    const first = await alice.next("ack");
    alice.send({ type: "dm", to: "bob", text: "two", ref: 2 });
    const second = await alice.next("ack");

    const { client: bobAgain } = await world.signIn(d, "bob");
    bobAgain.send({ type: "dm", to: "alice", text: "three", ref: 3 });
    const third = await bobAgain.next("ack");

    const fromBob = await bobAgain.request({ type: "dm_history", with: "ALICE" }, "dm_history");
    expect(fromBob).toMatchObject({ type: "dm_history", with: "ALICE", complete: true });
    expect(fromBob.messages).toEqual([
      { type: "dm", id: first.id, from: "alice", to: "bob", text: "one", ts: first.ts },
      { type: "dm", id: second.id, from: "alice", to: "bob", text: "two", ts: second.ts },
      { type: "dm", id: third.id, from: "bob", to: "alice", text: "three", ts: third.ts },
    ]);
    const fromAlice = await alice.request({ type: "dm_history", with: "bob" }, "dm_history");
    expect(fromAlice.messages).toEqual(fromBob.messages);

    const since = await alice.request({ type: "dm_history", with: "bob", since: first.id }, "dm_history");
    expect((since.messages as Array<{ id: string }>).map((m) => m.id)).toEqual([second.id, third.id]);
    expect(since.complete).toBe(true);
    const page = await alice.request({ type: "dm_history", with: "bob", limit: 1 }, "dm_history");
    expect(page).toMatchObject({ messages: [expect.objectContaining({ id: third.id })], complete: false });
    const before = await alice.request({ type: "dm_history", with: "bob", before: second.id }, "dm_history");
    expect(before).toMatchObject({ messages: [expect.objectContaining({ id: first.id })], complete: true });

    // Direct messages are not rooms.
    const rooms = await alice.request({ type: "rooms" }, "rooms");
    expect(rooms.rooms).toEqual([{ name: "general", members: 0 }]);
  });
});

describe("limits and bad input", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("refuses text over limits.maxTextLength with too_large and keeps the connection", async () => {
    const d = await world.daemon({ limits: { maxTextLength: 100 } });
    const { client } = await world.member(d, "alice");
    expect(await client.request({ type: "say", room: "general", text: "x".repeat(101), ref: "big" }, "ack", "error")).toMatchObject({
      type: "error",
      code: "too_large",
      ref: "big",
    });
    expect(await client.request({ type: "dm", to: "alice", text: "x".repeat(101), ref: "bigdm" }, "ack", "error")).toMatchObject({
      code: "too_large",
      ref: "bigdm",
    });
    const fits = await client.request({ type: "say", room: "general", text: "x".repeat(100), ref: "fits" }, "ack", "error");
    expect(fits).toMatchObject({ type: "ack", ref: "fits" });
    // The limit counts UTF-16 code units (an emoji beyond U+FFFF counts 2), and the message says so.
    const units = { code: "too_large", message: "text is longer than 100 UTF-16 code units" };
    expect(await client.request({ type: "say", room: "general", text: "😀".repeat(51), ref: "emoji" }, "ack", "error")).toMatchObject({ ...units, ref: "emoji" });
    expect(await client.request({ type: "edit", id: fits.id, text: "x".repeat(101), ref: "edit" }, "edited", "error")).toMatchObject({ ...units, ref: "edit" });
  });

  it("closes the connection with 1009 on a frame over limits.maxFrameBytes", async () => {
    const d = await world.daemon({ limits: { maxFrameBytes: 2048 } });
    const { client } = await world.member(d, "alice");
    // Just under the limit is fine.
    const fits = JSON.stringify({ type: "say", room: "general", text: "", ref: "f" });
    const ack = await client.request({ type: "say", room: "general", text: "y".repeat(2048 - fits.length), ref: "f" }, "ack", "error");
    expect(ack.type).toBe("ack");

    client.send({ type: "say", room: "general", text: "z".repeat(3000) });
    expect((await client.closed).code).toBe(1009);
  });

  it("closes the connection with 1003 on a binary frame", async () => {
    const d = await world.daemon();
    const { client } = await world.signIn(d, "alice");
    client.ws.send(Buffer.from(JSON.stringify({ type: "ping" })), { binary: true });
    expect(await client.closed).toEqual({ code: 1003, reason: "binary frames are not supported" });
  });

  it("closes the connection with 1007 on a text frame that is not UTF-8", async () => {
    const d = await world.daemon();
    const raw = await rawWebSocket(d.port);
    world.onCleanup(() => raw.socket.destroy());
    raw.sendFrame(0x1, Buffer.from([0xff, 0xfe]));
    expect(await raw.closeCode).toBe(1007);
  });

  it("refuses messages over the burst with rate_limited, counting say and dm together", async () => {
    const d = await world.daemon({ limits: { messageBurst: 3, messagesPerSecond: 0.5 } });
    const { client } = await world.member(d, "alice");
    await world.signIn(d, "bob");
    client.send({ type: "say", room: "general", text: "1", ref: 1 });
    client.send({ type: "dm", to: "bob", text: "2", ref: 2 });
    client.send({ type: "say", room: "general", text: "3", ref: 3 });
    client.send({ type: "say", room: "general", text: "4", ref: 4 });
    client.send({ type: "dm", to: "bob", text: "5", ref: 5 });
    const answers = [];
    while (answers.length < 5) {
      const f = await client.next();
      if (f.type === "ack" || f.type === "error") answers.push(f);
    }
    expect(answers.filter((a) => a.type === "ack").map((a) => a.ref).sort()).toEqual([1, 2, 3]);
    expect(answers.filter((a) => a.type === "error")).toEqual([
      expect.objectContaining({ code: "rate_limited", ref: 4 }),
      expect.objectContaining({ code: "rate_limited", ref: 5 }),
    ]);
    // The refused messages were not sent, and the connection is still fine.
    const history = await client.request({ type: "history", room: "general" }, "history");
    expect((history.messages as Array<{ text: string }>).map((m) => m.text)).toEqual(["1", "3"]);
  });

  it("answers malformed frames with bad_frame and unknown types with unknown_type, echoing the ref", async () => {
    const d = await world.daemon();
    const { client } = await world.member(d, "alice");
    const error = (frame: unknown) => {
      client.send(frame);
      return client.next("error");
    };
    expect(await error("this is not json")).toMatchObject({ code: "bad_frame" });
    expect(await error("[1,2,3]")).toMatchObject({ code: "bad_frame" });
    expect(await error({ ref: "no-type" })).toMatchObject({ code: "bad_frame", ref: "no-type" });
    expect(await error({ type: 42, ref: 3 })).toMatchObject({ code: "bad_frame", ref: 3 });
    expect(await error({ type: "say", room: "general", text: 12, ref: "t" })).toMatchObject({ code: "bad_frame", ref: "t" });
    expect(await error({ type: "say", room: "general", text: "   ", ref: "blank" })).toMatchObject({ code: "bad_frame", ref: "blank" });
    expect(await error({ type: "join", room: "general", since: "not-an-id" })).toMatchObject({ code: "bad_frame" });
    expect(await error({ type: "shout", text: "HI", ref: 9 })).toMatchObject({ type: "error", code: "unknown_type", ref: 9 });
    const unknownWithoutRef = await error({ type: "shout" });
    expect(unknownWithoutRef.code).toBe("unknown_type");
    expect(unknownWithoutRef).not.toHaveProperty("ref");
    // Unknown extra fields are ignored.
    expect(await client.request({ type: "ping", ref: "x", colour: "blue" }, "pong")).toEqual({ type: "pong", ref: "x" });
  });

  it("cuts off a client that does not read with 4001 once limits.maxBufferedBytes wait for it", async () => {
    const d = await world.daemon({
      limits: { maxBufferedBytes: 65536, maxTextLength: 100_000, maxFrameBytes: 1 << 20, messageBurst: 1000, messagesPerSecond: 1000 },
    });
    const { client: sleepy } = await world.member(d, "sleepy");
    const { client: loud } = await world.member(d, "loud");
    const socket = (sleepy.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    // Enough to fill the kernel's socket buffers and then some.
    const text = "x".repeat(90_000);
    for (let round = 0; d.daemon.chat!.hub.slowConsumersDropped === 0; round++) {
      if (round >= 40) throw new Error("never cut off");
      await say(loud, "general", Array.from({ length: 10 }, (_, i) => `${round}-${i} ${text}`));
    }
    socket.resume();
    expect(await sleepy.closed).toEqual({ code: 4001, reason: "slow consumer" });
    // The fast reader is fine.
    expect(await loud.request({ type: "ping", ref: "ok" }, "pong")).toMatchObject({ ref: "ok" });
  });

  it("cuts off with 4001 a client that keeps asking (history) and never reads, alone in its room", async () => {
    const d = await world.daemon({
      limits: { maxBufferedBytes: 65536, maxTextLength: 100_000, maxFrameBytes: 1 << 20, messageBurst: 1000, messagesPerSecond: 1000 },
    });
    const { client: asker } = await world.member(d, "asker", "quiet");
    await say(asker, "quiet", Array.from({ length: 5 }, (_, i) => `${i} ${"y".repeat(90_000)}`));
    const socket = (asker.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    // Each reply is ~450 KB; nobody else is in the room, so only the replies can fill the buffers.
    for (let round = 0; d.daemon.chat!.hub.slowConsumersDropped === 0; round++) {
      if (round >= 200) throw new Error("never cut off");
      asker.send({ type: "history", room: "quiet" });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    socket.resume();
    expect(await asker.closed).toEqual({ code: 4001, reason: "slow consumer" });
  });

  it("a message refused by the address's limit does not use up the connection's own allowance", async () => {
    const d = await world.daemon({ limits: { messageBurst: 2, messagesPerSecond: 0.001, ipMessageBurst: 1, ipMessagesPerSecond: 2 } });
    const { client } = await world.member(d, "steady");
    const answer = (ref: number) => client.request({ type: "say", room: "general", text: `m${ref}`, ref }, "ack", "error");
    expect(await answer(1)).toMatchObject({ type: "ack" });
    expect(await answer(2)).toMatchObject({ type: "error", code: "rate_limited" });
    await new Promise((resolve) => setTimeout(resolve, 600));
    // The address has room again; the connection has sent one message of its two.
    expect(await answer(3)).toMatchObject({ type: "ack" });
  });

  it("refuses the upgrade with 503 server_full at limits.maxConnections", async () => {
    const d = await world.daemon({ limits: { maxConnections: 1 } });
    await world.connect(d);
    await expect(world.connect(d)).rejects.toThrow("HTTP 503");
  });
});
