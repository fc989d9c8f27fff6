import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { refusedUpgrade } from "../../helpers/client.ts";
import { World, eventually } from "../../helpers/harness.ts";
import type { DaemonProcess } from "../../helpers/process.ts";

/**
 * docs/operations.md, "Reloading the configuration": SIGHUP and POST /admin/reload read the
 * file again, apply what can change live at once, name what needs a restart and leave it,
 * and refuse an invalid file keeping the running configuration. Against the built process.
 */

const TOKEN = "reload-token";
const AUTH = { Authorization: `Bearer ${TOKEN}` };

describe("reloading the configuration", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  async function start(config: Record<string, unknown> = {}): Promise<{ p: DaemonProcess; file: string; url: string; write(c: Record<string, unknown>): Promise<void> }> {
    const dir = await world.tempDir();
    const file = join(dir, "server.json");
    const write = (c: Record<string, unknown>) => writeFile(file, JSON.stringify({ bcryptCost: 4, ...c }));
    await write(config);
    const p = await world.spawn({ CHAT_CONFIG: file, CHAT_DATA_DIR: join(dir, "data"), CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_ADMIN_TOKEN: TOKEN });
    return { p, file, url: `http://127.0.0.1:${p.port}`, write };
  }
  const reload = async (url: string) => {
    const res = await fetch(`${url}/admin/reload`, { method: "POST", headers: AUTH });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const motd = async (url: string) => ((await (await fetch(`${url}/admin/motd`, { headers: AUTH })).json()) as { motd: string }).motd;

  it("names limits one by one and other fields by their top-level key; what needs a restart is left as it was", async () => {
    const d = await start();
    await d.write({
      registration: "closed",
      bcryptThreads: 2,
      chatLog: { fsync: false },
      files: { unsharedTtlMs: 1000 },
      irc: { serverName: "irc.example" },
      cluster: { redis: { url: "redis://127.0.0.1:6379" } },
      limits: { passwordMinLength: 20, heartbeatMs: 1000, maxFrameBytes: 2048 },
    });
    const r = await reload(d.url);
    expect(r.status).toBe(200);
    expect(r.body.reloaded).toBe(true);
    expect(r.body.tls).toBe("off");
    expect(r.body.changed).toEqual([]);
    expect([...(r.body.restartRequired as string[])].sort()).toEqual(
      ["registration", "bcryptThreads", "chatLog", "files", "irc", "cluster", "limits.passwordMinLength", "limits.heartbeatMs", "limits.maxFrameBytes"].sort(),
    );
    // Still open registration with the 8-character minimum, still embedded (one node, "local").
    await world.signIn(`ws://127.0.0.1:${d.p.port}/ws`, "newcomer", "8 chars!");
    expect(await (await fetch(`${d.url}/admin/nodes`, { headers: AUTH })).json()).toMatchObject({ nodes: [{ id: "local" }] });

    await d.write({ trustedProxies: ["10.0.0.1"], metrics: { public: false }, security: { allowedOrigins: ["https://chat.example"] }, limits: { historyOnJoin: 3, ipJoinBurst: 5 } });
    const live = await reload(d.url);
    expect([...(live.body.changed as string[])].sort()).toEqual(["limits.historyOnJoin", "limits.ipJoinBurst", "metrics", "security", "trustedProxies"].sort());
    expect(live.body.restartRequired).toEqual([]);
  });

  it("applies metrics.public, rooms and maxConnections at once", async () => {
    const d = await start();
    expect((await fetch(`${d.url}/metrics`)).status).toBe(200);
    await d.write({ metrics: { public: false }, rooms: ["general", "lobby"], limits: { maxConnections: 1 } });
    expect((await reload(d.url)).status).toBe(200);
    expect((await fetch(`${d.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${d.url}/metrics`, { headers: AUTH })).status).toBe(200);
    expect(await (await fetch(`${d.url}/admin/rooms`, { headers: AUTH })).json()).toEqual({
      rooms: expect.arrayContaining([{ name: "lobby", members: [], default: true }]),
    });
    const wsUrl = `ws://127.0.0.1:${d.p.port}/ws`;
    await world.connect(wsUrl);
    const refused = await refusedUpgrade(wsUrl);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({ error: "server_full" });
  });

  it("the file is the source of truth: a motd set with PUT /admin/motd is replaced by the file's, and online users get the notice", async () => {
    const d = await start({ motd: "from the file" });
    const { client } = await world.signIn(`ws://127.0.0.1:${d.p.port}/ws`, "alice");
    await fetch(`${d.url}/admin/motd`, { method: "PUT", headers: AUTH, body: JSON.stringify({ motd: "by hand" }) });
    expect(await client.next("notice")).toMatchObject({ kind: "motd", text: "by hand" });
    const r = await reload(d.url);
    expect(r.body.changed).toEqual(["motd"]);
    expect(await motd(d.url)).toBe("from the file");
    expect(await client.next("notice")).toMatchObject({ kind: "motd", text: "from the file" });
  });

  it("SIGHUP reloads like POST /admin/reload and logs it; an invalid file is refused with an error line and nothing changes", async () => {
    const d = await start({ motd: "one" });
    await d.write({ motd: "two" });
    d.p.child.kill("SIGHUP");
    await eventually(async () => (await motd(d.url)) === "two", { what: "the motd of the file" });
    await eventually(() => d.p.output().includes('"msg":"config reloaded"'), { what: "the config reloaded line" });
    const lines = d.p.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ level: "info", msg: "signal received", signal: "SIGHUP" }));
    expect(lines).toContainEqual(expect.objectContaining({ level: "info", msg: "config reloaded", changed: ["motd"], restartRequired: [], tls: "off" }));

    await writeFile(d.file, '{"motd": "three", ');
    d.p.child.kill("SIGHUP");
    await eventually(() => /"level":"error"[^\n]*config/.test(d.p.output()), { what: "an error line for the invalid file" });
    expect(await motd(d.url)).toBe("two");
    const api = await reload(d.url);
    expect(api).toEqual({ status: 400, body: { error: "invalid_config", message: expect.stringContaining(d.file) } });
    expect(await motd(d.url)).toBe("two");
    expect((await fetch(`${d.url}/healthz`)).status).toBe(200);
  });
});
