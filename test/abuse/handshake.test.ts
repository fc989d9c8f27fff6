import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { TestClient } from "../helpers/client.ts";
import { World, eventually } from "../helpers/harness.ts";
import { rawRequest, upgradeHead } from "./raw-http.ts";

/** Resolves the HTTP status of a refused upgrade, or 101 if it was accepted. */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => {
      ws.terminate();
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once("error", (e) => (e.message.includes("Unexpected server response") ? undefined : reject(e)));
  });
}

describe("the WebSocket handshake", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  describe("Origin", () => {
    it("accepts the daemon's own origin and a client that sends none", async () => {
      const d = await world.daemon();
      expect(await upgradeStatus(d.wsUrl, { Origin: `http://127.0.0.1:${d.port}` })).toBe(101);
      expect(await upgradeStatus(d.wsUrl)).toBe(101);
    });

    it("refuses a foreign origin with 403 before the upgrade", async () => {
      const d = await world.daemon();
      expect(await upgradeStatus(d.wsUrl, { Origin: "https://evil.example" })).toBe(403);
      expect(await upgradeStatus(d.wsUrl, { Origin: "null" })).toBe(403);
      expect(d.daemon.chat!.hub.sessions.size).toBe(0);
    });

    it("accepts an origin listed in security.allowedOrigins, and any with \"*\"", async () => {
      const d = await world.daemon({ security: { allowedOrigins: ["https://chat.example.com"] } });
      expect(await upgradeStatus(d.wsUrl, { Origin: "https://chat.example.com" })).toBe(101);
      expect(await upgradeStatus(d.wsUrl, { Origin: "https://chat.example.com.evil.example" })).toBe(403);
      const any = await world.daemon({ security: { allowedOrigins: ["*"] } });
      expect(await upgradeStatus(any.wsUrl, { Origin: "https://anywhere.example" })).toBe(101);
    });

    it("refuses a missing Origin with 403 when security.allowMissingOrigin is false", async () => {
      const d = await world.daemon({ security: { allowMissingOrigin: false } });
      expect(await upgradeStatus(d.wsUrl)).toBe(403);
      expect(await upgradeStatus(d.wsUrl, { Origin: `http://127.0.0.1:${d.port}` })).toBe(101);
    });
  });

  describe("connection caps", () => {
    it("refuses connections over limits.maxConnectionsPerIp with 429 and accepts again once one closes", async () => {
      const d = await world.daemon({ limits: { maxConnectionsPerIp: 2 } });
      const a = await world.connect(d);
      await world.connect(d);
      expect(await upgradeStatus(d.wsUrl)).toBe(429);
      await a.close();
      await eventually(async () => (await upgradeStatus(d.wsUrl)) === 101, { what: "a free slot" });
    });

    it("closes a sign-in over limits.maxSessionsPerUser with too_many_sessions and 1008", async () => {
      const d = await world.daemon({ limits: { maxSessionsPerUser: 2 } });
      await world.signIn(d, "alice");
      await world.signIn(d, "alice");
      const third = await world.connect(d);
      const answer = await third.request({ type: "hello", user: "alice", password: "correct-horse" }, "welcome", "error");
      expect(answer).toMatchObject({ type: "error", code: "too_many_sessions" });
      expect(await third.closed).toMatchObject({ code: 1008 });
      // Another user is not affected.
      await world.signIn(d, "bob");
    });
  });

  describe("heartbeat", () => {
    it("terminates a peer that stops answering pings within two intervals and tells the room it left", async () => {
      const d = await world.daemon({ limits: { heartbeatMs: 200 } });
      const { client: bob } = await world.member(d, "bob");
      const { client: dead } = await world.member(d, "dead");
      await bob.next("presence");
      // Stop reading: the socket stays open but no pong ever comes back.
      (dead.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const left = await bob.next("presence", 3000);
      expect(left).toMatchObject({ user: "dead", event: "leave" });
      expect(d.daemon.chat!.hub.sessions.size).toBe(1);
    });

    it("keeps a client that answers pings (ws does so by itself)", async () => {
      const d = await world.daemon({ limits: { heartbeatMs: 100 } });
      const { client } = await world.member(d, "alice");
      await new Promise((r) => setTimeout(r, 600));
      expect(client.ws.readyState).toBe(WebSocket.OPEN);
      expect(await client.request({ type: "ping", ref: 1 }, "pong")).toEqual({ type: "pong", ref: 1 });
    });
  });

  describe("oversized and slow requests", () => {
    it("answers a handshake with thousands of headers quickly with 431", async () => {
      const d = await world.daemon();
      const extra = Array.from({ length: 5000 }, (_, i) => `X-Filler-${i}: ${i}`);
      const r = await rawRequest(d.port, upgradeHead(d.port, extra));
      expect(r.status).toBe(431);
      expect(d.daemon.chat!.hub.sessions.size).toBe(0);
    });

    it("answers a huge Sec-WebSocket-Protocol quickly with 431", async () => {
      const d = await world.daemon();
      const r = await rawRequest(d.port, upgradeHead(d.port, [`Sec-WebSocket-Protocol: ${"a,".repeat(20_000)}a`]));
      expect(r.status).toBe(431);
    });

    it("drops a request whose headers never finish after limits.headersTimeoutMs", async () => {
      const d = await world.daemon({ limits: { headersTimeoutMs: 300 } });
      // Slowloris: a request line and one header, then nothing.
      const r = await rawRequest(d.port, "GET /healthz HTTP/1.1\r\nHost: x\r\n", 5000);
      expect(r.closed).toBe(true);
      expect([408, undefined]).toContain(r.status);
    });

    it("answers a malformed handshake (bad Sec-WebSocket-Key, -Version or -Protocol) with 400 bad_request in JSON, opening nothing", async () => {
      const d = await world.daemon();
      const head = (lines: string[]) =>
        [`GET /ws HTTP/1.1`, `Host: 127.0.0.1:${d.port}`, "Upgrade: websocket", "Connection: Upgrade", ...lines, "", ""].join("\r\n");
      const key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";
      for (const lines of [[key], [key, "Sec-WebSocket-Version: 12"], [key, "Sec-WebSocket-Version: 8"], ["Sec-WebSocket-Version: 13"], ["Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: short"], [key, "Sec-WebSocket-Version: 13", "Sec-WebSocket-Protocol: a b"], [key, "Sec-WebSocket-Version: 13", "Sec-WebSocket-Protocol: chat, chat"]]) {
        const r = await rawRequest(d.port, head(lines));
        expect({ lines, status: r.status }).toEqual({ lines, status: 400 });
        expect(JSON.parse(r.data.slice(r.data.indexOf("\r\n\r\n") + 4))).toMatchObject({ error: "bad_request" });
      }
      expect(d.daemon.chat!.hub.sessions.size).toBe(0);
    });

    it("answers an upgrade sent with another method than GET as that method without an upgrade: 404 not_found in JSON", async () => {
      const d = await world.daemon();
      const r = await rawRequest(d.port, upgradeHead(d.port).replace(/^GET /, "POST "));
      expect(r.status).toBe(404);
      expect(JSON.parse(r.data.slice(r.data.indexOf("\r\n\r\n") + 4))).toMatchObject({ error: "not_found" });
      // HEAD is routed as GET would be, but a HEAD answer cannot upgrade: 426, as a GET without the upgrade.
      expect((await rawRequest(d.port, upgradeHead(d.port).replace(/^GET /, "HEAD "))).status).toBe(426);
      expect(d.daemon.chat!.hub.sessions.size).toBe(0);
    });

    it("survives clients that reset the connection right after sending an upgrade, refused or not", async () => {
      const d = await world.daemon();
      const { connect } = await import("node:net");
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          new Promise<void>((resolve) => {
            const socket = connect(d.port, "127.0.0.1");
            socket.on("error", () => {});
            socket.on("close", () => resolve());
            socket.on("connect", () => {
              socket.write(upgradeHead(d.port, i % 2 ? ["Origin: https://evil.example"] : []));
              // An RST rather than a FIN: the server's next write fails.
              setTimeout(() => socket.resetAndDestroy(), i % 3);
            });
          }),
        ),
      );
      const res = await d.http("/healthz");
      expect(res.status).toBe(200);
      await world.signIn(d, "alice");
    });

    it("still serves everyone else while a slow request hangs", async () => {
      const d = await world.daemon({ limits: { headersTimeoutMs: 1000 } });
      const hanging = rawRequest(d.port, "GET /healthz HTTP/1.1\r\nHost: x\r\n", 5000);
      const res = await d.http("/healthz");
      expect(res.status).toBe(200);
      await hanging;
    });
  });

  it("closes an idle connection that never signs in after limits.authTimeoutMs with 1008", async () => {
    const d = await world.daemon({ limits: { authTimeoutMs: 200 } });
    const client = await TestClient.connect(d.wsUrl);
    expect(await client.closed).toMatchObject({ code: 1008 });
  });
});
