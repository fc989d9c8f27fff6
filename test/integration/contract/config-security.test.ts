import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { TestDaemon } from "../../helpers/daemon.ts";
import { World } from "../../helpers/harness.ts";

/**
 * docs/security.md, the `Origin` check of `/ws` and `security.allowedOrigins` /
 * `security.allowMissingOrigin`: a raw upgrade request, so the test chooses Host and Origin.
 */

function upgrade(d: TestDaemon, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: "127.0.0.1",
      port: d.port,
      path: "/ws",
      headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", ...headers },
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: "" });
    });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the Origin check of /ws", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("accepts the daemon's own origin, http or https, its host and port those of Host (a default port written out or not)", async () => {
    const d = await world.daemon();
    const own = `127.0.0.1:${d.port}`;
    for (const [host, origin] of [
      [own, `http://${own}`],
      [own, `https://${own}`],
      ["chat.example", "https://chat.example"],
      ["Chat.Example", "https://chat.example"],
      ["chat.example:443", "https://chat.example"],
      ["chat.example:80", "http://chat.example"],
    ]) {
      expect((await upgrade(d, { Host: host!, Origin: origin! })).status, `Host ${host}, Origin ${origin}`).toBe(101);
    }
  });

  it("refuses other origins, null included, with 403 forbidden_origin", async () => {
    const d = await world.daemon();
    const own = `127.0.0.1:${d.port}`;
    for (const [host, origin] of [
      [own, "https://evil.example"],
      [own, "http://127.0.0.1"],
      [own, `http://localhost:${d.port}`],
      [own, "null"],
      ["chat.example:443", "http://chat.example"],
      ["chat.example:8443", "https://chat.example"],
    ]) {
      const r = await upgrade(d, { Host: host!, Origin: origin! });
      expect(r.status, `Host ${host}, Origin ${origin}`).toBe(403);
      expect(JSON.parse(r.body)).toMatchObject({ error: "forbidden_origin" });
    }
  });

  it("accepts origins listed in security.allowedOrigins exactly, and any with \"*\"", async () => {
    const d = await world.daemon({ security: { allowedOrigins: ["https://app.example:8443"], allowMissingOrigin: true } });
    expect((await upgrade(d, { Origin: "https://app.example:8443" })).status).toBe(101);
    expect((await upgrade(d, { Origin: "http://app.example:8443" })).status).toBe(403);
    expect((await upgrade(d, { Origin: "https://app.example" })).status).toBe(403);
    const any = await world.daemon({ security: { allowedOrigins: ["*"], allowMissingOrigin: true } });
    expect((await upgrade(any, { Origin: "https://anything.example" })).status).toBe(101);
  });

  it("accepts an upgrade without Origin, or with an empty one, only while security.allowMissingOrigin is true", async () => {
    const open = await world.daemon();
    expect((await upgrade(open, {})).status).toBe(101);
    expect((await upgrade(open, { Origin: "" })).status).toBe(101);
    const closed = await world.daemon({ security: { allowedOrigins: [], allowMissingOrigin: false } });
    for (const headers of [{}, { Origin: "" }] as Array<Record<string, string>>) {
      const r = await upgrade(closed, headers);
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body)).toMatchObject({ error: "forbidden_origin" });
    }
  });
});
