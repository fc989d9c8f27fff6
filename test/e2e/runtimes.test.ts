import { copyFile, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request } from "node:https";
import WebSocket from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { World, ask, eventually, say, within, writeConfig } from "../helpers/harness.ts";
import { daemonCommand, type RuntimeName } from "../helpers/runtimes.ts";
import { refusedUpgrade, TestClient } from "../helpers/client.ts";
import { httpsGet, makeCertificate, servedFingerprint } from "../helpers/tls.ts";

function httpsRequest(url: string, options: Parameters<typeof request>[1]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, options, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on("error", reject)
      .end();
  });
}

const TOKEN = "e2e-admin-token";
const CONFIG = { bcryptCost: 4, rooms: ["general"], motd: "first", limits: { maxFrameBytes: 2048 } };
type Json = Record<string, unknown>;

/**
 * The same end-to-end conversation against the daemon started as a process on
 * each runtime: what the README promises holds on Node and on Deno alike.
 */
describe.each<RuntimeName>(["node", "deno"])("the daemon on %s", (runtime) => {
  const world = new World();
  afterEach(() => world.cleanup());

  async function start(env: Record<string, string> = {}, config: Record<string, unknown> = {}) {
    const dir = await world.tempDir();
    const configPath = await writeConfig(dir, { ...CONFIG, ...config });
    const p = await world.spawn(
      { CHAT_CONFIG: configPath, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_DATA_DIR: dir, CHAT_ADMIN_TOKEN: TOKEN, ...env },
      { command: daemonCommand(runtime) },
    );
    const url = `http://127.0.0.1:${p.port}`;
    const admin = async (path: string, init: RequestInit = {}, token: string | null = TOKEN) => {
      const headers = new Headers(init.headers);
      if (token !== null) headers.set("Authorization", `Bearer ${token}`);
      if (init.body !== undefined) headers.set("content-type", "application/json");
      const res = await fetch(`${url}${path}`, { ...init, headers });
      return { status: res.status, body: (await res.json()) as Json };
    };
    return { p, url, wsUrl: `ws://127.0.0.1:${p.port}/ws`, admin, configPath, dir };
  }

  it("says it runs on this runtime and answers /healthz", async () => {
    const { p, url } = await start();
    expect(p.output()).toContain(`"runtime":"${runtime}"`);
    const res = await fetch(`${url}/healthz`);
    expect(await res.json()).toEqual({ status: "ok", state: "running" });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it("refuses a /ws upgrade from a foreign origin with 403 and its JSON body, and a plain GET /ws with 426", async () => {
    const { url, wsUrl } = await start();
    const refused = await refusedUpgrade(wsUrl, { headers: { Origin: "https://evil.example" } });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: "forbidden_origin" });
    const plain = await fetch(`${url}/ws`);
    expect(plain.status).toBe(426);
    expect(await plain.json()).toMatchObject({ error: "upgrade_required" });
  });

  it("serves /metrics with this runtime's process metrics", async () => {
    const { url } = await start();
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain(`chatd_runtime_info{runtime="${runtime}"`);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^process_cpu_seconds_total [\d.]+/m);
    expect(text).toMatch(/^chatd_up 1$/m);
  });

  it("lets two clients sign in, join, chat with acks, and resume with a token and since", async () => {
    const { wsUrl } = await start();
    const alice = await world.member({ wsUrl }, "alice");
    const bob = await world.member({ wsUrl }, "bob");
    expect(alice.welcome).toMatchObject({ user: "alice", created: true });

    const [first] = await say(alice.client, "general", ["hello bob"]);
    expect(await bob.client.next("message")).toMatchObject({ id: first, room: "general", from: "alice", text: "hello bob" });

    // Bob drops; alice says two more; bob resumes with his token and gets exactly those.
    await bob.client.close();
    const missed = await say(alice.client, "general", ["one", "two"]);
    const { client: again, welcome } = await world.resume({ wsUrl }, bob.welcome.token);
    expect(welcome.user).toBe("bob");
    const joined = await again.request({ type: "join", room: "general", since: first }, "joined");
    expect((joined.history as Json[]).map((m) => m.id)).toEqual(missed);
    expect(joined.recovered).toBe(true);
  });

  it("carries a conversation (issue 19): reply, mention, edit, react, delete, topic, read, and keeps it over a restart", async () => {
    const { wsUrl, admin } = await start();
    const alice = await world.member({ wsUrl }, "alice");
    const bob = await world.member({ wsUrl }, "bob");
    const [first] = await say(alice.client, "general", ["first"]);
    const reply = await ask(bob.client, { type: "say", room: "general", text: "@alice yes", replyTo: first });
    expect(reply).toMatchObject({ type: "ack" });
    const got = await eventually(() => alice.client.frames.find((f) => f.type === "message" && f.id === reply.id) ?? Promise.reject(new Error("not yet")));
    expect(got).toMatchObject({ from: "bob", replyTo: first, mentions: ["alice"] });
    expect(await ask(alice.client, { type: "edit", id: first, text: "first!" })).toMatchObject({ type: "ack", id: first });
    expect(await bob.client.next("edited")).toMatchObject({ id: first, room: "general", text: "first!" });
    expect(await ask(bob.client, { type: "react", id: first, emoji: "👍" })).toMatchObject({ type: "ack", id: first });
    expect(await alice.client.next("reaction")).toEqual({ type: "reaction", id: first, room: "general", emoji: "👍", user: "bob", on: true });
    expect(await ask(bob.client, { type: "delete", id: reply.id })).toMatchObject({ type: "ack", id: reply.id });
    expect(await alice.client.next("deleted")).toEqual({ type: "deleted", id: reply.id, room: "general" });
    expect(await ask(alice.client, { type: "topic", room: "general", text: "on every runtime" })).toMatchObject({ type: "ack" });
    expect(await bob.client.next("topic")).toMatchObject({ room: "general", text: "on every runtime", by: "alice" });
    expect(await ask(alice.client, { type: "read", room: "general", id: reply.id })).toMatchObject({ type: "ack" });
    expect((await admin("/admin/restart", { method: "POST" })).status).toBe(202);
    expect((await alice.client.closed).code).toBe(1012);
    await eventually(async () => (await admin("/admin/uptime")).body.restarts === 1, { what: "the restarted daemon" });
    const again = await world.signIn({ wsUrl }, "alice");
    const joined = await again.client.request({ type: "join", room: "general" }, "joined");
    expect(joined).toMatchObject({ topic: "on every runtime", lastRead: reply.id, unread: 0 });
    expect(joined.history).toEqual([
      { type: "message", id: first, room: "general", from: "alice", text: "first!", ts: expect.any(Number), editedAt: expect.any(Number), reactions: { "👍": ["bob"] } },
      { type: "message", id: reply.id, room: "general", from: "bob", ts: expect.any(Number), deleted: true },
    ]);
  });

  it("serves the admin API with the token (uptime, log, broadcast, kick) and refuses it without (401)", async () => {
    const { wsUrl, admin } = await start();
    const { client } = await world.member({ wsUrl }, "alice");
    await say(client, "general", ["logged"]);

    expect(await admin("/admin/uptime", {}, null)).toMatchObject({ status: 401, body: { error: "unauthorized" } });
    expect(await admin("/admin/uptime", {}, "wrong")).toMatchObject({ status: 401 });

    expect(await admin("/admin/uptime")).toMatchObject({ status: 200, body: { state: "running", usersOnline: 1 } });
    const log = await admin("/admin/log?room=general");
    expect((log.body.messages as Json[]).map((m) => m.text)).toEqual(["logged"]);

    expect(await admin("/admin/broadcast", { method: "POST", body: JSON.stringify({ text: "maintenance" }) })).toMatchObject({
      status: 200,
      body: { sent: true, recipients: 1 },
    });
    expect(await client.next("notice")).toMatchObject({ text: "maintenance" });

    expect(await admin("/admin/kick", { method: "POST", body: JSON.stringify({ user: "alice" }) })).toMatchObject({
      status: 200,
      body: { kicked: "alice", sessions: 1 },
    });
    expect((await client.closed).code).toBe(4000);
  });

  it("takes the client address from X-Forwarded-For only when the peer is a trusted proxy", async () => {
    const seen = async (wsUrl: string, admin: (path: string) => Promise<{ body: Json }>) => {
      const client = await TestClient.connect(wsUrl, { headers: { "X-Forwarded-For": "203.0.113.7" } });
      world.onCleanup(() => client.ws.terminate());
      await client.request({ type: "hello", user: "alice", password: "correct-horse" }, "welcome");
      return ((await admin("/admin/users")).body.online as Json[])[0]!.address;
    };
    const untrusted = await start();
    expect(await seen(untrusted.wsUrl, untrusted.admin)).toBe("127.0.0.1");
    const trusted = await start({}, { trustedProxies: ["127.0.0.1", "::1"] });
    expect(await seen(trusted.wsUrl, trusted.admin)).toBe("203.0.113.7");
  });

  /** The status of a hand-made upgrade request to /ws (101 when it upgrades). */
  function upgradeStatus(port: number, headers: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, path: "/ws", headers });
      req.on("upgrade", (res, socket) => {
        socket.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
  }

  it("upgrades with `Upgrade: WebSocket` in any case, and answers an upgrade without a key with 400", async () => {
    const { p } = await start();
    const handshake = { Connection: "Upgrade", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==" };
    expect(await upgradeStatus(p.port, { ...handshake, Upgrade: "WebSocket" })).toBe(101);
    expect(await upgradeStatus(p.port, { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13" })).toBe(400);
    expect(p.output()).not.toContain('"level":"error"');
  });

  it("drops a client that answers no pings within two limits.heartbeatMs", async () => {
    const { wsUrl } = await start({}, { limits: { ...CONFIG.limits, heartbeatMs: 500 } });
    const silent = new WebSocket(wsUrl, { autoPong: false });
    const t0 = Date.now();
    const closed = new Promise<number>((resolve) => silent.on("close", () => resolve(Date.now() - t0)));
    await within(4000, closed);
  });

  it("refuses to start a second daemon on a data folder in use (exit code 1), naming the holder", async () => {
    const { dir, configPath } = await start();
    const second = await world.spawn(
      { CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_DATA_DIR: dir, CHAT_CONFIG: configPath },
      { command: daemonCommand(runtime), waitListening: false },
    );
    expect((await second.exited).code).toBe(1);
    expect(second.output()).toContain("is in use by another chatd");
  });

  it("closes with 1009 on a message over limits.maxFrameBytes and 1003 on a binary message", async () => {
    const { wsUrl } = await start();
    const { client: big } = await world.signIn(wsUrl, "alice");
    big.send({ type: "say", room: "general", text: "x".repeat(4096) });
    expect((await big.closed).code).toBe(1009);

    const { client: binary } = await world.signIn(wsUrl, "bob");
    binary.ws.send(Buffer.from(JSON.stringify({ type: "ping" })), { binary: true });
    expect((await binary.closed).code).toBe(1003);
  });

  it("answers a request head over limits.maxHeaderBytes with 431, and one under it as usual", async () => {
    const { url } = await start({}, { limits: { maxHeaderBytes: 4096 } });
    const head = (bytes: number) => fetch(`${url}/healthz`, { headers: { "X-Padding": "a".repeat(bytes) } });
    expect((await head(1000)).status).toBe(200);
    const refused = await head(8000);
    expect(refused.status).toBe(431);
    await refused.body?.cancel();
  });

  it("restarts in place on POST /admin/restart: clients get 1012 and the same port serves again", async () => {
    const { wsUrl, admin } = await start();
    const { client, welcome } = await world.member({ wsUrl }, "alice");
    expect(await admin("/admin/restart", { method: "POST" })).toMatchObject({ status: 202, body: { accepted: true } });
    expect((await client.closed).code).toBe(1012);
    await eventually(async () => (await admin("/admin/uptime")).body.restarts === 1, { what: "the restarted daemon" });
    expect((await world.resume({ wsUrl }, welcome.token)).welcome.user).toBe("alice");
  });

  it("reloads its config file on SIGHUP: online users get the new motd, new sign-ins see it", async () => {
    const { p, wsUrl, configPath } = await start();
    const { client } = await world.signIn(wsUrl, "alice");
    await writeFile(configPath, JSON.stringify({ ...CONFIG, motd: "second" }));
    p.child.kill("SIGHUP");
    expect(await client.next("notice")).toMatchObject({ kind: "motd", text: "second" });
    expect((await world.signIn(wsUrl, "bob")).welcome.motd).toBe("second");
    // Log lines may wait up to 20 ms for others to share their write (docs/operations.md, Logs).
    await eventually(() => p.output().includes('"msg":"config reloaded"'), { what: "the reload's log line" });
  });

  it("serves https with HSTS and wss with CHAT_TLS_CERT / CHAT_TLS_KEY, and takes new certificates on a reload", async () => {
    const dir = await world.tempDir();
    const first = makeCertificate(dir, "first");
    const second = makeCertificate(dir, "second");
    const { p } = await start({ CHAT_TLS_CERT: first.cert, CHAT_TLS_KEY: first.key });
    const res = await httpsGet(`https://127.0.0.1:${p.port}/healthz`, first.pem);
    expect(res.status).toBe(200);
    expect(res.headers["strict-transport-security"]).toBe("max-age=31536000");
    const client = await TestClient.connect(`wss://127.0.0.1:${p.port}/ws`, { ca: first.pem });
    world.onCleanup(() => client.ws.terminate());
    expect(await client.request({ type: "hello", user: "alice", password: "correct-horse" }, "welcome")).toMatchObject({ user: "alice" });

    await copyFile(second.cert, first.cert);
    await copyFile(second.key, first.key);
    const adminTls = (path: string) =>
      httpsRequest(`https://127.0.0.1:${p.port}${path}`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}` }, rejectUnauthorized: false });
    if (runtime === "node") {
      // Node swaps the certificate in place: no restart, no dropped clients.
      expect(JSON.parse((await adminTls("/admin/reload")).body)).toMatchObject({ tls: "reloaded" });
    } else {
      // Deno.serve cannot swap certificates: the reload says so, and a restart in place applies them.
      expect(JSON.parse((await adminTls("/admin/reload")).body)).toMatchObject({ tls: "restart_required" });
      await adminTls("/admin/restart");
    }
    expect(await eventually(async () => (await servedFingerprint(p.port).catch(() => "")) === second.fingerprint, { what: "the new certificate" })).toBe(true);
  });

  it("stops gracefully on SIGTERM: clients are closed with 1001 and the process exits 0", async () => {
    const { p, wsUrl } = await start();
    const { client } = await world.member({ wsUrl }, "alice");
    p.child.kill("SIGTERM");
    expect(await client.closed).toEqual({ code: 1001, reason: "server shutting down" });
    expect(client.frames.find((f) => f.type === "notice")).toMatchObject({ kind: "shutdown" });
    expect(await within(5000, p.exited, "exit")).toEqual({ code: 0, signal: null });
  });
});
