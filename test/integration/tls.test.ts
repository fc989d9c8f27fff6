import { afterEach, describe, expect, it } from "vitest";
import { copyFile } from "node:fs/promises";
import { refusedUpgrade, TestClient } from "../helpers/client.ts";
import { World } from "../helpers/harness.ts";
import { httpsGet, makeCertificate, servedFingerprint } from "../helpers/tls.ts";
import { rawRequest } from "../abuse/raw-http.ts";

describe("native TLS", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("serves https with an HSTS header, and chat over wss", async () => {
    const c = makeCertificate(await world.tempDir());
    const d = await world.daemon({ tls: { cert: c.cert, key: c.key } });
    const res = await httpsGet(`https://127.0.0.1:${d.port}/healthz`, c.pem);
    expect(res.status).toBe(200);
    expect(res.headers["strict-transport-security"]).toBe("max-age=31536000");

    const client = await TestClient.connect(`wss://127.0.0.1:${d.port}/ws`, { ca: c.pem });
    world.onCleanup(() => client.ws.terminate());
    expect(await client.request({ type: "hello", user: "alice", password: "correct-horse" }, "welcome")).toMatchObject({ user: "alice" });
  });

  it("sends the HSTS header and the JSON body with a refused wss upgrade too", async () => {
    const c = makeCertificate(await world.tempDir());
    const d = await world.daemon({ tls: { cert: c.cert, key: c.key } });
    const refused = await refusedUpgrade(`wss://127.0.0.1:${d.port}/ws`, { ca: c.pem, headers: { Origin: "https://evil.example" } });
    expect(refused.status).toBe(403);
    expect(refused.headers["strict-transport-security"]).toBe("max-age=31536000");
    expect(JSON.parse(refused.body)).toMatchObject({ error: "forbidden_origin" });
  });

  it("sends the HSTS header with the answer to a HEAD request, of every kind of endpoint", async () => {
    const c = makeCertificate(await world.tempDir());
    const d = await world.daemon({ tls: { cert: c.cert, key: c.key } });
    for (const path of ["/healthz", "/readyz", "/metrics", "/", "/admin/openapi.json", "/no-such-page", "/ws"]) {
      const res = await httpsGet(`https://127.0.0.1:${d.port}${path}`, c.pem, "HEAD");
      expect({ path, hsts: res.headers["strict-transport-security"] }).toEqual({ path, hsts: "max-age=31536000" });
    }
  });

  it("sends no HSTS header over plain http", async () => {
    const d = await world.daemon();
    expect((await d.http("/healthz")).headers.get("strict-transport-security")).toBeNull();
  });

  it("uses new certificate files for new connections after a reload, without a restart", async () => {
    const dir = await world.tempDir();
    const first = makeCertificate(dir, "first");
    const second = makeCertificate(dir, "second");
    const d = await world.daemon({ tls: { cert: first.cert, key: first.key } });
    expect(await servedFingerprint(d.port)).toBe(first.fingerprint);

    await copyFile(second.cert, first.cert);
    await copyFile(second.key, first.key);
    expect(await d.daemon.reloadCertificates()).toBe("reloaded");
    expect(await servedFingerprint(d.port)).toBe(second.fingerprint);
    expect(d.daemon.snapshot.context.restarts).toBe(0);
  });

  it("closes a connection that never finishes its TLS handshake after limits.headersTimeoutMs, as a slow request head", async () => {
    const c = makeCertificate(await world.tempDir());
    const d = await world.daemon({ tls: { cert: c.cert, key: c.key }, limits: { headersTimeoutMs: 300 } });
    // Nothing at all, then the first bytes of a ClientHello and nothing more: neither may hold a socket
    // for Node's 120 s handshake default, far past the documented request-head time.
    const silent = await rawRequest(d.port, "", 5000);
    const partial = await rawRequest(d.port, Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]), 5000);
    for (const r of [silent, partial]) {
      expect(r.closed).toBe(true);
      expect(r.ms).toBeLessThan(3000);
    }
    expect((await httpsGet(`https://127.0.0.1:${d.port}/healthz`, c.pem)).status).toBe(200);
  });

  it("refuses a config with a certificate but no key", async () => {
    await expect(world.daemon({ tls: { cert: "/x.pem", key: "" } })).rejects.toThrow(/tls: set both cert and key, or neither/);
  });
});
