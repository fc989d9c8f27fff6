import { afterEach, describe, expect, it } from "vitest";
import type { Frame, TestClient } from "../../helpers/client.ts";
import { PASSWORD, World, settle } from "../../helpers/harness.ts";

/**
 * docs/protocol.md on the session, from the document alone: frames behind a
 * hello refused for its shape or name, token sign-ins, conversations and
 * their history, and search's scope.
 */

/** Every frame up to and including the pong answering `ref`. */
async function upToPong(client: TestClient, ref: string): Promise<Frame[]> {
  const out: Frame[] = [];
  for (;;) {
    const f = await client.next();
    out.push(f);
    if (f.type === "pong" && f.ref === ref) return out;
  }
}

describe("hello", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("refused for its shape or name: frames behind it get the answers they would get before any hello", async () => {
    const d = await world.daemon();
    for (const hello of [{ type: "hello", user: "no body", password: "correct-horse" }, { type: "hello", user: "alice" }]) {
      const client = await world.connect(d);
      client.send(hello);
      client.send({ type: "join", room: "general", ref: "j" });
      client.send({ type: "ping", ref: "p" });
      const answers = await upToPong(client, "p");
      expect(answers.map((f) => [f.type, f.code, f.ref])).toEqual([
        ["error", hello.user === "alice" ? "bad_frame" : "bad_name", undefined],
        ["error", "not_authenticated", "j"],
        ["pong", undefined, "p"],
      ]);
      // And the connection may still sign in.
      expect((await client.request({ type: "hello", user: "alice", password: "correct-horse" }, "welcome", "error")).type).toBe("welcome");
    }
  });

  it("refused for its name, a hello right behind it signs in, and the frames behind that wait for its welcome", async () => {
    const d = await world.daemon();
    const client = await world.connect(d);
    client.send({ type: "hello", user: "no body", password: "correct-horse" });
    client.send({ type: "hello", user: "alice", password: "correct-horse" });
    client.send({ type: "join", room: "general", ref: "j" });
    const answers = [await client.next(), await client.next(), await client.next()];
    expect(answers.map((f) => [f.type, f.code])).toEqual([
      ["error", "bad_name"],
      ["welcome", undefined],
      ["joined", undefined],
    ]);
  });

  it("a token of another user than the one named fails as a sign-in: frames held behind it are not_authenticated", async () => {
    const d = await world.daemon();
    const { welcome } = await world.signIn(d, "alice");
    await world.signIn(d, "bob");
    const client = await world.connect(d);
    client.send({ type: "hello", token: welcome.token, user: "bob" });
    client.send({ type: "ping", ref: "p" });
    const answers = [await client.next(), await client.next()];
    expect(answers.map((f) => [f.type, f.code, f.ref])).toEqual([
      ["error", "auth_failed", undefined],
      ["error", "not_authenticated", "p"],
    ]);
  });

  it("a token with a user beside it: the token's user in any spelling signs in; another name is auth_failed", async () => {
    const d = await world.daemon();
    const { welcome } = await world.signIn(d, "Alice");
    const ok = await world.connect(d);
    expect(await ok.request({ type: "hello", token: welcome.token, user: "ALICE" }, "welcome", "error")).toMatchObject({
      type: "welcome",
      user: "Alice",
      token: welcome.token,
      created: false,
    });
    await world.signIn(d, "bob");
    const other = await world.connect(d);
    expect(await other.request({ type: "hello", token: welcome.token, user: "bob" }, "welcome", "error")).toEqual({
      type: "error",
      code: "auth_failed",
      message: expect.any(String),
    });
    // A password sign-in, whatever token comes with it.
    expect(await other.request({ type: "hello", user: "bob", password: "correct-horse", token: "made-up" }, "welcome", "error")).toMatchObject({ type: "welcome", user: "bob" });
  });
});

describe("sign-in limits", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("a sign-in refused with too_many_sessions issues no resume token: 21 of them revoke none of the user's", async () => {
    const d = await world.daemon({ limits: { maxSessionsPerUser: 1 } });
    const { client, welcome } = await world.signIn(d, "alice");
    for (let i = 0; i < 21; i++) {
      const refused = await world.connect(d);
      expect(await refused.request({ type: "hello", user: "alice", password: PASSWORD }, "welcome", "error")).toMatchObject({ code: "too_many_sessions" });
      expect(await refused.closed).toEqual({ code: 1008, reason: "too many sessions" });
    }
    await client.close();
    expect((await world.resume(d, welcome.token)).welcome.token).toBe(welcome.token);
  });

  it("a wrong `old` in password backs off as a failed sign-in does, saying so: `too many failed sign-ins; try again in 1 s`", async () => {
    const d = await world.daemon();
    const { client } = await world.signIn(d, "alice");
    for (const ref of ["p1", "p2"]) {
      expect(await client.request({ type: "password", old: "not-the-password", new: "battery-staple", ref }, "error")).toMatchObject({ code: "auth_failed", ref });
    }
    expect(await client.request({ type: "password", old: PASSWORD, new: "battery-staple", ref: "p3" }, "error")).toEqual({
      type: "error",
      code: "rate_limited",
      message: "too many failed sign-ins; try again in 1 s",
      retryAfterMs: expect.any(Number),
      ref: "p3",
    });
  });
});

describe("conversations", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("dm_history: before and since together give those after since and older than before; with echoed as sent", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.signIn(d, "alice");
    await world.signIn(d, "bob");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      alice.send({ type: "dm", to: "bob", text: `m${i}`, ref: i });
      ids.push((await alice.next("dm")).id as string);
    }
    const both = await alice.request({ type: "dm_history", with: "BOB", since: ids[0], before: ids[4] }, "dm_history");
    expect(both.with).toBe("BOB");
    expect((both.messages as Frame[]).map((m) => m.text)).toEqual(["m1", "m2", "m3"]);
    expect(both.complete).toBe(true);
    // since: limit does not apply.
    const since = await alice.request({ type: "dm_history", with: "bob", since: ids[0], limit: 1 }, "dm_history");
    expect((since.messages as Frame[]).map((m) => m.text)).toEqual(["m1", "m2", "m3", "m4"]);
    // Without since: complete says whether the page reaches the oldest message kept.
    const page = await alice.request({ type: "dm_history", with: "bob", limit: 2 }, "dm_history");
    expect(page).toMatchObject({ complete: false });
    expect((page.messages as Frame[]).map((m) => m.text)).toEqual(["m3", "m4"]);
    const rest = await alice.request({ type: "dm_history", with: "bob", before: ids[2], limit: 2 }, "dm_history");
    expect(rest).toMatchObject({ complete: true });
    expect((rest.messages as Frame[]).map((m) => m.text)).toEqual(["m0", "m1"]);
    // A name with no account: an empty list, complete.
    expect(await alice.request({ type: "dm_history", with: "nobody", ref: "n" }, "dm_history")).toEqual({ type: "dm_history", with: "nobody", messages: [], complete: true });
  });

  it("history and dm_history give the newest 50 by default, oldest first", async () => {
    const d = await world.daemon({ limits: { messageBurst: 200, messagesPerSecond: 200 } });
    const { client: alice } = await world.member(d, "alice");
    await world.signIn(d, "bob");
    for (let i = 0; i < 60; i++) {
      alice.send({ type: "say", room: "general", text: `r${i}` });
      alice.send({ type: "dm", to: "bob", text: `d${i}` });
    }
    for (let i = 0; i < 120; i++) await alice.next("ack");
    const expected = (p: string) => Array.from({ length: 50 }, (_, i) => `${p}${i + 10}`);
    const history = await alice.request({ type: "history", room: "general" }, "history");
    expect(history.complete).toBe(false);
    expect((history.messages as Frame[]).map((m) => m.text)).toEqual(expected("r"));
    const dms = await alice.request({ type: "dm_history", with: "bob" }, "dm_history");
    expect(dms.complete).toBe(false);
    expect((dms.messages as Frame[]).map((m) => m.text)).toEqual(expected("d"));
  });

  it("dm_history since: complete is false when messages after it are no longer kept (limits.historyPerRoom)", async () => {
    const d = await world.daemon({ limits: { historyPerRoom: 3 } });
    const { client: alice } = await world.signIn(d, "alice");
    await world.signIn(d, "bob");
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      alice.send({ type: "dm", to: "bob", text: `m${i}`, ref: i });
      ids.push((await alice.next("dm")).id as string);
    }
    const lost = await alice.request({ type: "dm_history", with: "bob", since: ids[0] }, "dm_history");
    expect(lost).toMatchObject({ complete: false });
    expect((lost.messages as Frame[]).map((m) => m.text)).toEqual(["m3", "m4", "m5"]);
    const kept = await alice.request({ type: "dm_history", with: "bob", since: ids[2] }, "dm_history");
    expect(kept).toMatchObject({ complete: true });
    expect((kept.messages as Frame[]).map((m) => m.text)).toEqual(["m3", "m4", "m5"]);
    // A larger limit is capped at what is kept.
    const page = await alice.request({ type: "dm_history", with: "bob", limit: 1000 }, "dm_history");
    expect(page).toMatchObject({ complete: true });
    expect((page.messages as Frame[]).map((m) => m.text)).toEqual(["m3", "m4", "m5"]);
  });

  it("leave drops the room's read marker: joined again, lastRead is null", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice", "lab");
    alice.send({ type: "say", room: "lab", text: "read me", ref: 1 });
    const id = (await alice.next("message")).id as string;
    alice.send({ type: "read", room: "lab", id, ref: "r" });
    // The say's ack comes once durable: before or after the read's.
    const acks = [await alice.next("ack"), await alice.next("ack")];
    expect(acks.find((a) => a.ref === "r")).toEqual({ type: "ack", ref: "r", id, ts: expect.any(Number) });
    expect(await alice.request({ type: "join", room: "lab" }, "joined")).toMatchObject({ lastRead: id, unread: 0 });
    await alice.request({ type: "leave", room: "lab" }, "left");
    expect(await alice.request({ type: "join", room: "lab" }, "joined")).toMatchObject({ lastRead: null });
  });

  it("welcome lists conversations most recent first, with the other's display name, lastId and ts", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.signIn(d, "alice");
    await world.signIn(d, "Bob");
    await world.signIn(d, "Carol");
    let last: Frame | undefined;
    for (const to of ["bob", "carol", "BOB"]) {
      alice.send({ type: "dm", to, text: "hi", ref: to });
      last = await alice.next("dm");
      await alice.next("ack");
    }
    const { welcome } = await world.signIn(d, "alice");
    expect(welcome.conversations).toEqual([
      { with: "Bob", lastId: last!.id, ts: last!.ts },
      { with: "Carol", lastId: expect.any(String), ts: expect.any(Number) },
    ]);
    // Nothing unread by alice: her own messages do not count.
    expect(welcome.unread).toEqual([]);
  });
});

describe("search scope", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  async function search(client: TestClient, frame: Record<string, unknown>): Promise<Frame> {
    for (;;) {
      const r = await client.request({ type: "search", ...frame }, "results", "error");
      if (r.type === "results") return r;
      expect(r).toMatchObject({ code: "unavailable", retryAfterMs: expect.any(Number) });
      await new Promise((resolve) => setTimeout(resolve, r.retryAfterMs as number));
    }
  }

  it("room outside the scope gives no results, not an error; with narrows to the conversation and room is then ignored", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice", "lab");
    const { client: bob } = await world.member(d, "bob", "secretplans");
    bob.send({ type: "say", room: "secretplans", text: "zebra in plans", ref: 1 });
    await bob.next("ack");
    alice.send({ type: "say", room: "lab", text: "zebra in lab", ref: 1 });
    await alice.next("ack");
    alice.send({ type: "dm", to: "bob", text: "zebra by dm", ref: 2 });
    await alice.next("ack");
    await settle(alice);

    const outside = await search(alice, { q: "zebra", room: "secretplans", ref: "o" });
    expect(outside).toEqual({ type: "results", q: "zebra", messages: [], complete: true, ref: "o" });
    const unknown = await search(alice, { q: "zebra", room: "nowhere" });
    expect(unknown.messages).toEqual([]);
    const all = await search(alice, { q: "zebra" });
    expect((all.messages as Frame[]).map((m) => m.text)).toEqual(["zebra by dm", "zebra in lab"]);
    const withBob = await search(alice, { q: "zebra", with: "bob", room: "lab" });
    expect((withBob.messages as Frame[]).map((m) => [m.type, m.text])).toEqual([["dm", "zebra by dm"]]);
    const noWord = await search(alice, { q: "  !! " });
    expect(noWord).toMatchObject({ messages: [], complete: true });
  });
});
