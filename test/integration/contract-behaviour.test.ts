import { afterEach, describe, expect, it } from "vitest";
import { refusedUpgrade, TestClient, type Frame } from "../helpers/client.ts";
import type { TestDaemon } from "../helpers/daemon.ts";
import { PASSWORD, World, say, settle } from "../helpers/harness.ts";

/** More claims of README.md and docs/protocol.md, each checked from outside. */

async function errorFor(client: TestClient, frame: unknown): Promise<Frame> {
  client.send(frame);
  for (;;) {
    const f = await client.next();
    if (f.type === "error") return f;
    if (!["presence", "typing", "notice", "message", "dm"].includes(f.type)) throw new Error(`expected an error, got ${JSON.stringify(f)}`);
  }
}

const adminPost = (body: unknown, method = "POST") => ({ method, body: JSON.stringify(body), admin: true }) as const;

async function addressSeen(world: World, d: TestDaemon, headers: Record<string, string>): Promise<string> {
  const client = await TestClient.connect(d.wsUrl, { headers });
  world.onCleanup(() => client.ws.terminate());
  await client.request({ type: "hello", user: "alice", password: PASSWORD }, "welcome");
  const users = (await (await d.http("/admin/users", { admin: true })).json()) as { online: Array<{ address: string }> };
  const address = users.online[0]!.address;
  await client.close();
  return address;
}

describe("history limits", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("caps a history limit at 1000 and at limits.historyPerRoom instead of refusing it", async () => {
    const d = await world.daemon({ limits: { historyPerRoom: 3, messageBurst: 100 } });
    const { client } = await world.member(d, "alice");
    await say(client, "general", ["1", "2", "3", "4", "5"]);
    const page = await client.request({ type: "history", room: "general", limit: 5000, ref: "h" }, "history", "error");
    expect(page.type).toBe("history");
    expect((page.messages as Frame[]).map((m) => m.text)).toEqual(["3", "4", "5"]);
    const dm = await client.request({ type: "dm_history", with: "alice", limit: 5000 }, "dm_history", "error");
    expect(dm.type).toBe("dm_history");
  });
});

describe("rooms and direct messages", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("never lists a conversation of direct messages as a room", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.signIn(d, "alice");
    await world.signIn(d, "bob");
    alice.send({ type: "dm", to: "bob", text: "psst", ref: 1 });
    await alice.next("ack");
    const rooms = await alice.request({ type: "rooms" }, "rooms");
    expect(rooms.rooms).toEqual([{ name: "general", members: 0 }]);
    const { welcome } = await world.signIn(d, "carol");
    expect(welcome.rooms).toEqual(["general"]);
    const admin = (await (await d.http("/admin/rooms", { admin: true })).json()) as { rooms: Array<{ name: string }> };
    expect(admin.rooms.map((r) => r.name)).toEqual(["general"]);
    const uptime = (await (await d.http("/admin/uptime", { admin: true })).json()) as { rooms: number };
    expect(uptime.rooms).toBe(1);
  });

  it("lists a room with kept history after everyone left, with 0 members", async () => {
    const d = await world.daemon();
    const { client } = await world.member(d, "alice", "dev");
    await say(client, "dev", ["hi"]);
    await client.request({ type: "leave", room: "dev" }, "left");
    const rooms = await client.request({ type: "rooms" }, "rooms");
    // The directory is sorted by name (docs/protocol.md `rooms`).
    expect(rooms.rooms).toEqual([
      { name: "dev", members: 0 },
      { name: "general", members: 0 },
    ]);
  });
});

describe("sessions", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("counts distinct users in rooms, not connections", async () => {
    const d = await world.daemon();
    const { client } = await world.member(d, "alice");
    await world.member(d, "alice");
    await world.member(d, "bob");
    expect((await client.request({ type: "rooms" }, "rooms")).rooms).toEqual([{ name: "general", members: 2 }]);
  });

  it("logout revokes only the token this connection signed in with or was issued", async () => {
    const d = await world.daemon();
    const { client: first, welcome: w1 } = await world.signIn(d, "alice");
    const { welcome: w2 } = await world.signIn(d, "alice");
    expect(w2.token).not.toBe(w1.token);
    const { client: resumed } = await world.resume(d, w2.token);
    first.send({ type: "logout" });
    expect(await first.closed).toEqual({ code: 1000, reason: "signed out" });
    const c = await world.connect(d);
    expect(await errorFor(c, { type: "hello", token: w1.token })).toMatchObject({ code: "auth_failed" });
    await world.resume(d, w2.token);
    resumed.send({ type: "logout" });
    await resumed.closed;
    expect(await errorFor(c, { type: "hello", token: w2.token })).toMatchObject({ code: "auth_failed" });
  });
});

describe("moderation details", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("reads the role at each request: a demoted moderator is forbidden at once", async () => {
    const d = await world.daemon();
    const { client: mod } = await world.signIn(d, "alice");
    await world.signIn(d, "mallory");
    await d.http("/admin/role", adminPost({ user: "alice", role: "admin" }, "PUT"));
    expect(await mod.request({ type: "unmute", user: "mallory", room: "general", ref: 1 }, "moderated", "error")).toMatchObject({ type: "moderated" });
    await d.http("/admin/role", adminPost({ user: "alice", role: "user" }, "PUT"));
    expect(await errorFor(mod, { type: "unmute", user: "mallory", room: "general", ref: 2 })).toMatchObject({ code: "forbidden", ref: 2 });
  });

  it("keeps a mute across a restart of the daemon, and muting again replaces the earlier mute", async () => {
    const d = await world.daemon();
    await world.signIn(d, "mallory");
    await d.http("/admin/mute", adminPost({ user: "mallory", room: "general", minutes: 10 }));
    await d.close({ keepData: true });
    const d2 = await world.daemon({}, { dataDir: d.dataDir });
    const { client } = await world.member(d2, "mallory");
    expect(await errorFor(client, { type: "say", room: "general", text: "hi", ref: 1 })).toMatchObject({ code: "muted", ref: 1 });
    // A mute of 0.001 minutes (60 ms) replaces the 10-minute one.
    await d2.http("/admin/mute", adminPost({ user: "mallory", room: "general", minutes: 0.001 }));
    await new Promise((r) => setTimeout(r, 200));
    client.send({ type: "say", room: "general", text: "back", ref: 2 });
    expect(await client.next("ack")).toMatchObject({ ref: 2 });
  });

  it("answers a kick frame for an account that is offline with moderated and sessions 0", async () => {
    const d = await world.daemon();
    const { client: mod } = await world.signIn(d, "alice");
    const { client: bob } = await world.signIn(d, "bob");
    await bob.close();
    await d.http("/admin/role", adminPost({ user: "alice", role: "moderator" }, "PUT"));
    expect(await mod.request({ type: "kick", user: "BOB", ref: 1 }, "moderated", "error")).toEqual({ type: "moderated", action: "kick", user: "bob", sessions: 0, ref: 1 });
  });
});

describe("tokens", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("refuses a resume token after limits.tokenTtlHours with auth_failed", async () => {
    const d = await world.daemon({ limits: { tokenTtlHours: 0.0001 } });
    const { welcome } = await world.signIn(d, "alice");
    await new Promise((r) => setTimeout(r, 600));
    const c = await world.connect(d);
    expect(await errorFor(c, { type: "hello", token: welcome.token })).toMatchObject({ code: "auth_failed" });
  });
});

describe("connection limits and proxies", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("refuses the upgrade at limits.maxConnections with 503 and the server_full body", async () => {
    const d = await world.daemon({ limits: { maxConnections: 1 } });
    await world.connect(d);
    const refused = await refusedUpgrade(d.wsUrl);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toEqual({ error: "server_full", message: expect.any(String) });
  });

  it("takes the client address from Forwarded (RFC 7239) before X-Forwarded-For, from a trusted proxy", async () => {
    const d = await world.daemon({ trustedProxies: ["127.0.0.1", "::1"] });
    expect(await addressSeen(world, d, { Forwarded: "for=198.51.100.1;proto=https", "X-Forwarded-For": "203.0.113.7" })).toBe("198.51.100.1");
    expect(await addressSeen(world, d, { Forwarded: 'for="[2001:db8::1]:4711"' })).toBe("2001:db8::1");
    // The nearest hop that is not itself a trusted proxy, counting from the right.
    expect(await addressSeen(world, d, { "X-Forwarded-For": "1.1.1.1, 203.0.113.9, 127.0.0.1" })).toBe("203.0.113.9");
  });

  it("answers /metrics 403 when metrics.public is false and no admin token is configured", async () => {
    const d = await world.daemon({ metrics: { public: false }, adminToken: "" });
    expect((await d.http("/metrics")).status).toBe(403);
  });
});

describe("presence", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("announces presence join before a message sent after the join, and nothing for a second connection", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    await say(bob, "general", ["hello"]);
    const seen = (await settle(alice)).concat(alice.unread());
    const presence = seen.findIndex((f) => f.type === "presence" && f.user === "bob");
    const message = seen.findIndex((f) => f.type === "message" && f.text === "hello");
    expect(presence).toBeGreaterThanOrEqual(0);
    expect(presence).toBeLessThan(message);
    const second = await world.signIn(d, "bob");
    await second.client.request({ type: "join", room: "general" }, "joined");
    await new Promise((r) => setTimeout(r, 150));
    expect((await settle(alice)).filter((f) => f.type === "presence")).toEqual([]);
  });
});

describe("the data folder", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("keeps one user file per account in a folder per first letter, the chat log as JSON lines, and the lock with the PID", async () => {
    const d = await world.daemon();
    const { client, welcome } = await world.member(d, "Alice");
    await say(client, "general", ["first", "second"]);
    const { readFile } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const user = await readFile(join(d.dataDir, "users", "a", "alice.json"), "utf8");
    expect(user).toContain('"Alice"');
    expect(user).toMatch(/\$2[aby]\$/);
    expect(user).not.toContain(PASSWORD);
    expect(user).not.toContain((welcome.token as string).split(".")[1]);
    const lines = (await readFile(join(d.dataDir, "chat", "chat.jsonl"), "utf8")).trim().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { text: string }).text)).toEqual(["first", "second"]);
    expect(JSON.parse(await readFile(join(d.dataDir, "chatd.lock"), "utf8"))).toMatchObject({ pid: process.pid, instance: expect.any(String) });
  });
});

describe("user files edited by hand", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("are read again: a role written into the file applies at the next request", async () => {
    const d = await world.daemon();
    const { client } = await world.signIn(d, "alice");
    await world.signIn(d, "mallory");
    expect(await errorFor(client, { type: "unmute", user: "mallory", room: "general", ref: 1 })).toMatchObject({ code: "forbidden" });
    const { readFile, writeFile, rename } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const path = join(d.dataDir, "users", "a", "alice.json");
    const record = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    record.role = "moderator";
    await writeFile(`${path}.edit`, JSON.stringify(record, null, 2));
    await rename(`${path}.edit`, path);
    expect(await client.request({ type: "unmute", user: "mallory", room: "general", ref: 2 }, "moderated", "error")).toMatchObject({ type: "moderated", ref: 2 });
  });
});

describe("sign-in back-off per address", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("lets an address fail 10 times in a row for free, then answers its attempts rate_limited, any account", async () => {
    const d = await world.daemon({ limits: { signInFailureDelayMs: 60_000 } });
    const names = Array.from({ length: 12 }, (_, i) => `user${i}`);
    for (const name of names) await (await world.signIn(d, name)).client.close();
    const answers: string[] = [];
    for (const name of names.slice(0, 11)) {
      // A fresh connection each time: the per-connection hello limit is not what this is about.
      const c = await world.connect(d);
      const f = await c.request({ type: "hello", user: name, password: "wrong-password" }, "welcome", "error");
      answers.push(f.code as string);
    }
    expect(answers.slice(0, 10)).toEqual(Array(10).fill("auth_failed"));
    const c = await world.connect(d);
    expect(await c.request({ type: "hello", user: "user11", password: PASSWORD }, "welcome", "error")).toMatchObject({ code: "rate_limited" });
  });
});

describe("history boundaries", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("says complete when a page reaches the oldest kept message exactly, and recovered when since is the oldest kept one", async () => {
    const d = await world.daemon({ limits: { historyPerRoom: 3, messageBurst: 100 } });
    const { client } = await world.member(d, "alice");
    const ids = await say(client, "general", ["1", "2", "3", "4", "5"]);
    // Kept: 3, 4, 5.
    const exact = await client.request({ type: "history", room: "general", limit: 3 }, "history");
    expect((exact.messages as Frame[]).map((m) => m.text)).toEqual(["3", "4", "5"]);
    expect(exact.complete).toBe(true);
    const partial = await client.request({ type: "history", room: "general", limit: 2 }, "history");
    expect(partial.complete).toBe(false);
    const older = await client.request({ type: "history", room: "general", before: ids[2] }, "history");
    expect(older).toMatchObject({ messages: [], complete: true });

    // Since the last evicted one: nothing after it is missing.
    const fromEvicted = await client.request({ type: "join", room: "general", since: ids[1] }, "joined");
    expect((fromEvicted.history as Frame[]).map((m) => m.text)).toEqual(["3", "4", "5"]);
    expect(fromEvicted.recovered).toBe(true);
    const fromOldest = await client.request({ type: "join", room: "general", since: ids[2] }, "joined");
    expect((fromOldest.history as Frame[]).map((m) => m.text)).toEqual(["4", "5"]);
    expect(fromOldest.recovered).toBe(true);
    const gap = await client.request({ type: "join", room: "general", since: ids[0] }, "joined");
    // "2" is gone: a gap.
    expect((gap.history as Frame[]).map((m) => m.text)).toEqual(["3", "4", "5"]);
    expect(gap.recovered).toBe(false);
    const latest = await client.request({ type: "join", room: "general", since: ids[4] }, "joined");
    expect(latest).toMatchObject({ history: [], recovered: true });

    // The same after a full stop and a new daemon on the data.
    await d.close({ keepData: true });
    const d2 = await world.daemon({ limits: { historyPerRoom: 3 } }, { dataDir: d.dataDir });
    const { client: again } = await world.signIn(d2, "alice");
    expect(await again.request({ type: "join", room: "general", since: ids[0] }, "joined")).toMatchObject({ recovered: false });
    expect(await again.request({ type: "join", room: "general", since: ids[1] }, "joined")).toMatchObject({ recovered: true });
    const page = await again.request({ type: "history", room: "general", limit: 3 }, "history");
    expect(page).toMatchObject({ complete: true });
    expect((page.messages as Frame[]).map((m) => m.text)).toEqual(["3", "4", "5"]);
  });
});
