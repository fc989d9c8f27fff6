import { afterEach, describe, expect, it } from "vitest";
import { parseConfig, type Config } from "../../src/config/index.ts";
import { setConfigSource } from "../../src/ops/reload.ts";
import { World } from "../helpers/harness.ts";
import type { TestDaemon } from "../helpers/daemon.ts";

/** Makes the daemon reload from `file` (the parsed config of a test, as run() does from disk). */
function reloadFrom(d: TestDaemon, file: () => Record<string, unknown>) {
  setConfigSource(d.daemon, async (): Promise<Config> => parseConfig({ ...file(), dataDir: d.dataDir }));
}

const reload = async (d: TestDaemon) => {
  const res = await d.http("/admin/reload", { method: "POST", admin: true });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe("POST /admin/reload", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("applies the motd, rooms and limits at once, and names the fields that need a restart without applying them", async () => {
    const d = await world.daemon({ motd: "old", limits: { maxTextLength: 100 } });
    const base = { host: "127.0.0.1", port: 0, bcryptCost: 4, adminToken: d.config.adminToken };
    const { client } = await world.member(d, "alice");
    reloadFrom(d, () => ({ ...base, motd: "new", rooms: ["general", "ops"], port: 1, limits: { maxTextLength: 10, maxFrameBytes: 4096 } }));

    const res = await reload(d);
    expect(res).toEqual({ status: 200, body: { reloaded: true, changed: ["motd", "rooms", "limits.maxTextLength"], restartRequired: ["port", "limits.maxFrameBytes"], tls: "off" } });
    expect(await client.next("notice")).toMatchObject({ kind: "motd", text: "new" });
    expect(await client.request({ type: "say", room: "general", text: "more than ten", ref: 1 }, "error")).toMatchObject({ code: "too_large" });
    const { welcome } = await world.signIn(d, "bob");
    expect(welcome).toMatchObject({ motd: "new", rooms: ["general", "ops"] });
    expect(d.config.limits.maxFrameBytes).toBe(65536);
    expect(d.config.port).toBe(0);
  });

  it("reports the heartbeat, the HTTP server's limits and the cluster as needing a restart, and leaves them", async () => {
    const d = await world.daemon();
    const base = { host: "127.0.0.1", port: 0, bcryptCost: 4, adminToken: d.config.adminToken };
    reloadFrom(d, () => ({ ...base, limits: { heartbeatMs: 1000, headersTimeoutMs: 2000, requestTimeoutMs: 3000, maxHeaderBytes: 4096 } }));
    const res = await reload(d);
    expect(res.body).toMatchObject({
      changed: [],
      restartRequired: ["limits.heartbeatMs", "limits.headersTimeoutMs", "limits.requestTimeoutMs", "limits.maxHeaderBytes"],
    });
    expect(d.config.limits.heartbeatMs).toBe(30_000);
    reloadFrom(d, () => ({ ...base, cluster: { redis: { url: "redis://127.0.0.1:1" } } }));
    expect((await reload(d)).body).toMatchObject({ changed: [], restartRequired: ["cluster"] });
    expect(d.config.cluster).toBeUndefined();
  });

  it("refuses an invalid configuration with 400 invalid_config and changes nothing", async () => {
    const d = await world.daemon({ motd: "kept" });
    reloadFrom(d, () => ({ motd: "changed", limits: { maxTextLength: -1 } }));
    const res = await reload(d);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "invalid_config", message: expect.stringContaining("limits.maxTextLength") });
    expect(d.config.motd).toBe("kept");
  });

  it("answers 409 on a daemon that was not started from a config source", async () => {
    const d = await world.daemon();
    expect((await reload(d)).status).toBe(409);
  });

  it("needs the admin token", async () => {
    const d = await world.daemon();
    expect((await d.http("/admin/reload", { method: "POST" })).status).toBe(401);
  });
});
