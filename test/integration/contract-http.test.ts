import { afterEach, describe, expect, it } from "vitest";
import type { Frame } from "../helpers/client.ts";
import type { TestDaemon } from "../helpers/daemon.ts";
import { World, say } from "../helpers/harness.ts";

/** Black-box checks of the HTTP surface of the README and docs/operations.md: health, readiness, metrics, the page and the admin API. */

type Json = Record<string, unknown>;

async function call(d: TestDaemon, method: string, path: string, body?: unknown, admin = true) {
  const res = await d.http(path, { method, admin, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
  expect(res.headers.get("content-type") ?? "", `${method} ${path} answers JSON`).toContain("application/json");
  return { status: res.status, body: (await res.json()) as Json };
}

describe("health, readiness, metrics and the page", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("GET /healthz and /readyz answer exactly as documented, without a token", async () => {
    const d = await world.daemon();
    expect(await call(d, "GET", "/healthz", undefined, false)).toEqual({ status: 200, body: { status: "ok", state: "running" } });
    expect(await call(d, "GET", "/readyz", undefined, false)).toEqual({ status: 200, body: { status: "ready", state: "running" } });
  });

  it("GET /metrics is Prometheus text with every documented metric", async () => {
    const d = await world.daemon();
    const { client } = await world.member(d, "alice");
    await say(client, "general", ["hi"]);
    const res = await d.http("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const names = [
      "chatd_up",
      "chatd_connections",
      'chatd_sessions{state="authenticating"}',
      'chatd_sessions{state="active"}',
      "chatd_users_online",
      "chatd_rooms",
      "chatd_messages_in_total",
      "chatd_messages_out_total",
      "chatd_deliveries_total",
      "chatd_slow_consumers_dropped_total",
      'chatd_sign_ins_total{result="ok"}',
      'chatd_sign_ins_total{result="failed"}',
      "chatd_rate_limited_total",
      "chatd_chatlog_write_seconds_bucket",
      "chatd_chatlog_write_seconds_sum",
      "chatd_chatlog_write_seconds_count",
      "chatd_event_loop_lag_seconds",
      'chatd_runtime_info{runtime="node"',
      "process_cpu_user_seconds_total",
      "process_cpu_system_seconds_total",
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "process_heap_bytes",
      "process_heap_total_bytes",
      "process_start_time_seconds",
    ];
    for (const name of names) expect(text, name).toMatch(new RegExp(`^${name.replace(/[{}"=]/g, (c) => `\\${c}`)}`, "m"));
    const types: Record<string, string> = {
      chatd_up: "gauge",
      chatd_connections: "gauge",
      chatd_messages_in_total: "counter",
      chatd_chatlog_write_seconds: "histogram",
      chatd_event_loop_lag_seconds: "gauge",
      process_start_time_seconds: "gauge",
      process_cpu_seconds_total: "counter",
    };
    for (const [name, type] of Object.entries(types)) expect(text).toContain(`# TYPE ${name} ${type}`);
    expect(text).toMatch(/^chatd_up 1$/m);
    expect(text).toMatch(/^chatd_messages_in_total 1$/m);
    expect(text).toMatch(/^chatd_users_online 1$/m);
  });

  it("serves the page with a strict CSP, nosniff and no-referrer, and JSON 404s", async () => {
    const d = await world.daemon();
    const page = await d.http("/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    const missing = await call(d, "GET", "/no/such/page", undefined, false);
    expect(missing.status).toBe(404);
  });
});

describe("admin API as the README writes it", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("GET /admin/openapi.json needs no token and describes OpenAPI 3.1", async () => {
    const d = await world.daemon();
    const { status, body } = await call(d, "GET", "/admin/openapi.json", undefined, false);
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\.1/);
    const disabled = await world.daemon({ adminToken: "" });
    expect((await call(disabled, "GET", "/admin/openapi.json", undefined, false)).status).toBe(200);
    expect(await call(disabled, "GET", "/admin/uptime")).toMatchObject({ status: 403, body: { error: "admin_disabled" } });
    expect(await call(disabled, "GET", "/admin/nodes")).toMatchObject({ status: 403, body: { error: "admin_disabled" } });
  });

  it("answers errors as {error, message}: 401 unauthorized, 400 bad_request for invalid bodies and queries, 413 too_large", async () => {
    const d = await world.daemon();
    const unauth = await call(d, "GET", "/admin/nodes", undefined, false);
    expect(unauth).toEqual({ status: 401, body: { error: "unauthorized", message: expect.any(String) } });
    for (const [method, path, body] of [
      ["POST", "/admin/kick", "not json"],
      ["POST", "/admin/kick", {}],
      ["POST", "/admin/broadcast", { text: 5 }],
      ["POST", "/admin/broadcast", {}],
      ["PUT", "/admin/motd", {}],
      ["POST", "/admin/ban", { reason: "x" }],
      ["POST", "/admin/unban", []],
      ["POST", "/admin/mute", { user: "alice", room: "general" }],
      ["POST", "/admin/mute", { user: "alice", room: "general", minutes: 0 }],
      ["POST", "/admin/mute", { user: "alice", room: "general", minutes: 525_601 }],
      ["POST", "/admin/unmute", { user: "alice" }],
      ["PUT", "/admin/role", { user: "alice", role: "owner" }],
      ["GET", "/admin/log?limit=1001", undefined],
      ["GET", "/admin/log?limit=0", undefined],
      ["GET", "/admin/log?limit=2.5", undefined],
    ] as Array<[string, string, unknown]>) {
      const res = await call(d, method, path, body);
      expect(res, `${method} ${path} ${JSON.stringify(body)}`).toEqual({ status: 400, body: { error: "bad_request", message: expect.any(String) } });
    }
    const big = await call(d, "POST", "/admin/broadcast", { text: "x".repeat(70 * 1024) });
    expect(big).toEqual({ status: 413, body: { error: "too_large", message: expect.any(String) } });
    const unknown = await call(d, "GET", "/admin/nothing-here");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toEqual(expect.any(String));
  });

  it("GET /admin/rooms marks default rooms however their name is spelt in the config", async () => {
    const d = await world.daemon({ rooms: ["General", "Ｄｅｖ"] });
    const { body } = await call(d, "GET", "/admin/rooms");
    expect(body.rooms).toEqual([
      { name: "general", members: [], default: true },
      { name: "dev", members: [], default: true },
    ]);
  });

  it("takes JSON bodies as curl -d sends them (form content type)", async () => {
    const d = await world.daemon();
    const res = await fetch(`${d.url}/admin/motd`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${d.config.adminToken}`, "Content-Type": "application/x-www-form-urlencoded" },
      body: '{"motd":"Be excellent to each other"}',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ motd: "Be excellent to each other" });
  });

  it("GET /admin/nodes lists one node, local, in embedded mode", async () => {
    const d = await world.daemon();
    const { status, body } = await call(d, "GET", "/admin/nodes");
    expect(status).toBe(200);
    expect(body).toEqual({ nodes: [{ id: "local", self: true, startedAt: expect.any(String), uptimeSeconds: expect.any(Number) }] });
    expect(Date.parse((body.nodes as Json[])[0]!.startedAt as string)).not.toBeNaN();
  });

  it("GET /admin/uptime has every documented field", async () => {
    const d = await world.daemon();
    const { body } = await call(d, "GET", "/admin/uptime");
    expect(Object.keys(body).sort()).toEqual(
      ["uptimeSeconds", "startedAt", "processUptimeSeconds", "processStartedAt", "state", "restarts", "connections", "usersOnline", "rooms", "messagesStored", "deliveries", "version"].sort(),
    );
    expect(body).toMatchObject({ state: "running", restarts: 0, rooms: 1, version: "0.1.0" });
  });

  it("GET /admin/log: 100 messages by default, up to 1000, direct messages not listed", async () => {
    const d = await world.daemon({ limits: { messageBurst: 1000, messagesPerSecond: 1000, ipMessageBurst: 1000 } });
    const { client } = await world.member(d, "alice");
    await world.signIn(d, "bob");
    const ids = await say(client, "general", Array.from({ length: 105 }, (_, i) => `m${i}`));
    client.send({ type: "dm", to: "bob", text: "secret", ref: "dm" });
    await client.next("ack");
    const dflt = await call(d, "GET", "/admin/log");
    expect((dflt.body.messages as Frame[]).map((m) => m.id)).toEqual(ids.slice(-100));
    const all = await call(d, "GET", "/admin/log?limit=1000&room=general");
    expect((all.body.messages as Frame[]).length).toBe(105);
    expect((all.body.messages as Frame[])[0]).toEqual({ type: "message", id: ids[0], room: "general", from: "alice", text: "m0", ts: expect.any(Number) });
  });

  it("kick, ban, unban, mute, unmute, role and broadcast answer the README's shapes", async () => {
    const d = await world.daemon();
    const { client: mallory } = await world.member(d, "Mallory");
    await world.signIn(d, "alice");

    expect(await call(d, "POST", "/admin/kick", { user: "nobody" })).toMatchObject({ status: 404, body: { error: "not_online" } });
    expect(await call(d, "POST", "/admin/ban", { user: "nobody" })).toMatchObject({ status: 404, body: { error: "unknown_user" } });
    expect(await call(d, "POST", "/admin/unban", { user: "nobody" })).toMatchObject({ status: 404, body: { error: "unknown_user" } });
    expect(await call(d, "POST", "/admin/mute", { user: "nobody", room: "general", minutes: 1 })).toMatchObject({ status: 404, body: { error: "unknown_user" } });
    expect(await call(d, "POST", "/admin/unmute", { user: "nobody", room: "general" })).toMatchObject({ status: 404, body: { error: "unknown_user" } });
    expect(await call(d, "PUT", "/admin/role", { user: "nobody", role: "admin" })).toMatchObject({ status: 404, body: { error: "unknown_user" } });

    const before = Date.now();
    const mute = await call(d, "POST", "/admin/mute", { user: "mallory", room: "General", minutes: 10 });
    expect(mute).toEqual({ status: 200, body: { muted: "Mallory", room: "general", until: expect.any(Number) } });
    expect(mute.body.until as number).toBeGreaterThanOrEqual(before + 10 * 60_000);
    expect(await mallory.next("notice")).toMatchObject({ kind: "mute" });
    expect(await call(d, "POST", "/admin/unmute", { user: "mallory", room: "general" })).toEqual({ status: 200, body: { unmuted: "Mallory", room: "general" } });
    expect(await call(d, "PUT", "/admin/role", { user: "alice", role: "moderator" })).toEqual({ status: 200, body: { user: "alice", role: "moderator" } });

    const broadcast = await call(d, "POST", "/admin/broadcast", { text: "Maintenance at 22:00 UTC" });
    expect(broadcast).toEqual({ status: 200, body: { sent: true, recipients: 2 } });
    expect(await mallory.next("notice")).toMatchObject({ kind: "broadcast", text: "Maintenance at 22:00 UTC", ts: expect.any(Number) });

    expect(await call(d, "GET", "/admin/motd")).toEqual({ status: 200, body: { motd: "" } });
    expect(await call(d, "PUT", "/admin/motd", { motd: "Be excellent to each other" })).toEqual({ status: 200, body: { motd: "Be excellent to each other" } });
    expect(await mallory.next("notice")).toMatchObject({ kind: "motd", text: "Be excellent to each other" });

    expect(await call(d, "POST", "/admin/kick", { user: "mallory", reason: "cool off" })).toEqual({ status: 200, body: { kicked: "Mallory", sessions: 1 } });
    expect(await mallory.next("notice")).toMatchObject({ kind: "kick", text: "cool off" });
    expect(await mallory.closed).toEqual({ code: 4000, reason: "kicked" });

    const { client: again } = await world.signIn(d, "mallory");
    expect(await call(d, "POST", "/admin/ban", { user: "mallory", reason: "spam" })).toEqual({ status: 200, body: { banned: "Mallory", sessions: 1 } });
    expect(await again.closed).toEqual({ code: 4002, reason: "banned" });
    expect(await call(d, "POST", "/admin/unban", { user: "MALLORY" })).toEqual({ status: 200, body: { unbanned: "Mallory" } });
  });

  it("answers a restart while restarting with 409 and accepted false", async () => {
    const d = await world.daemon();
    const first = call(d, "POST", "/admin/restart");
    const second = call(d, "POST", "/admin/restart");
    const answers = await Promise.all([first, second]);
    const refused = answers.find((a) => a.status === 409);
    if (refused) expect(refused.body).toMatchObject({ accepted: false, message: expect.any(String) });
    expect(answers.some((a) => a.status === 202)).toBe(true);
    await d.daemon.settled();
  });
});
