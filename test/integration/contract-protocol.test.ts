import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { refusedUpgrade, type Frame, type TestClient } from "../helpers/client.ts";
import { ADMIN_TOKEN } from "../helpers/daemon.ts";
import { PASSWORD, World, settle } from "../helpers/harness.ts";
import { ROOT } from "../helpers/process.ts";

/**
 * Black-box checks of docs/protocol.md, written from the document: every
 * server frame's example is parsed out of the document and the server's real
 * frames must have the same fields, of the same JSON types.
 */

type Shape = string | { [k: string]: Shape } | Shape[];

/** JSON examples of docs/protocol.md, by section: `client` or `server`, keyed by frame type. */
function docExamples(): { client: Map<string, Frame[]>; server: Map<string, Frame[]> } {
  const doc = readFileSync(`${ROOT}/docs/protocol.md`, "utf8");
  const split = doc.indexOf("## Server → client");
  const end = doc.indexOf("## Close codes");
  const parse = (text: string) => {
    const out = new Map<string, Frame[]>();
    for (const [, block] of text.matchAll(/```json\n([\s\S]*?)```/g)) {
      let frames: Frame[];
      try {
        frames = [JSON.parse(block!) as Frame];
      } catch {
        // Several examples, one a line; or one example over several lines joined by a leading space.
        frames = block!
          .replace(/\n /g, " ")
          .split("\n")
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l) as Frame);
      }
      for (const f of frames) out.set(f.type, [...(out.get(f.type) ?? []), f]);
    }
    return out;
  };
  return { client: parse(doc.slice(0, split)), server: parse(doc.slice(split, end)) };
}

function shapeOf(value: unknown): Shape {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (value === null) return "null";
  if (typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, shapeOf(v)]),
    );
  }
  return typeof value;
}

/** The example's shape, with empty arrays in `actual` taken as matching any element shape. */
function expectSameShape(actual: unknown, example: unknown, omit: string[] = []): void {
  const strip = (v: unknown) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
    const copy = { ...(v as Record<string, unknown>) };
    for (const k of omit) delete copy[k];
    return copy;
  };
  const a = shapeOf(strip(actual));
  const e = shapeOf(strip(example));
  const relax = (x: Shape, y: Shape): Shape => {
    if (Array.isArray(x) && Array.isArray(y)) return x.length === 0 || y.length === 0 ? [] : [relax(x[0]!, y[0]!)];
    if (typeof x === "object" && typeof y === "object" && !Array.isArray(x) && !Array.isArray(y)) {
      return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, k in y ? relax(v, y[k]!) : v]));
    }
    return x;
  };
  expect(relax(a, e)).toEqual(relax(e, a));
}

const examples = docExamples();
const example = (type: string, i = 0) => {
  const e = examples.server.get(type)?.[i];
  if (!e) throw new Error(`no example of ${type} in docs/protocol.md`);
  return e;
};

const adminPost = (body: unknown, method = "POST") => ({ method, body: JSON.stringify(body), admin: true }) as const;

async function errorFor(client: TestClient, frame: unknown): Promise<Frame> {
  client.send(frame);
  for (;;) {
    const f = await client.next();
    if (f.type === "error") return f;
    if (!["presence", "typing", "notice", "message"].includes(f.type)) throw new Error(`expected an error, got ${JSON.stringify(f)}`);
  }
}

describe("docs/protocol.md examples", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("has parseable examples of every client and server frame", () => {
    for (const t of ["hello", "join", "leave", "say", "history", "dm", "dm_history", "rooms", "typing", "ping", "logout", "kick", "mute", "unmute"]) {
      expect(examples.client.has(t), t).toBe(true);
    }
    for (const t of ["welcome", "joined", "presence", "left", "message", "ack", "history", "dm", "dm_history", "rooms", "typing", "notice", "moderated", "pong", "error"]) {
      expect(examples.server.has(t), t).toBe(true);
    }
  });

  it("the server's frames have exactly the fields, and field types, of the examples", async () => {
    const d = await world.daemon({ motd: "Be kind", welcome: "Pick a name", rooms: ["general", "random"] });
    const alice = await world.connect(d);
    const welcome = await alice.request(examples.client.get("hello")![0]!, "welcome", "error");
    // The client example of `hello` itself must work as written.
    expect(welcome.type).toBe("welcome");
    expectSameShape(welcome, example("welcome"));
    expect(welcome).toMatchObject({ user: "alice", motd: "Be kind", rooms: ["general", "random"], created: true });
    expect(welcome.server).toEqual({ name: "chatd", welcome: "Pick a name", version: expect.any(String) });
    expect(welcome.limits).toEqual({ maxTextLength: 4000, maxFrameBytes: 65536, historyOnJoin: 50 });

    const { client: bob } = await world.member(d, "bob");
    const joined = await alice.request({ type: "join", room: "general" }, "joined");
    expectSameShape(joined, example("joined"), ["topic", "lastRead"]);
    expect(joined.members).toEqual(["alice", "bob"]);
    expect(await bob.next("presence")).toEqual({ type: "presence", room: "general", user: "alice", event: "join" });

    // say exactly as the document writes it: ref "c1".
    alice.send(examples.client.get("say")![0]);
    const frames = [await alice.next(), await alice.next()];
    const ack = frames.find((f) => f.type === "ack")!;
    const message = frames.find((f) => f.type === "message")!;
    expectSameShape(ack, example("ack"));
    expect(ack.ref).toBe("c1");
    expectSameShape(message, example("message"));
    expect(message).toMatchObject({ id: ack.id, room: "general", from: "alice", text: "hello, world", ts: ack.ts });
    expect(message.id).toMatch(/^\d{13}-\d{6}$/);
    expect(await bob.next("message")).toEqual(message);

    const history = await alice.request({ type: "history", room: "general" }, "history");
    expectSameShape(history, example("history"));
    expect(history).toEqual({ type: "history", room: "general", messages: [message], complete: true });

    alice.send(examples.client.get("dm")![0]);
    const dmFrames = [await alice.next(), await alice.next()];
    const dm = dmFrames.find((f) => f.type === "dm")!;
    expectSameShape(dm, example("dm"));
    expect(dmFrames.find((f) => f.type === "ack")).toMatchObject({ ref: 7, id: dm.id });
    expect(await bob.next("dm")).toEqual(dm);

    const dmHistory = await alice.request(examples.client.get("dm_history")![0]!, "dm_history");
    expectSameShape(dmHistory, example("dm_history"));
    expect(dmHistory).toEqual({ type: "dm_history", with: "bob", messages: [dm], complete: true });

    const rooms = await alice.request({ type: "rooms" }, "rooms");
    expectSameShape(rooms, example("rooms"), ["next"]);
    expect(rooms.rooms).toEqual([
      { name: "general", members: 2 },
      { name: "random", members: 0 },
    ]);

    alice.send({ type: "typing", room: "general" });
    const typing = await bob.next("typing");
    expectSameShape(typing, example("typing"));
    expect(typing).toEqual({ type: "typing", room: "general", user: "alice" });

    const pong = await alice.request({ type: "ping", ref: 1 }, "pong");
    expect(pong).toEqual(example("pong"));

    const error = await errorFor(alice, { type: "say", room: "elsewhere", text: "x", ref: "c1" });
    expectSameShape(error, example("error"));
    expect(error).toMatchObject({ code: "not_in_room", ref: "c1" });

    const left = await alice.request({ type: "leave", room: "general" }, "left");
    expect(left).toEqual(example("left"));
    expect(await bob.next("presence")).toEqual({ type: "presence", room: "general", user: "alice", event: "leave" });

    await d.http("/admin/broadcast", adminPost({ text: "Maintenance at 22:00 UTC" }));
    const notice = await alice.next("notice");
    expectSameShape(notice, example("notice"));
    expect(notice).toMatchObject({ kind: "broadcast", text: "Maintenance at 22:00 UTC" });
  });

  it("the moderation examples work as written and answer `moderated` frames shaped like the examples", async () => {
    const d = await world.daemon();
    const { client: mod } = await world.signIn(d, "alice");
    const { client: mallory } = await world.member(d, "mallory");
    const role = await d.http("/admin/role", adminPost({ user: "alice", role: "moderator" }, "PUT"));
    expect(await role.json()).toEqual({ user: "alice", role: "moderator" });

    const [kick, mute, unmute] = examples.client.get("kick")!.concat(examples.client.get("mute")!, examples.client.get("unmute")!);
    const muted = await mod.request(mute!, "moderated", "error");
    expectSameShape(muted, example("moderated", 0));
    expect(muted).toMatchObject({ action: "mute", user: "mallory", room: "general", ref: 2 });
    expect(muted.until).toBeGreaterThan(Date.now() + 9 * 60_000);
    expect(await mallory.next("notice")).toMatchObject({ kind: "mute" });
    expect(await errorFor(mallory, { type: "say", room: "general", text: "spam", ref: "m" })).toMatchObject({ code: "muted", ref: "m" });

    const unmuted = await mod.request(unmute!, "moderated", "error");
    expectSameShape(unmuted, example("moderated", 2));
    expect(unmuted).toEqual({ type: "moderated", action: "unmute", user: "mallory", room: "general", ref: 3 });
    mallory.send({ type: "say", room: "general", text: "back", ref: "b" });
    expect(await mallory.next("ack")).toMatchObject({ ref: "b" });

    const kicked = await mod.request(kick!, "moderated", "error");
    expectSameShape(kicked, example("moderated", 1));
    expect(kicked).toEqual({ type: "moderated", action: "kick", user: "mallory", sessions: 1, ref: 1 });
    expect(await mallory.next("notice")).toMatchObject({ kind: "kick", text: "cool off" });
    expect(await mallory.closed).toEqual({ code: 4000, reason: "kicked" });
  });
});

describe("protocol details", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("answers frames in the order they were sent: pings and bad frames behind a hello, and while signed in", async () => {
    const d = await world.daemon();
    const c = await world.connect(d);
    // Back to back, without waiting: the ping and the bad frame wait their turn behind the hello.
    c.send({ type: "hello", user: "ordered", password: PASSWORD });
    c.send({ type: "join", room: "general", ref: "j" });
    c.send({ type: "ping", ref: "p1" });
    c.send("this is not json");
    c.send({ type: "shout", ref: "u1" });
    c.send({ type: "say", room: "general", text: "hello", ref: "s" });
    // The ack waits for the message to be durable (see `say`); every other answer keeps its place.
    const first: Frame[] = [];
    while (first.at(-1)?.type !== "ack") first.push(await c.next());
    expect(first.filter((f) => f.type !== "message").map((f) => [f.type, f.code ?? f.ref ?? f.room ?? ""])).toEqual([
      ["welcome", ""],
      ["joined", "general"],
      ["pong", "p1"],
      ["error", "bad_frame"],
      ["error", "unknown_type"],
      ["ack", "s"],
    ]);
    // Signed in: a frame that fails to decode is answered after the requests sent before it.
    c.send({ type: "dm", to: "ordered", text: "note to self", ref: "d1" });
    c.send({ type: "dm", to: "nobodyatall", text: "?", ref: "d2" });
    c.send({ type: "join", room: 5, ref: "bf" });
    c.send({ type: "ping", ref: "p2" });
    const second = (await settle(c)).filter((f) => f.type !== "dm" && f.type !== "ack");
    expect(second.map((f) => [f.type, f.ref])).toEqual([
      ["error", "d2"],
      ["error", "bf"],
      ["pong", "p2"],
    ]);
  });

  it("answers frames held behind a hello that fails in order, each not_authenticated or its own decode error", async () => {
    const d = await world.daemon();
    await world.signIn(d, "taken");
    const c = await world.connect(d);
    c.send({ type: "hello", user: "taken", password: "wrong-password" });
    c.send({ type: "join", room: "general", ref: "j" });
    c.send({ type: "ping", ref: "p" });
    c.send({ type: "nope", ref: "n" });
    const frames = [await c.next(), await c.next(), await c.next(), await c.next()];
    expect(frames.map((f) => [f.type, f.code, f.ref])).toEqual([
      ["error", "auth_failed", undefined],
      ["error", "not_authenticated", "j"],
      ["error", "not_authenticated", "p"],
      ["error", "unknown_type", "n"],
    ]);
  });

  it("answers a ping without ref with a pong without ref, before and after sign-in", async () => {
    const d = await world.daemon();
    const c = await world.connect(d);
    expect(await c.request({ type: "ping" }, "pong")).toEqual({ type: "pong" });
    expect(await c.request({ type: "ping", ref: "x".repeat(64) }, "pong")).toEqual({ type: "pong", ref: "x".repeat(64) });
    await c.request({ type: "hello", user: "alice", password: PASSWORD }, "welcome");
    expect(await c.request({ type: "ping" }, "pong")).toEqual({ type: "pong" });
  });

  it("acks without a ref field when the say had none, and echoes a numeric ref as a number", async () => {
    const d = await world.daemon();
    const { client } = await world.member(d, "alice");
    client.send({ type: "say", room: "general", text: "no ref" });
    const ack = await client.next("ack");
    expect(Object.keys(ack).sort()).toEqual(["id", "ts", "type"]);
    client.send({ type: "say", room: "general", text: "num", ref: 42 });
    expect(await client.next("ack")).toMatchObject({ ref: 42 });
  });

  it("ignores fields it does not know on input", async () => {
    const d = await world.daemon();
    const c = await world.connect(d);
    expect(await c.request({ type: "hello", user: "alice", password: PASSWORD, client: "my-app/1.0" }, "welcome", "error")).toMatchObject({ type: "welcome" });
    expect(await c.request({ type: "join", room: "general", extra: { a: 1 } }, "joined", "error")).toMatchObject({ type: "joined" });
    c.send({ type: "say", room: "general", text: "hi", ref: "r", colour: "blue" });
    expect(await c.next("ack")).toMatchObject({ ref: "r" });
  });

  it("names: NFKC and case-insensitive accounts keep the first spelling; rooms are lower-cased", async () => {
    const d = await world.daemon();
    const { welcome } = await world.signIn(d, "Alice");
    expect(welcome).toMatchObject({ user: "Alice", created: true });
    for (const spelling of ["ALICE", "alice", "ａｌｉｃｅ"]) {
      const { welcome: w } = await world.signIn(d, spelling);
      expect(w).toMatchObject({ user: "Alice", created: false });
    }
    const c = await world.connect(d);
    await c.request({ type: "hello", user: "bob", password: PASSWORD }, "welcome");
    expect(await c.request({ type: "join", room: "General" }, "joined")).toMatchObject({ room: "general" });
  });

  it("answers every name that breaks the rule with bad_name, however long or short", async () => {
    const d = await world.daemon();
    const bad = ["a b", "a.b", "a/b", "_abc", "-abc", "con", "NUL", "lpt5", "x".repeat(33), "y".repeat(100), "z".repeat(300), "", "a\u202eb"];
    const c = await world.connect(d);
    for (const user of bad) {
      expect(await errorFor(c, { type: "hello", user, password: PASSWORD }), JSON.stringify(user)).toMatchObject({ code: "bad_name" });
    }
    await c.request({ type: "hello", user: "alice", password: PASSWORD }, "welcome");
    for (const room of bad) {
      expect(await errorFor(c, { type: "join", room, ref: 1 }), JSON.stringify(room)).toMatchObject({ code: "bad_name", ref: 1 });
    }
    // 32 characters is fine.
    expect(await c.request({ type: "join", room: "r".repeat(32) }, "joined", "error")).toMatchObject({ type: "joined" });
  });

  it("answers a dm, dm_history or moderation frame naming a user that breaks the naming rule with bad_name", async () => {
    const d = await world.daemon();
    const { client } = await world.signIn(d, "alice");
    await d.http("/admin/role", adminPost({ user: "alice", role: "admin" }, "PUT"));
    expect(await errorFor(client, { type: "dm", to: "not a name", text: "hi", ref: 1 })).toMatchObject({ code: "bad_name", ref: 1 });
    expect(await errorFor(client, { type: "dm_history", with: "not a name", ref: 2 })).toMatchObject({ code: "bad_name", ref: 2 });
    expect(await errorFor(client, { type: "kick", user: "not a name", ref: 3 })).toMatchObject({ code: "bad_name", ref: 3 });
    expect(await errorFor(client, { type: "mute", user: "alice", room: "not a room", minutes: 1, ref: 4 })).toMatchObject({ code: "bad_name", ref: 4 });
    // A valid name without an account is unknown_user.
    expect(await errorFor(client, { type: "dm", to: "nobody", text: "hi", ref: 5 })).toMatchObject({ code: "unknown_user", ref: 5 });
    expect(await errorFor(client, { type: "kick", user: "nobody", ref: 6 })).toMatchObject({ code: "unknown_user", ref: 6 });
  });

  it("answers a hello with a token (and a user name beside it) as a token sign-in", async () => {
    const d = await world.daemon();
    const { welcome } = await world.signIn(d, "alice");
    const c = await world.connect(d);
    expect(await errorFor(c, { type: "hello", user: "bob", token: welcome.token })).toMatchObject({ code: "auth_failed" });
    expect(await c.request({ type: "hello", user: "ALICE", token: welcome.token }, "welcome", "error")).toMatchObject({ type: "welcome", user: "alice", token: welcome.token, created: false });
  });

  it("answers hello variants: bad_frame without credentials, auth_failed on a wrong password", async () => {
    const d = await world.daemon();
    await world.signIn(d, "alice");
    const c = await world.connect(d);
    expect(await errorFor(c, { type: "hello" })).toMatchObject({ code: "bad_frame" });
    expect(await errorFor(c, { type: "hello", user: "alice" })).toMatchObject({ code: "bad_frame" });
    expect(await errorFor(c, { type: "hello", password: PASSWORD })).toMatchObject({ code: "bad_frame" });
    expect(await errorFor(c, { type: "hello", user: "alice", password: "wrong-password" })).toMatchObject({ code: "auth_failed" });
    expect(await errorFor(c, { type: "hello", user: "newbie", password: "short" })).toMatchObject({ code: "bad_password" });
    expect(await errorFor(c, { type: "hello", user: "newbie", password: "é".repeat(37) })).toMatchObject({ code: "bad_password" });
    // However long, a password is bad_password and a token auth_failed, not bad_frame.
    expect(await errorFor(c, { type: "hello", user: "alice", password: "p".repeat(5000) })).toMatchObject({ code: "bad_password" });
    expect(await errorFor(c, { type: "hello", token: "t".repeat(5000) })).toMatchObject({ code: "auth_failed" });
    expect(await errorFor(c, { type: "hello", token: "" })).toMatchObject({ code: "auth_failed" });
    // 72 bytes exactly is fine.
    expect(await c.request({ type: "hello", user: "newbie", password: "p".repeat(72) }, "welcome", "error")).toMatchObject({ type: "welcome", created: true });
  });

  it("answers say with bad_frame for empty or blank text and wrong types, too_large just over maxTextLength", async () => {
    const d = await world.daemon({ limits: { maxTextLength: 10 } });
    const { client } = await world.member(d, "alice");
    expect(await errorFor(client, { type: "say", room: "general", text: "", ref: 1 })).toMatchObject({ code: "bad_frame", ref: 1 });
    expect(await errorFor(client, { type: "say", room: "general", text: " \n\t ", ref: 2 })).toMatchObject({ code: "bad_frame", ref: 2 });
    expect(await errorFor(client, { type: "say", room: "general", text: 5, ref: 3 })).toMatchObject({ code: "bad_frame", ref: 3 });
    expect(await errorFor(client, { type: "say", room: "general", ref: 4 })).toMatchObject({ code: "bad_frame", ref: 4 });
    expect(await errorFor(client, { type: "say", room: "general", text: "x".repeat(11), ref: 5 })).toMatchObject({ code: "too_large", ref: 5 });
    client.send({ type: "say", room: "general", text: "x".repeat(10), ref: 6 });
    expect(await client.next("ack")).toMatchObject({ ref: 6 });
    expect(await errorFor(client, { type: "dm", to: "alice", text: "x".repeat(11), ref: 7 })).toMatchObject({ code: "too_large", ref: 7 });
  });

  it("answers non-frames with bad_frame and unknown types with unknown_type", async () => {
    const d = await world.daemon();
    const { client } = await world.signIn(d, "alice");
    for (const raw of ["not json", "[1,2]", "42", "null", '"hello"', '{"notype":1}', '{"type":5}']) {
      expect(await errorFor(client, raw), raw).toMatchObject({ code: "bad_frame" });
    }
    expect(await errorFor(client, { type: "dance", ref: "d" })).toMatchObject({ code: "unknown_type", ref: "d" });
    expect(await errorFor(client, { type: "join", room: "general", since: "nope", ref: "s" })).toMatchObject({ code: "bad_frame", ref: "s" });
  });

  it("accepts only hello and ping before sign-in: every other client frame is not_authenticated", async () => {
    const d = await world.daemon();
    const c = await world.connect(d);
    for (const type of ["join", "leave", "say", "history", "dm", "dm_history", "rooms", "typing", "logout", "kick", "mute", "unmute"]) {
      const frame = examples.client.get(type)![0]!;
      expect(await errorFor(c, frame), type).toMatchObject({ code: "not_authenticated" });
    }
    // What is not a client frame at all is answered as at any time.
    expect(await errorFor(c, { type: "dance", ref: 1 })).toMatchObject({ code: "unknown_type", ref: 1 });
    expect(await errorFor(c, { type: "join" })).toMatchObject({ code: "bad_frame" });
  });

  it("sends history on join: the newest historyOnJoin messages, oldest first, and pages back with before and limit", async () => {
    const d = await world.daemon({ limits: { historyOnJoin: 3 } });
    const { client } = await world.member(d, "alice");
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      client.send({ type: "say", room: "general", text: `m${i}`, ref: i });
      ids.push((await client.next("ack")).id as string);
    }
    const { joined } = await world.member(d, "bob");
    expect((joined.history as Frame[]).map((m) => m.text)).toEqual(["m3", "m4", "m5"]);
    expect(joined.recovered).toBe(true);

    const page = await client.request({ type: "history", room: "general", before: ids[3], limit: 2 }, "history");
    expect((page.messages as Frame[]).map((m) => m.text)).toEqual(["m2", "m3"]);
    expect(page.complete).toBe(false);
    const rest = await client.request({ type: "history", room: "general", before: ids[1], limit: 50 }, "history");
    expect((rest.messages as Frame[]).map((m) => m.text)).toEqual(["m1"]);
    expect(rest.complete).toBe(true);

    const since = await client.request({ type: "join", room: "general", since: ids[1] }, "joined");
    expect((since.history as Frame[]).map((m) => m.text)).toEqual(["m3", "m4", "m5"]);
    expect(since.recovered).toBe(true);
  });

  it("keeps dm_history: limit, before and since", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.signIn(d, "alice");
    await world.signIn(d, "bob");
    const ids: string[] = [];
    for (let i = 1; i <= 4; i++) {
      alice.send({ type: "dm", to: "bob", text: `d${i}`, ref: i });
      ids.push((await alice.next("ack")).id as string);
    }
    const newest = await alice.request({ type: "dm_history", with: "Bob", limit: 2 }, "dm_history");
    expect(newest.with).toBe("Bob");
    expect((newest.messages as Frame[]).map((m) => m.text)).toEqual(["d3", "d4"]);
    const before = await alice.request({ type: "dm_history", with: "bob", before: ids[2] }, "dm_history");
    expect((before.messages as Frame[]).map((m) => m.text)).toEqual(["d1", "d2"]);
    const since = await alice.request({ type: "dm_history", with: "bob", since: ids[0] }, "dm_history");
    expect((since.messages as Frame[]).map((m) => m.text)).toEqual(["d2", "d3", "d4"]);
    expect(since.complete).toBe(true);
  });

  it("closes with 1000 `signed out` on logout and revokes the token", async () => {
    const d = await world.daemon();
    const { client, welcome } = await world.signIn(d, "alice");
    client.send({ type: "logout" });
    expect(await client.closed).toEqual({ code: 1000, reason: "signed out" });
    const c = await world.connect(d);
    expect(await errorFor(c, { type: "hello", token: welcome.token })).toMatchObject({ code: "auth_failed" });
  });

  it("sends not_authenticated then closes 1008 `authentication timeout` after limits.authTimeoutMs", async () => {
    const d = await world.daemon({ limits: { authTimeoutMs: 300 } });
    const c = await world.connect(d);
    expect(await c.next("error")).toMatchObject({ code: "not_authenticated" });
    expect(await c.closed).toEqual({ code: 1008, reason: "authentication timeout" });
  });

  it("refuses a sign-in over maxSessionsPerUser with too_many_sessions and close 1008 `too many sessions`", async () => {
    const d = await world.daemon({ limits: { maxSessionsPerUser: 1 } });
    await world.signIn(d, "alice");
    const c = await world.connect(d);
    expect(await errorFor(c, { type: "hello", user: "alice", password: PASSWORD })).toMatchObject({ code: "too_many_sessions" });
    expect(await c.closed).toEqual({ code: 1008, reason: "too many sessions" });
  });

  it("closes a binary message with 1003 and its documented reason", async () => {
    const d = await world.daemon();
    const c = await world.connect(d);
    c.ws.send(Buffer.from("{}"), { binary: true });
    expect(await c.closed).toEqual({ code: 1003, reason: "binary frames are not supported" });
  });

  it("notices shutdown then closes 1001 `server shutting down`; notices restart then closes 1012 `server restarting`", async () => {
    const d = await world.daemon();
    const { client: a } = await world.signIn(d, "alice");
    const restart = await d.http("/admin/restart", { method: "POST", admin: true });
    expect(restart.status).toBe(202);
    expect(await restart.json()).toEqual({ accepted: true, state: "restarting", message: "restarting" });
    expect(await a.next("notice")).toMatchObject({ kind: "restart" });
    expect(await a.closed).toEqual({ code: 1012, reason: "server restarting" });
    await d.daemon.settled();

    const { client: b } = await world.signIn(d, "alice");
    const stop = await d.http("/admin/stop", { method: "POST", admin: true });
    expect(stop.status).toBe(202);
    expect(await stop.json()).toEqual({ accepted: true, state: "stopping", message: "stopping" });
    expect(await b.next("notice")).toMatchObject({ kind: "shutdown" });
    expect(await b.closed).toEqual({ code: 1001, reason: "server shutting down" });
  });

  it("bans: notice ban with the reason, close 4002 `banned`, sign-in answers banned with the reason", async () => {
    const d = await world.daemon();
    const { client } = await world.signIn(d, "mallory");
    const res = await d.http("/admin/ban", adminPost({ user: "mallory", reason: "spam" }));
    expect(await res.json()).toEqual({ banned: "mallory", sessions: 1 });
    expect(await client.next("notice")).toMatchObject({ kind: "ban", text: "spam" });
    expect(await client.closed).toEqual({ code: 4002, reason: "banned" });
    const c = await world.connect(d);
    const err = await errorFor(c, { type: "hello", user: "mallory", password: PASSWORD });
    expect(err.code).toBe("banned");
    expect(err.message).toContain("spam");
  });

  it("refuses moderation frames from plain users with forbidden, and bad mute minutes with bad_frame", async () => {
    const d = await world.daemon();
    const { client } = await world.signIn(d, "alice");
    await world.signIn(d, "mallory");
    for (const frame of examples.client.get("kick")!.concat(examples.client.get("mute")!, examples.client.get("unmute")!)) {
      expect(await errorFor(client, frame)).toMatchObject({ code: "forbidden", ref: frame.ref });
    }
    await d.http("/admin/role", adminPost({ user: "alice", role: "moderator" }, "PUT"));
    for (const minutes of [0, -1, 525_601, "10"]) {
      expect(await errorFor(client, { type: "mute", user: "mallory", room: "general", minutes, ref: 9 }), String(minutes)).toMatchObject({ code: "bad_frame", ref: 9 });
    }
    expect(await client.request({ type: "mute", user: "mallory", room: "general", minutes: 525_600, ref: 1 }, "moderated", "error")).toMatchObject({ type: "moderated" });
  });

  it("refuses the upgrade before 101 with the documented JSON bodies", async () => {
    const d = await world.daemon({ limits: { maxConnectionsPerIp: 1 } });
    const plain = await fetch(`${d.url}/ws`);
    expect(plain.status).toBe(426);
    expect(await plain.json()).toMatchObject({ error: "upgrade_required" });

    const refused = async (headers: Record<string, string>) => {
      const r = await refusedUpgrade(d.wsUrl, { headers });
      return { status: r.status, body: JSON.parse(r.body) as unknown };
    };
    const foreign = await refused({ Origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ error: "forbidden_origin", message: expect.any(String) });
    const nullOrigin = await refused({ Origin: "null" });
    expect(nullOrigin.status).toBe(403);

    const first = await world.connect(d);
    const second = await refused({});
    expect(second.status).toBe(429);
    expect(second.body).toMatchObject({ error: "too_many_connections", message: expect.any(String) });
    first.ws.terminate();
  });

  it("lists the user's own rooms in welcome: default rooms first, then the rooms the user belongs to", async () => {
    const d = await world.daemon({ rooms: ["lobby", "General"] });
    const { client } = await world.member(d, "alice", "zeta");
    client.send({ type: "say", room: "zeta", text: "hi", ref: 1 });
    await client.next("ack");
    await world.member(d, "bob", "alpha");
    expect((await world.signIn(d, "carol")).welcome.rooms).toEqual(["lobby", "general"]);
    expect((await world.signIn(d, "alice")).welcome.rooms).toEqual(["lobby", "general", "zeta"]);
  });

  it("delivers a dm to every connection of both sides, and to an offline recipient's history", async () => {
    const d = await world.daemon();
    const { client: a1 } = await world.signIn(d, "alice");
    const { client: a2 } = await world.signIn(d, "alice");
    const { client: b1 } = await world.signIn(d, "bob");
    const { client: b2 } = await world.signIn(d, "bob");
    a1.send({ type: "dm", to: "bob", text: "hi", ref: 1 });
    const own = (await settle(a1)).concat(await a1.next("ack"));
    const ack = own.find((f) => f.type === "ack")!;
    expect(own.find((f) => f.type === "dm")).toMatchObject({ id: ack.id, from: "alice", to: "bob", text: "hi" });
    for (const c of [a2, b1, b2]) expect(await c.next("dm")).toMatchObject({ id: ack.id, from: "alice", to: "bob", text: "hi" });
    expect((await settle(a2)).filter((f) => f.type === "ack")).toEqual([]);
    // An offline recipient finds it in dm_history.
    a1.send({ type: "dm", to: "carol", text: "later", ref: 2 });
    expect(await a1.next("error")).toMatchObject({ code: "unknown_user", ref: 2 });
    const { client: carol } = await world.signIn(d, "carol");
    await carol.close();
    a1.send({ type: "dm", to: "carol", text: "later", ref: 3 });
    await a1.next("ack");
    const { client: carol2 } = await world.signIn(d, "carol");
    const h = await carol2.request({ type: "dm_history", with: "alice" }, "dm_history");
    expect((h.messages as Frame[]).map((m) => [m.from, m.to, m.text])).toEqual([["alice", "carol", "later"]]);
  });

  it("answers join over maxRoomsPerSession with too_many_rooms and its ref", async () => {
    const d = await world.daemon({ limits: { maxRoomsPerSession: 1 } });
    const { client } = await world.member(d, "alice");
    expect(await errorFor(client, { type: "join", room: "other", ref: "j" })).toMatchObject({ code: "too_many_rooms", ref: "j" });
    expect(await client.request({ type: "join", room: "general" }, "joined", "error")).toMatchObject({ type: "joined" });
  });
});

// The token must not leak between describe blocks in case a test changes it.
void ADMIN_TOKEN;
