import { afterEach, describe, expect, it } from "vitest";
import type { Frame } from "../helpers/client.ts";
import { World, PASSWORD, settle } from "../helpers/harness.ts";

describe("signing in", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("creates the account on the first sign-in and signs in to it on the second", async () => {
    const d = await world.daemon();
    const first = await world.signIn(d, "Alice");
    expect(first.welcome).toMatchObject({ type: "welcome", user: "Alice", created: true, rooms: ["general"] });
    expect(typeof first.welcome.token).toBe("string");
    expect(first.welcome.limits).toEqual({ maxTextLength: 4000, maxFrameBytes: 65536, historyOnJoin: 50 });

    // Names are compared case-insensitively; the first spelling stays the display name.
    const second = await world.signIn(d, "ALICE");
    expect(second.welcome).toMatchObject({ user: "Alice", created: false });
    expect(second.welcome.token).not.toBe(first.welcome.token);
  });

  it("creates a name once when two first sign-ins race for it", async () => {
    const d = await world.daemon();
    const [a, b, c] = await Promise.all([world.connect(d), world.connect(d), world.connect(d)]);
    a!.send({ type: "hello", user: "zed", password: PASSWORD });
    b!.send({ type: "hello", user: "ZED", password: PASSWORD });
    c!.send({ type: "hello", user: "zed", password: "another-password" });
    const answers = await Promise.all([a!, b!, c!].map((x) => x.next()));
    expect(answers.filter((f) => f.type === "welcome" && f.created === true)).toHaveLength(1);
    // The losers of the race are checked against the password that won.
    const [first, second, other] = answers as [Frame, Frame, Frame];
    if (other.type === "welcome") {
      expect([first, second]).toEqual([
        expect.objectContaining({ code: "auth_failed" }),
        expect.objectContaining({ code: "auth_failed" }),
      ]);
    } else {
      expect(other).toMatchObject({ type: "error", code: "auth_failed" });
      expect([first.type, second.type]).toEqual(["welcome", "welcome"]);
    }
  });

  it("answers a wrong password with auth_failed and keeps the connection usable", async () => {
    const d = await world.daemon();
    await world.signIn(d, "alice");
    const client = await world.connect(d);
    const refused = await client.request({ type: "hello", user: "alice", password: "wrong-password" }, "welcome", "error");
    expect(refused).toMatchObject({ type: "error", code: "auth_failed" });
    expect(await client.request({ type: "ping", ref: 1 }, "pong")).toEqual({ type: "pong", ref: 1 });

    const welcome = await client.request({ type: "hello", user: "alice", password: PASSWORD }, "welcome", "error");
    expect(welcome).toMatchObject({ type: "welcome", user: "alice", created: false });
  });

  it("resumes with a token: the same user, the same token, no password", async () => {
    const d = await world.daemon();
    const { welcome } = await world.signIn(d, "alice");
    const resumed = await world.resume(d, welcome.token);
    expect(resumed.welcome).toMatchObject({ type: "welcome", user: "alice", token: welcome.token, created: false });
  });

  it("refuses a made-up token with auth_failed", async () => {
    const d = await world.daemon();
    await world.signIn(d, "alice");
    const client = await world.connect(d);
    const answer = await client.request({ type: "hello", token: "YWxpY2U.not-a-real-secret" }, "welcome", "error");
    expect(answer).toMatchObject({ type: "error", code: "auth_failed" });
  });

  it("signs out: logout closes with 1000 and revokes the token", async () => {
    const d = await world.daemon();
    const { client, welcome } = await world.signIn(d, "alice");
    // Another token of the same user is not affected.
    const other = await world.signIn(d, "alice");

    client.send({ type: "logout" });
    expect(await client.closed).toEqual({ code: 1000, reason: "signed out" });

    const retry = await world.connect(d);
    const answer = await retry.request({ type: "hello", token: welcome.token }, "welcome", "error");
    expect(answer).toMatchObject({ type: "error", code: "auth_failed" });
    expect((await world.resume(d, other.welcome.token)).welcome.user).toBe("alice");
  });

  it("refuses names that break the naming rule with bad_name", async () => {
    const d = await world.daemon();
    const client = await world.connect(d);
    for (const user of ["has space", "dot.name", "-dash-first", "con", "x".repeat(33)]) {
      const answer = await client.request({ type: "hello", user, password: PASSWORD }, "welcome", "error");
      expect(answer, user).toMatchObject({ type: "error", code: "bad_name" });
    }
  });

  it("refuses short passwords for new accounts and passwords over 72 bytes with bad_password", async () => {
    const d = await world.daemon();
    const client = await world.connect(d);
    const short = await client.request({ type: "hello", user: "alice", password: "short" }, "welcome", "error");
    expect(short).toMatchObject({ type: "error", code: "bad_password" });
    const long = await client.request({ type: "hello", user: "alice", password: "é".repeat(37) }, "welcome", "error");
    expect(long).toMatchObject({ type: "error", code: "bad_password" });
    // Nothing was created by the refused attempts.
    const ok = await client.request({ type: "hello", user: "alice", password: PASSWORD }, "welcome", "error");
    expect(ok).toMatchObject({ type: "welcome", created: true });
  });

  it("answers a hello with neither password nor token with bad_frame", async () => {
    const d = await world.daemon();
    const client = await world.connect(d);
    const answer = await client.request({ type: "hello", user: "alice" }, "welcome", "error");
    expect(answer).toMatchObject({ type: "error", code: "bad_frame" });
  });

  it("answers requests before hello with not_authenticated, echoing the ref", async () => {
    const d = await world.daemon();
    const client = await world.connect(d);
    expect(await client.request({ type: "join", room: "general" }, "joined", "error")).toMatchObject({ code: "not_authenticated" });
    expect(await client.request({ type: "say", room: "general", text: "hi", ref: "r1" }, "ack", "error")).toMatchObject({
      code: "not_authenticated",
      ref: "r1",
    });
    expect(await client.request({ type: "rooms" }, "rooms", "error")).toMatchObject({ code: "not_authenticated" });
  });

  it("answers ping before sign-in", async () => {
    const d = await world.daemon();
    const client = await world.connect(d);
    expect(await client.request({ type: "ping", ref: "before" }, "pong")).toEqual({ type: "pong", ref: "before" });
    expect(await client.request({ type: "ping" }, "pong")).toEqual({ type: "pong" });
  });

  it("runs join and say pipelined right behind hello once signed in", async () => {
    const d = await world.daemon();
    const client = await world.connect(d);
    client.send({ type: "hello", user: "alice", password: PASSWORD });
    client.send({ type: "join", room: "general" });
    client.send({ type: "say", room: "general", text: "first words", ref: "p1" });

    expect(await client.next()).toMatchObject({ type: "welcome", user: "alice" });
    expect(await client.next()).toMatchObject({ type: "joined", room: "general", members: ["alice"] });
    const rest = [await client.next(), await client.next()];
    const ack = rest.find((f) => f.type === "ack");
    const message = rest.find((f) => f.type === "message");
    expect(ack).toMatchObject({ ref: "p1" });
    expect(message).toMatchObject({ room: "general", from: "alice", text: "first words", id: ack?.id });
  });

  it("holds up to 32 frames behind hello and refuses the rest with not_authenticated", async () => {
    const d = await world.daemon();
    const client = await world.connect(d);
    client.send({ type: "hello", user: "alice", password: PASSWORD });
    for (let i = 0; i < 33; i++) client.send({ type: "say", room: "nowhere", text: `${i}`, ref: i });
    const answers = [];
    while (answers.length < 33) {
      const f = await client.next();
      if (f.type === "error") answers.push(f);
    }
    // Held frames run after the welcome (not_in_room: they never joined); the 33rd was not held.
    expect(answers.filter((a) => a.code === "not_authenticated").map((a) => a.ref)).toEqual([32]);
    expect(answers.filter((a) => a.code === "not_in_room").map((a) => a.ref)).toEqual([...Array(32).keys()]);
    expect(client.frames.findIndex((f) => f.type === "welcome")).toBeGreaterThan(-1);
  });

  it("answers frames pipelined behind a failed hello with not_authenticated", async () => {
    const d = await world.daemon();
    await world.signIn(d, "alice");
    const client = await world.connect(d);
    client.send({ type: "hello", user: "alice", password: "wrong-password" });
    client.send({ type: "say", room: "general", text: "never", ref: "q1" });
    expect(await client.next()).toMatchObject({ type: "error", code: "auth_failed" });
    expect(await client.next()).toMatchObject({ type: "error", code: "not_authenticated", ref: "q1" });
  });

  it("answers a second hello with already_authenticated", async () => {
    const d = await world.daemon();
    const { client } = await world.signIn(d, "alice");
    const answer = await client.request({ type: "hello", user: "alice", password: PASSWORD }, "welcome", "error");
    expect(answer).toMatchObject({ type: "error", code: "already_authenticated" });
    expect(await settle(client)).toEqual([]);
  });

  it("closes a connection that does not sign in in time with 1008", async () => {
    const d = await world.daemon({ limits: { authTimeoutMs: 300 } });
    const idle = await world.connect(d);
    // A failed attempt does not extend the deadline.
    const trying = await world.connect(d);
    await world.signIn(d, "alice");
    trying.send({ type: "hello", user: "alice", password: "wrong-password" });
    const started = Date.now();

    expect(await idle.closed).toEqual({ code: 1008, reason: "authentication timeout" });
    expect(idle.frames).toContainEqual(expect.objectContaining({ type: "error", code: "not_authenticated" }));
    expect(await trying.closed).toMatchObject({ code: 1008 });
    expect(Date.now() - started).toBeLessThan(2000);

    // A signed-in connection is not affected by the deadline.
    const { client } = await world.signIn(d, "bob");
    await new Promise((r) => setTimeout(r, 400));
    expect(await client.request({ type: "ping", ref: 2 }, "pong")).toEqual({ type: "pong", ref: 2 });
  });

  it("with registration closed, refuses new names and still signs in existing accounts", async () => {
    const open = await world.daemon();
    await world.signIn(open, "alice");
    await open.close({ keepData: true });

    const closed = await world.daemon({ registration: "closed" }, { dataDir: open.dataDir });
    const client = await world.connect(closed);
    const answer = await client.request({ type: "hello", user: "mallory", password: PASSWORD }, "welcome", "error");
    // The same answer as a wrong password: no hint that the name is free.
    expect(answer).toMatchObject({ type: "error", code: "auth_failed" });
    const welcome = await client.request({ type: "hello", user: "alice", password: PASSWORD }, "welcome", "error");
    expect(welcome).toMatchObject({ type: "welcome", user: "alice", created: false });
  });
});
