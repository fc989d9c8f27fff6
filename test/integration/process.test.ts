import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Frame } from "../helpers/client.ts";
import { World, eventually, runToExit, within, writeConfig } from "../helpers/harness.ts";

const TOKEN = "process-admin-token";

/** The daemon as `npm start` runs it, on an ephemeral port with its own data and a cheap bcrypt. */
async function start(world: World, options: { config?: Record<string, unknown>; env?: Record<string, string>; dataDir?: string } = {}) {
  const dir = await world.tempDir();
  const dataDir = options.dataDir ?? dir;
  const configPath = await writeConfig(dir, { bcryptCost: 4, rooms: ["general"], ...options.config });
  const p = await world.spawn({
    CHAT_CONFIG: configPath,
    CHAT_HOST: "127.0.0.1",
    CHAT_PORT: "0",
    CHAT_DATA_DIR: dataDir,
    CHAT_ADMIN_TOKEN: TOKEN,
    CHAT_LOG_LEVEL: "info",
    ...options.env,
  });
  return { p, dataDir, wsUrl: `ws://127.0.0.1:${p.port}/ws`, url: `http://127.0.0.1:${p.port}` };
}

function admin(url: string, path: string, method = "GET") {
  return fetch(`${url}${path}`, { method, headers: { Authorization: `Bearer ${TOKEN}` } });
}

describe("the daemon process", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`stops gracefully on ${signal}: clients get a shutdown notice and 1001, the process exits 0 within 5 s`, async () => {
      const { p, wsUrl } = await start(world);
      const { client } = await world.member({ wsUrl }, "alice");
      const anonymous = await world.connect(wsUrl); // not signed in

      const sentAt = Date.now();
      p.child.kill(signal);
      expect(await client.next("notice")).toMatchObject({ type: "notice", kind: "shutdown" });
      expect(await client.closed).toEqual({ code: 1001, reason: "server shutting down" });
      expect((await anonymous.closed).code).toBe(1001);
      expect(await within(5000, p.exited, "exit")).toEqual({ code: 0, signal: null });
      expect(Date.now() - sentAt).toBeLessThan(5000);
      expect(p.output()).toContain('"msg":"bye"');
    });
  }

  it("exits 0 after POST /admin/stop, having answered 202", async () => {
    const { p, url, wsUrl } = await start(world);
    const { client } = await world.signIn(wsUrl, "alice");
    const res = await admin(url, "/admin/stop", "POST");
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: true, state: "stopping" });
    expect((await client.closed).code).toBe(1001);
    expect(await within(5000, p.exited, "exit")).toEqual({ code: 0, signal: null });
  });

  it("restarts in place on POST /admin/restart: the same port serves and uptime shows restarts 1", async () => {
    const { p, url, wsUrl } = await start(world);
    const { client, welcome } = await world.member({ wsUrl }, "alice");
    const res = await admin(url, "/admin/restart", "POST");
    expect(res.status).toBe(202);
    expect((await client.closed).code).toBe(1012);

    const uptime = await eventually(
      async () => {
        const r = await admin(url, "/admin/uptime");
        const body = (await r.json()) as Record<string, unknown>;
        return body.state === "running" ? body : undefined;
      },
      { what: "the daemon to serve again" },
    );
    expect(uptime).toMatchObject({ state: "running", restarts: 1 });
    expect(p.child.exitCode).toBeNull();
    const { welcome: again } = await world.resume({ wsUrl }, welcome.token);
    expect(again.user).toBe("alice");
  });

  it("runs the console on a piped stdin with CHAT_CONSOLE=on: uptime answers, stop exits 0", async () => {
    const { p } = await start(world, { env: { CHAT_CONSOLE: "on" } });
    p.child.stdin!.write("uptime\n");
    await eventually(() => /running, up \d+s .*0 restarts/.test(p.output()), { what: "an uptime line" });
    p.child.stdin!.write("stop\n");
    expect(await within(5000, p.exited, "exit")).toEqual({ code: 0, signal: null });
  });

  it("loses nothing it acknowledged when killed with SIGKILL mid-stream", async () => {
    const { p, dataDir, wsUrl } = await start(world, { config: { limits: { messagesPerSecond: 100_000, messageBurst: 100_000 } } });
    const { client, welcome } = await world.member({ wsUrl }, "alice");

    // Keep 25 messages in flight at all times; kill the daemon once 150 are acknowledged.
    const TOTAL = 300;
    const acked = new Map<string, string>();
    let sent = 0;
    const sendOne = () => {
      client.send({ type: "say", room: "general", text: `message ${sent}`, ref: sent });
      sent += 1;
    };
    for (let i = 0; i < 25; i++) sendOne();
    let killed = false;
    for (;;) {
      let f: Frame;
      try {
        f = await client.next("ack");
      } catch {
        break; // the socket is gone
      }
      acked.set(f.id as string, `message ${f.ref as number}`);
      if (!killed && acked.size >= 150) {
        p.child.kill("SIGKILL");
        killed = true;
      }
      if (!killed && sent < TOTAL) sendOne();
    }
    expect(killed).toBe(true);
    expect(await p.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(acked.size).toBeGreaterThanOrEqual(150);

    const next = await start(world, { dataDir });
    const { client: again } = await world.resume({ wsUrl: next.wsUrl }, welcome.token);
    await again.request({ type: "join", room: "general" }, "joined");
    const history = await again.request({ type: "history", room: "general", limit: 1000 }, "history");
    const stored = new Map((history.messages as Array<{ id: string; text: string }>).map((m) => [m.id, m.text]));
    for (const [id, text] of acked) expect(stored.get(id), id).toBe(text);
    // What is there beyond the acks was sent, in order, once.
    const ids = [...stored.keys()];
    expect(ids).toEqual([...ids].sort());
    expect(stored.size).toBeLessThanOrEqual(sent);
    expect(new Set(stored.values()).size).toBe(stored.size);
  });
});

describe("refusing to start", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("exits 2 naming CHAT_PORT when it is not a number", async () => {
    const dir = await world.tempDir();
    const r = await runToExit({ CHAT_PORT: "abc", CHAT_DATA_DIR: dir, CHAT_CONFIG: await writeConfig(dir, {}) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("CHAT_PORT");
    expect(r.stdout).not.toContain('"msg":"listening"');
  });

  it("exits 2 naming the field when the config file has a value of the wrong type", async () => {
    const dir = await world.tempDir();
    const r = await runToExit({ CHAT_CONFIG: await writeConfig(dir, { port: "x" }), CHAT_DATA_DIR: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\bport\b/);
  });

  it("exits 2 naming an unknown field, also inside limits", async () => {
    const dir = await world.tempDir();
    const top = await runToExit({ CHAT_CONFIG: await writeConfig(dir, { colour: "blue" }, "top.json"), CHAT_DATA_DIR: dir });
    expect(top.code).toBe(2);
    expect(top.stderr).toContain("colour");
    const nested = await runToExit({ CHAT_CONFIG: await writeConfig(dir, { limits: { maxFrameByte: 4096 } }, "nested.json"), CHAT_DATA_DIR: dir });
    expect(nested.code).toBe(2);
    expect(nested.stderr).toContain("maxFrameByte");
  });

  it("exits 2 when CHAT_CONFIG names a file that does not exist or is not JSON", async () => {
    const dir = await world.tempDir();
    const missing = await runToExit({ CHAT_CONFIG: `${dir}/nope.json`, CHAT_DATA_DIR: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("nope.json");
    const path = `${dir}/broken.json`;
    await writeFile(path, "{ port: 1 ");
    const broken = await runToExit({ CHAT_CONFIG: path, CHAT_DATA_DIR: dir });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain("broken.json");
  });

  it("exits 1 with a clear message when the port is in use", async () => {
    const dir = await world.tempDir();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    world.onCleanup(() => new Promise((resolve) => blocker.close(resolve)));
    const port = (blocker.address() as { port: number }).port;

    const r = await runToExit({
      CHAT_CONFIG: await writeConfig(dir, {}),
      CHAT_HOST: "127.0.0.1",
      CHAT_PORT: String(port),
      CHAT_DATA_DIR: dir,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`port ${port}`);
    expect(r.stderr).toMatch(/in use/);
  });
});
