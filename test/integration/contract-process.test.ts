import { spawn } from "node:child_process";
import { access, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { World, eventually, runToExit, within, writeConfig } from "../helpers/harness.ts";
import { MAIN } from "../helpers/process.ts";

/** The Configuration, environment, logging and console claims of the README, docs/configuration.md and docs/operations.md, against the built daemon process. */

describe("configuration and environment that stop the daemon (exit code 2)", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  async function refused(env: Record<string, string>, config: Record<string, unknown> = {}) {
    const dir = await world.tempDir();
    const r = await runToExit({ CHAT_CONFIG: await writeConfig(dir, config), CHAT_DATA_DIR: dir, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", ...env });
    expect(r.stdout, "never listened").not.toContain('"msg":"listening"');
    return r;
  }

  it.each([
    ["CHAT_LOG_LEVEL", "verbose"],
    ["CHAT_LOG_FORMAT", "xml"],
    ["CHAT_CONSOLE", "sometimes"],
    ["CHAT_PORT", "70000"],
    ["CHAT_PORT", "-1"],
    ["CHAT_REDIS_URL", "http://127.0.0.1:6379"],
    ["CHAT_TLS_CERT", "cert.pem"],
    ["CHAT_NODE_ID", "node-1"],
  ])("%s=%s: exit 2, naming the variable or field", async (name, value) => {
    const r = await refused({ [name]: value });
    expect(r.code).toBe(2);
    const field = { CHAT_PORT: /CHAT_PORT|port/, CHAT_REDIS_URL: /CHAT_REDIS_URL|url/, CHAT_TLS_CERT: /CHAT_TLS|tls/, CHAT_NODE_ID: /cluster\.redis\.url|CHAT_REDIS_URL/ }[name as string] ?? new RegExp(name);
    expect(r.stderr).toMatch(field);
  });

  it.each([
    [{ CHAT_PORT: "abc" }, '  port: expected an integer, got "abc" (set by CHAT_PORT)'],
    [{ CHAT_PORT: "99999" }, "  port: Too big: expected number to be <=65535 (set by CHAT_PORT)"],
    [{ CHAT_LOG_FORMAT: "xml" }, '  CHAT_LOG_FORMAT: expected auto, json or pretty, got "xml"'],
    [{ CHAT_CONSOLE: "sometimes" }, '  CHAT_CONSOLE: expected auto, on or off, got "sometimes"'],
  ])("%j: the one format, `chatd: <file>: invalid configuration` and a line naming the problem", async (env, line) => {
    const dir = await world.tempDir();
    const config = await writeConfig(dir, {});
    const r = await runToExit({ CHAT_CONFIG: config, CHAT_DATA_DIR: dir, CHAT_HOST: "127.0.0.1", ...env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`chatd: ${config}: invalid configuration\n${line}\n`);
  });

  it("a certificate or key file that cannot be read, or is not PEM: exit 2, naming the field and the file", async () => {
    const dir = await world.tempDir();
    const missing = await refused({ CHAT_TLS_CERT: `${dir}/missing.pem`, CHAT_TLS_KEY: `${dir}/missing-key.pem` });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`tls.cert: cannot read ${dir}/missing.pem: ENOENT`);
    const notPem = `${dir}/cert.txt`;
    await writeFile(notPem, "hello");
    const wrong = await refused({ CHAT_TLS_CERT: notPem, CHAT_TLS_KEY: notPem });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`tls.cert: ${notPem} is not a PEM file`);
  });

  it("CHAT_NODE_ID that is not letters, digits, '.', '_' and '-': exit 2", async () => {
    const r = await refused({ CHAT_REDIS_URL: "redis://127.0.0.1:1", CHAT_NODE_ID: "node 1!" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("nodeId");
  });

  it.each([
    [{ bcryptCost: 3 }, "bcryptCost"],
    [{ bcryptCost: 16 }, "bcryptCost"],
    [{ bcryptThreads: 17 }, "bcryptThreads"],
    [{ registration: "invite" }, "registration"],
    [{ chatLog: { keepFiles: 1001 } }, "keepFiles"],
    [{ rooms: ["not a room"] }, "rooms"],
    [{ tls: { key: "key.pem" } }, "tls"],
    [{ metrics: { public: "yes" } }, "public"],
    [{ security: { allowMissingOrigin: 1 } }, "allowMissingOrigin"],
  ])("config %j: exit 2 naming %s", async (config, field) => {
    const r = await refused({}, config);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(field);
  });
});

describe("defaults and logging", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("runs on all defaults without config/server.json, data in ./data of the working directory, JSON logs on a pipe", async () => {
    const cwd = await world.tempDir();
    const p = await world.spawn({ CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_CONFIG: "", CHAT_LOG_FORMAT: "", CHAT_LOG_LEVEL: "" }, { cwd });
    const health = await fetch(`http://127.0.0.1:${p.port}/healthz`);
    expect(await health.json()).toEqual({ status: "ok", state: "running" });
    await access(join(cwd, "data", "chatd.lock"));
    const line = p.output().split("\n").find((l) => l.includes('"msg":"listening"'))!;
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(parsed).slice(0, 3)).toEqual(["level", "time", "msg"]);
    expect(parsed.level).toBe("info");
    expect(parsed.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(parsed.port).toBe(p.port);
  });

  it("writes pretty lines with CHAT_LOG_FORMAT=pretty", async () => {
    const dir = await world.tempDir();
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, CHAT_CONSOLE: "off", CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_CONFIG: await writeConfig(dir, {}), CHAT_DATA_DIR: dir, CHAT_LOG_FORMAT: "pretty" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    world.onCleanup(async () => {
      child.kill("SIGKILL");
      await exited;
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    await eventually(() => /^\d\d:\d\d:\d\d\.\d{3} INFO {2}listening .*port=\d+/m.test(out), { what: "a pretty listening line" });
  });
});

describe("the console", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("answers help, log, say, motd and reload as documented; quit stops with exit 0", async () => {
    const dir = await world.tempDir();
    const config = await writeConfig(dir, { bcryptCost: 4 });
    const p = await world.spawn({ CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_CONFIG: config, CHAT_DATA_DIR: join(dir, "data"), CHAT_CONSOLE: "on" });
    const send = (line: string) => p.child.stdin!.write(`${line}\n`);

    send("help");
    for (const command of ["help", "uptime", "users", "rooms", "nodes", "log", "kick", "say", "motd", "reload", "restart", "stop"]) {
      await eventually(() => new RegExp(`^(chatd> )?\\s*${command}\\b`, "m").test(p.output()), { what: `help listing ${command}` });
    }
    send("nodes");
    await eventually(() => /^(chatd> )?\s*local\b/m.test(p.output()), { what: "nodes: local" });
    send("motd Be kind");
    await eventually(() => p.output().includes("Be kind"), { what: "motd set" });

    await writeFile(config, JSON.stringify({ bcryptCost: 4, motd: "from the file", registration: "closed" }));
    send("reload");
    await eventually(() => p.output().includes("reloaded: changed motd; needs a process restart: registration; tls off"), { what: "the reload line" });
    send("quit");
    expect(await within(5000, p.exited, "exit")).toEqual({ code: 0, signal: null });
  });

  it("sends the console's say as a broadcast notice, kicks with 4000, and Ctrl-D (end of input) closes the console, not the server", async () => {
    const dir = await world.tempDir();
    const p = await world.spawn({ CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_CONFIG: await writeConfig(dir, { bcryptCost: 4 }), CHAT_DATA_DIR: join(dir, "data"), CHAT_CONSOLE: "on" });
    const wsUrl = `ws://127.0.0.1:${p.port}/ws`;
    const { client } = await world.signIn(wsUrl, "alice");
    p.child.stdin!.write("say Maintenance soon\n");
    expect(await client.next("notice")).toMatchObject({ kind: "broadcast", text: "Maintenance soon" });
    p.child.stdin!.write("kick alice\n");
    expect(await client.closed).toMatchObject({ code: 4000 });
    p.child.stdin!.end();
    await new Promise((r) => setTimeout(r, 500));
    expect(p.child.exitCode).toBeNull();
    const health = await fetch(`http://127.0.0.1:${p.port}/healthz`);
    expect(await health.json()).toEqual({ status: "ok", state: "running" });
    await world.signIn(wsUrl, "bob");
  });

  it("exits 0 on the console's exit command too", async () => {
    const dir = await world.tempDir();
    await mkdir(join(dir, "data"));
    const p = await world.spawn({ CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_CONFIG: await writeConfig(dir, {}), CHAT_DATA_DIR: join(dir, "data"), CHAT_CONSOLE: "on" });
    p.child.stdin!.write("exit\n");
    expect(await within(5000, p.exited, "exit")).toEqual({ code: 0, signal: null });
  });
});
