import { afterEach, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type TestDaemon } from "../helpers/daemon.ts";
import { World, say, settle, simultaneousRequests } from "../helpers/harness.ts";

type Json = Record<string, unknown>;

async function call(d: TestDaemon, method: string, path: string, options: { body?: unknown; admin?: boolean; headers?: Record<string, string> } = {}) {
  const res = await d.http(path, {
    method,
    admin: options.admin ?? true,
    headers: options.headers,
    body: options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body),
  });
  const type = res.headers.get("content-type") ?? "";
  expect(type, `${method} ${path} answers JSON`).toContain("application/json");
  return { status: res.status, body: (await res.json()) as Json, headers: res.headers };
}

const ENDPOINTS: Array<[string, string, unknown?]> = [
  ["GET", "/admin/uptime"],
  ["GET", "/admin/log?room=general&limit=5"],
  ["GET", "/admin/users"],
  ["GET", "/admin/rooms"],
  ["GET", "/admin/motd"],
  ["PUT", "/admin/motd", { motd: "hijacked" }],
  ["POST", "/admin/kick", { user: "alice" }],
  ["POST", "/admin/broadcast", { text: "hijacked" }],
  ["POST", "/admin/restart"],
  ["POST", "/admin/stop"],
];

describe("admin API authentication", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("refuses every endpoint without the right bearer token with 401 JSON, and does nothing", async () => {
    const d = await world.daemon({ motd: "original" });
    const { client } = await world.member(d, "alice");
    const wrong: Array<Record<string, string>> = [
      {},
      { Authorization: "Bearer wrong-token" },
      { Authorization: `Bearer ${ADMIN_TOKEN}x` },
      { Authorization: "Bearer" },
      { Authorization: "Bearer " },
      { Authorization: ADMIN_TOKEN },
      { Authorization: `Basic ${ADMIN_TOKEN}` },
      { Authorization: `Bearer ${ADMIN_TOKEN} extra` },
    ];
    for (const [method, path, body] of ENDPOINTS) {
      for (const headers of wrong) {
        const res = await call(d, method, path, { admin: false, headers, body });
        expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.body).toMatchObject({ error: "unauthorized" });
        expect(res.headers.get("www-authenticate")).toContain("Bearer");
      }
    }
    // None of it had an effect.
    expect(d.daemon.state).toBe("running");
    expect(d.daemon.snapshot.context.restarts).toBe(0);
    expect(d.config.motd).toBe("original");
    expect((await settle(client)).filter((f) => f.type === "notice")).toEqual([]);
  });

  it("accepts the token case-insensitively after the Bearer scheme", async () => {
    const d = await world.daemon();
    const res = await call(d, "GET", "/admin/uptime", { admin: false, headers: { Authorization: `bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
  });

  it("answers 403 admin_disabled on every endpoint when no admin token is configured", async () => {
    const d = await world.daemon({ adminToken: "" });
    for (const [method, path, body] of ENDPOINTS) {
      const tries: Array<Record<string, string>> = [{}, { Authorization: "Bearer " }, { Authorization: `Bearer ${ADMIN_TOKEN}` }];
      for (const headers of tries) {
        const res = await call(d, method, path, { admin: false, headers, body });
        expect(res.status, `${method} ${path}`).toBe(403);
        expect(res.body).toMatchObject({ error: "admin_disabled" });
      }
    }
    expect(d.daemon.state).toBe("running");
  });

  it("serves /healthz without auth, 404 JSON for unknown routes and 426 for /ws without an upgrade", async () => {
    const d = await world.daemon();
    expect(await call(d, "GET", "/healthz", { admin: false })).toMatchObject({ status: 200, body: { status: "ok", state: "running" } });
    expect(await call(d, "GET", "/no/such/thing", { admin: false })).toMatchObject({ status: 404, body: { error: "not_found" } });
    expect(await call(d, "GET", "/admin/no-such-endpoint")).toMatchObject({ status: 404, body: { error: "not_found" } });
    expect(await call(d, "GET", "/ws", { admin: false })).toMatchObject({ status: 426, body: { error: "upgrade_required" } });
  });
});

describe("admin API", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("GET /admin/uptime reports state, restarts and counters", async () => {
    const d = await world.daemon();
    const { client } = await world.member(d, "alice");
    await world.signIn(d, "bob");
    await world.connect(d); // not signed in
    await say(client, "general", ["one", "two"]);
    const { status, body } = await call(d, "GET", "/admin/uptime");
    expect(status).toBe(200);
    expect(body).toMatchObject({
      state: "running",
      restarts: 0,
      connections: 3,
      usersOnline: 2,
      messagesStored: 2,
      version: "0.1.0",
    });
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(Date.parse(body.startedAt as string)).not.toBeNaN();
    expect(Date.parse(body.processStartedAt as string)).not.toBeNaN();
  });

  it("GET /admin/log returns the newest messages, oldest first, of one room or of all", async () => {
    const d = await world.daemon();
    const { client } = await world.member(d, "alice");
    await world.signIn(d, "bob");
    await client.request({ type: "join", room: "random" }, "joined");
    const general = await say(client, "general", ["g1", "g2", "g3"]);
    const [random] = await say(client, "random", ["r1"]);
    client.send({ type: "dm", to: "bob", text: "private", ref: "dm" });
    await client.next("ack");

    const two = await call(d, "GET", "/admin/log?room=General&limit=2");
    expect(two.status).toBe(200);
    expect(two.body.messages).toEqual([
      expect.objectContaining({ type: "message", id: general[1], room: "general", from: "alice", text: "g2" }),
      expect.objectContaining({ id: general[2], text: "g3" }),
    ]);
    const all = await call(d, "GET", "/admin/log");
    expect((all.body.messages as Json[]).map((m) => m.id)).toEqual([...general, random]);
    const blank = await call(d, "GET", "/admin/log?room=&limit=");
    expect((blank.body.messages as Json[]).map((m) => m.id)).toEqual([...general, random]);

    expect(await call(d, "GET", "/admin/log?limit=0")).toMatchObject({ status: 400, body: { error: "bad_request" } });
    expect(await call(d, "GET", "/admin/log?limit=lots")).toMatchObject({ status: 400, body: { error: "bad_request" } });
    expect(await call(d, "GET", "/admin/log?room=no%20such%20room")).toMatchObject({ status: 400, body: { error: "bad_request" } });
    expect(await call(d, "GET", "/admin/log?room=empty")).toMatchObject({ status: 200, body: { messages: [] } });
  });

  it("GET /admin/users lists who is online and counts the accounts", async () => {
    const d = await world.daemon();
    await world.member(d, "alice");
    await world.signIn(d, "alice");
    const { client: carol } = await world.signIn(d, "carol");
    await carol.close();
    await world.member(d, "Bob", "random");
    const { status, body } = await call(d, "GET", "/admin/users");
    expect(status).toBe(200);
    expect(body.registered).toBe(3);
    expect(body.online).toEqual([
      { name: "alice", sessions: 2, rooms: ["general"], address: "127.0.0.1", connectedAt: expect.any(String) },
      { name: "Bob", sessions: 1, rooms: ["random"], address: "127.0.0.1", connectedAt: expect.any(String) },
    ]);
  });

  it("GET /admin/rooms lists rooms with their members", async () => {
    const d = await world.daemon({ rooms: ["general", "random"] });
    await world.member(d, "alice");
    await world.member(d, "bob");
    await world.member(d, "bob", "dev");
    const { status, body } = await call(d, "GET", "/admin/rooms");
    expect(status).toBe(200);
    expect(body.rooms).toEqual([
      { name: "general", members: ["alice", "bob"], default: true },
      { name: "random", members: [], default: true },
      { name: "dev", members: ["bob"], default: false },
    ]);
  });

  it("GET and PUT /admin/motd read and set the message of the day; online users get a notice", async () => {
    const d = await world.daemon({ motd: "Be kind." });
    const { client } = await world.signIn(d, "alice");
    expect(await call(d, "GET", "/admin/motd")).toMatchObject({ status: 200, body: { motd: "Be kind." } });

    expect(await call(d, "PUT", "/admin/motd", { body: { motd: "Maintenance tonight" } })).toMatchObject({
      status: 200,
      body: { motd: "Maintenance tonight" },
    });
    expect(await client.next("notice")).toMatchObject({ type: "notice", kind: "motd", text: "Maintenance tonight" });
    expect(await call(d, "GET", "/admin/motd")).toMatchObject({ body: { motd: "Maintenance tonight" } });
    expect((await world.signIn(d, "bob")).welcome.motd).toBe("Maintenance tonight");

    expect(await call(d, "PUT", "/admin/motd", { body: { text: "wrong field" } })).toMatchObject({ status: 400, body: { error: "bad_request" } });
    expect(await call(d, "PUT", "/admin/motd", { body: "not json" })).toMatchObject({ status: 400, body: { error: "bad_request" } });
  });

  it("POST /admin/kick closes every connection of the user with a notice and 4000", async () => {
    const d = await world.daemon();
    const { client: alice1 } = await world.member(d, "alice");
    const { client: alice2 } = await world.signIn(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    await alice1.next("presence");

    const res = await call(d, "POST", "/admin/kick", { body: { user: "ALICE", reason: "cool off" } });
    // The answer names the user kicked as their account spells it (as ban's does), not as typed.
    expect(res).toMatchObject({ status: 200, body: { kicked: "alice", sessions: 2 } });
    for (const c of [alice1, alice2]) {
      expect(await c.next("notice")).toMatchObject({ type: "notice", kind: "kick", text: "cool off" });
      expect(await c.closed).toEqual({ code: 4000, reason: "kicked" });
    }
    expect(await bob.next("presence")).toMatchObject({ user: "alice", event: "leave" });
    expect((await settle(bob)).filter((f) => f.type === "notice")).toEqual([]);

    expect(await call(d, "POST", "/admin/kick", { body: { user: "alice" } })).toMatchObject({ status: 404, body: { error: "not_online" } });
    expect(await call(d, "POST", "/admin/kick", { body: { user: "nobody" } })).toMatchObject({ status: 404, body: { error: "not_online" } });
    expect(await call(d, "POST", "/admin/kick", { body: {} })).toMatchObject({ status: 400, body: { error: "bad_request" } });
    expect(await call(d, "POST", "/admin/kick", { body: { user: 42 } })).toMatchObject({ status: 400, body: { error: "bad_request" } });
    expect(await call(d, "POST", "/admin/kick", { body: "{not json" })).toMatchObject({ status: 400, body: { error: "bad_request" } });
    expect(await call(d, "POST", "/admin/kick")).toMatchObject({ status: 400, body: { error: "bad_request" } });
  });

  it("POST /admin/broadcast sends a notice to every signed-in connection", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.signIn(d, "bob");
    const { client: bob2 } = await world.signIn(d, "bob");
    const anonymous = await world.connect(d);

    const res = await call(d, "POST", "/admin/broadcast", { body: { text: "Maintenance at 22:00 UTC" } });
    expect(res).toMatchObject({ status: 200, body: { sent: true, recipients: 3 } });
    for (const c of [alice, bob, bob2]) {
      const notice = await c.next("notice");
      expect(notice).toMatchObject({ type: "notice", kind: "broadcast", text: "Maintenance at 22:00 UTC" });
      expect(typeof notice.ts).toBe("number");
    }
    expect(await settle(anonymous)).toEqual([]);

    expect(await call(d, "POST", "/admin/broadcast", { body: { text: "" } })).toMatchObject({ status: 400, body: { error: "bad_request" } });
    expect(await call(d, "POST", "/admin/broadcast", { body: "hello" })).toMatchObject({ status: 400, body: { error: "bad_request" } });
  });

  it("refuses bodies over 64 KiB with 413", async () => {
    const d = await world.daemon();
    const res = await call(d, "POST", "/admin/broadcast", { body: { text: "x".repeat(70 * 1024) } });
    expect(res).toMatchObject({ status: 413, body: { error: "too_large" } });
  });
});

describe("admin API: restart and stop", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("POST /admin/restart answers 202, closes clients with 1012 and serves again on the same port", async () => {
    const d = await world.daemon();
    const port = d.port;
    const { client, welcome } = await world.member(d, "alice");
    const [id] = await say(client, "general", ["before the restart"]);

    const res = await call(d, "POST", "/admin/restart");
    expect(res).toMatchObject({ status: 202, body: { accepted: true, state: "restarting", message: "restarting" } });
    expect(await client.next("notice")).toMatchObject({ kind: "restart" });
    expect(await client.closed).toEqual({ code: 1012, reason: "server restarting" });

    expect(await d.daemon.settled()).toBe("running");
    expect(d.port).toBe(port);
    const { client: again } = await world.resume(d, welcome.token);
    const joined = await again.request({ type: "join", room: "general" }, "joined");
    expect(joined.history).toEqual([expect.objectContaining({ id, text: "before the restart" })]);

    const uptime = await call(d, "GET", "/admin/uptime");
    expect(uptime.body).toMatchObject({ state: "running", restarts: 1, connections: 1 });
    expect(await call(d, "GET", "/healthz", { admin: false })).toMatchObject({ status: 200, body: { state: "running" } });
  });

  it("answers a second restart while restarting with 409", async () => {
    const d = await world.daemon();
    const answers = await simultaneousRequests(d.port, [
      { method: "POST", path: "/admin/restart", token: ADMIN_TOKEN },
      { method: "POST", path: "/admin/restart", token: ADMIN_TOKEN },
    ]);
    const statuses = answers.map((a) => ("status" in a ? a.status : a.error)).sort();
    expect(statuses).toEqual([202, 409]);
    const refused = answers.find((a) => "status" in a && a.status === 409) as { body: Json };
    expect(refused.body).toMatchObject({ accepted: false, state: "restarting" });
    expect(await d.daemon.settled()).toBe("running");
    expect(d.daemon.snapshot.context.restarts).toBe(1);
  });

  it("POST /admin/stop answers 202, closes clients with 1001 and stops the daemon", async () => {
    const d = await world.daemon();
    const { client } = await world.member(d, "alice");
    const res = await call(d, "POST", "/admin/stop");
    expect(res).toMatchObject({ status: 202, body: { accepted: true, state: "stopping", message: "stopping" } });
    expect(await client.next("notice")).toMatchObject({ kind: "shutdown" });
    expect(await client.closed).toEqual({ code: 1001, reason: "server shutting down" });
    expect(await d.daemon.settled()).toBe("stopped");
    await expect(fetch(`${d.url}/healthz`)).rejects.toThrow();
  });

  it("answers a second stop while stopping with 409", async () => {
    const d = await world.daemon();
    const answers = await simultaneousRequests(d.port, [
      { method: "POST", path: "/admin/stop", token: ADMIN_TOKEN },
      { method: "POST", path: "/admin/stop", token: ADMIN_TOKEN },
    ]);
    expect(answers.map((a) => ("status" in a ? a.status : a.error)).sort()).toEqual([202, 409]);
    const refused = answers.find((a) => "status" in a && a.status === 409) as { body: Json };
    expect(refused.body).toMatchObject({ accepted: false, state: "stopping" });
    expect(await d.daemon.settled()).toBe("stopped");
  });
});

describe("GET /admin/openapi.json", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("serves the admin API's OpenAPI document without a token", async () => {
    const d = await world.daemon();
    const res = await call(d, "GET", "/admin/openapi.json", { admin: false });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ openapi: "3.1.0", info: { title: "chatd admin API" } });
    expect(Object.keys(res.body.paths as Json)).toContain("/uptime");
  });
});
