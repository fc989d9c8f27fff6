import { afterEach, describe, expect, it } from "vitest";
import type { Frame, TestClient } from "../../helpers/client.ts";
import { World, settle } from "../../helpers/harness.ts";

/**
 * docs/protocol.md, from the document alone: which answers echo `ref`, how ids
 * that name no message are answered, and the bounds of `leave` and `topic`.
 */

/** Sends `frame` and returns every frame that came back before a ping behind it was answered. */
async function answersTo(client: TestClient, frame: unknown): Promise<Frame[]> {
  client.send(frame);
  return settle(client);
}

/** The one error among the answers to `frame`. */
async function errorFor(client: TestClient, frame: unknown): Promise<Frame> {
  const errors = (await answersTo(client, frame)).filter((f) => f.type === "error");
  expect(errors, JSON.stringify(frame)).toHaveLength(1);
  return errors[0]!;
}

describe("ref", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("is copied into the errors of join, leave, history and dm_history, never into joined, left, history or dm_history", async () => {
    const d = await world.daemon();
    const { client } = await world.signIn(d, "alice");
    expect(await errorFor(client, { type: "join", room: "no room", ref: "j1" })).toMatchObject({ code: "bad_name", ref: "j1" });
    expect(await errorFor(client, { type: "join", room: "general", since: "abc", ref: "j2" })).toMatchObject({ code: "bad_frame", ref: "j2" });
    expect(await errorFor(client, { type: "leave", room: "elsewhere", ref: "l1" })).toMatchObject({ code: "not_in_room", ref: "l1" });
    expect(await errorFor(client, { type: "history", room: "elsewhere", ref: 5 })).toMatchObject({ code: "not_in_room", ref: 5 });
    expect(await errorFor(client, { type: "dm_history", with: "bob", since: "x", ref: "d1" })).toMatchObject({ code: "bad_frame", ref: "d1" });

    const answers = [
      ...(await answersTo(client, { type: "join", room: "general", ref: "j3" })),
      ...(await answersTo(client, { type: "history", room: "general", ref: "h1" })),
      ...(await answersTo(client, { type: "dm_history", with: "bob", ref: "d2" })),
      ...(await answersTo(client, { type: "leave", room: "general", ref: "l2" })),
    ];
    expect(answers.map((f) => f.type)).toEqual(["joined", "history", "dm_history", "left"]);
    for (const f of answers) expect(f, f.type).not.toHaveProperty("ref");
  });

  it("of a tags frame is copied into its ack and its errors", async () => {
    const d = await world.daemon();
    const { client } = await world.member(d, "alice");
    const ack = (await answersTo(client, { type: "tags", room: "general", tags: { "+x": "1" }, ref: "t1" })).find((f) => f.type === "ack");
    expect(ack).toMatchObject({ type: "ack", ref: "t1", id: expect.any(String), ts: expect.any(Number) });
    expect(await errorFor(client, { type: "tags", room: "elsewhere", tags: { "+x": "1" }, ref: "t2" })).toMatchObject({ code: "not_in_room", ref: "t2" });
  });

  it("null, an object or a string over 64 characters makes the frame a bad_frame answered without a ref", async () => {
    const d = await world.daemon();
    const { client } = await world.signIn(d, "alice");
    for (const ref of [null, { a: 1 }, "r".repeat(65)]) {
      const error = await errorFor(client, { type: "ping", ref });
      expect(error.code).toBe("bad_frame");
      expect(error).not.toHaveProperty("ref");
    }
    expect(await answersTo(client, { type: "ping", ref: "r".repeat(64) })).toEqual([{ type: "pong", ref: "r".repeat(64) }]);
  });

  it("errors answering typing carry no ref, a rate_limited one its retryAfterMs", async () => {
    const d = await world.daemon({ limits: { typingBurst: 1, typingPerSecond: 0.01 } });
    const { client } = await world.member(d, "alice");
    const notIn = await errorFor(client, { type: "typing", room: "elsewhere", ref: "x" });
    expect(notIn).toEqual({ type: "error", code: "not_in_room", message: expect.any(String) });
    client.send({ type: "typing", room: "general", ref: "y" });
    const limited = await errorFor(client, { type: "typing", room: "general", ref: "z" });
    expect(limited).toEqual({ type: "error", code: "rate_limited", message: expect.any(String), retryAfterMs: expect.any(Number) });
    expect(limited.retryAfterMs).toBeGreaterThanOrEqual(1);
  });
});

describe("ids that name no message", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  // "`not_found`: `edit`, `delete` or `react` of a message id that does not exist (a malformed id included) ...;
  // a `replyTo` that is not a message of the same room or conversation (a malformed id included)".
  const malformed = ["", "nope", "1764100000000", "x".repeat(41), "1764100000000-000003-1764100000000-000003"];

  it("edit, delete and react of a malformed id are not_found, with the ref", async () => {
    const d = await world.daemon({ limits: { messageBurst: 100, messagesPerSecond: 100 } });
    const { client } = await world.member(d, "alice");
    for (const id of malformed) {
      expect(await errorFor(client, { type: "edit", id, text: "x", ref: "e" })).toMatchObject({ code: "not_found", ref: "e" });
      expect(await errorFor(client, { type: "delete", id, ref: "d" })).toMatchObject({ code: "not_found", ref: "d" });
      expect(await errorFor(client, { type: "react", id, emoji: "👍", ref: "r" })).toMatchObject({ code: "not_found", ref: "r" });
    }
  });

  it("a replyTo that is malformed is not_found in a room and in a conversation, and nothing is sent", async () => {
    const d = await world.daemon({ limits: { messageBurst: 100, messagesPerSecond: 100 } });
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    await settle(alice);
    for (const replyTo of malformed) {
      expect(await errorFor(alice, { type: "say", room: "general", text: "re", replyTo, ref: "s" })).toMatchObject({ code: "not_found", ref: "s" });
      expect(await errorFor(alice, { type: "dm", to: "bob", text: "re", replyTo, ref: "m" })).toMatchObject({ code: "not_found", ref: "m" });
    }
    expect((await settle(bob)).filter((f) => f.type === "message" || f.type === "dm")).toEqual([]);
    // The connection still works.
    alice.send({ type: "say", room: "general", text: "after", ref: "ok" });
    expect(await alice.next("ack")).toMatchObject({ ref: "ok" });
  });
});

describe("bounds of leave and topic", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("a leave reason of at most 300 characters (code points: 300 emoji) reaches the others' presence; a longer one is bad_frame and the user stays", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    expect(await alice.next("presence")).toMatchObject({ user: "bob", event: "join" });
    expect(await errorFor(bob, { type: "leave", room: "general", reason: "x".repeat(301), ref: "l" })).toMatchObject({ code: "bad_frame", ref: "l" });
    expect(await errorFor(bob, { type: "leave", room: "general", reason: "😀".repeat(301), ref: "l2" })).toMatchObject({ code: "bad_frame", ref: "l2" });
    bob.send({ type: "say", room: "general", text: "still here", ref: "s" });
    expect(await bob.next("ack")).toMatchObject({ ref: "s" });
    // 300 emoji are 600 UTF-16 code units: still 300 characters.
    expect(await bob.request({ type: "leave", room: "general", reason: "😀".repeat(300) }, "left", "error")).toEqual({ type: "left", room: "general" });
    expect(await alice.next("presence")).toEqual({ type: "presence", room: "general", user: "bob", event: "leave", reason: "😀".repeat(300) });
  });

  it("a topic is trimmed of surrounding white space and then holds at most 300 characters (code points)", async () => {
    const d = await world.daemon();
    const { client } = await world.member(d, "alice");
    const padded = `  ${"t".repeat(300)}\n`;
    client.send({ type: "topic", room: "general", text: padded, ref: "t1" });
    expect(await client.next("topic")).toMatchObject({ room: "general", text: "t".repeat(300), by: "alice" });
    expect(await client.next("ack")).toMatchObject({ ref: "t1" });
    // 300 astral characters are 600 UTF-16 code units: still 300 characters.
    client.send({ type: "topic", room: "general", text: "😀".repeat(300), ref: "t2" });
    expect(await client.next("topic")).toMatchObject({ text: "😀".repeat(300) });
    expect(await errorFor(client, { type: "topic", room: "general", text: "t".repeat(301), ref: "t3" })).toMatchObject({ code: "too_large", ref: "t3" });
    const joined = await client.request({ type: "join", room: "general" }, "joined");
    expect(joined.topic).toBe("😀".repeat(300));
  });
});

describe("bad_frame, as the error table lists it", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("answers each listed case with bad_frame and its ref, and the connection stays usable", async () => {
    const d = await world.daemon();
    const { client: mod } = await world.signIn(d, "mod");
    const role = await d.http("/admin/role", { method: "PUT", admin: true, body: JSON.stringify({ user: "mod", role: "moderator" }) });
    expect(role.status).toBe(200);
    await world.signIn(d, "bob");
    const { client } = await world.member(d, "alice", "lab");
    const cases: Array<[TestClient, Record<string, unknown>]> = [
      [client, { type: "search", q: "x", before: "yesterday" }],
      [client, { type: "search", q: "x".repeat(501) }],
      [client, { type: "search", q: "😀".repeat(501) }],
      [client, { type: "search", q: "x", limit: 0 }],
      [client, { type: "history", room: "lab", limit: 1.5 }],
      [client, { type: "dm_history", with: "bob", limit: "5" }],
      [client, { type: "rooms", limit: 0 }],
      [client, { type: "rooms", query: "q".repeat(101) }],
      [client, { type: "rooms", after: "a".repeat(201) }],
      [client, { type: "mode", room: "lab", mode: "voice", on: true }],
      [client, { type: "mode", room: "lab", mode: "topicLock", on: true, user: "bob" }],
      [client, { type: "mode", room: "lab", mode: "ban", on: true }],
      [client, { type: "read", room: "lab", with: "bob", id: "1764100000000-000003" }],
      [client, { type: "read", id: "1764100000000-000003" }],
      [client, { type: "read", room: "lab", id: "1764100000000" }],
      [client, { type: "tags", room: "lab", tags: {} }],
      [client, { type: "tags", room: "lab", tags: { x: "no plus" } }],
      [client, { type: "say", room: "lab", text: "x", notice: false }],
      [client, { type: "say", room: "lab", files: [] }],
      [mod, { type: "kick", user: "bob", reason: "r".repeat(501) }],
      [mod, { type: "kick", user: "bob", reason: "😀".repeat(501) }],
      [mod, { type: "mute", user: "bob", room: "lab", minutes: 0 }],
      [mod, { type: "mute", user: "bob", room: "lab", minutes: 525_601 }],
    ];
    let n = 0;
    for (const [who, frame] of cases) {
      const ref = `b${++n}`;
      expect(await errorFor(who, { ...frame, ref }), JSON.stringify(frame)).toMatchObject({ code: "bad_frame", ref });
    }
    // Just inside the bounds is fine.
    expect((await answersTo(client, { type: "rooms", query: "q".repeat(100), after: "a".repeat(200), ref: "r" }))[0]).toEqual({ type: "rooms", rooms: [], ref: "r" });
    const muted = await answersTo(mod, { type: "mute", user: "bob", room: "lab", minutes: 525_600, ref: "m" });
    expect(muted).toEqual([expect.objectContaining({ type: "moderated", action: "mute", user: "bob", ref: "m" })]);
  });
});
