import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { World, eventually, runToExit, writeConfig } from "../../helpers/harness.ts";

/**
 * docs/configuration.md, "Where it comes from" and "Other environment variables": what the
 * environment overrides, what stops the daemon (exit 2 for an invalid configuration, exit 1
 * for what only fails when listening), and the one shape of the message on stderr.
 */

describe("the environment over the file", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("CHAT_ADMIN_TOKEN wins over the file's adminToken", async () => {
    const dir = await world.tempDir();
    const p = await world.spawn({ CHAT_CONFIG: await writeConfig(dir, { adminToken: "from-file", bcryptCost: 4 }), CHAT_DATA_DIR: dir, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_ADMIN_TOKEN: "from-env" });
    const as = (token: string) => fetch(`http://127.0.0.1:${p.port}/admin/uptime`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await as("from-env")).status).toBe(200);
    expect(await (await as("from-file")).json()).toEqual({ error: "unauthorized", message: expect.any(String) });
  });

  it("an empty CHAT_ADMIN_TOKEN turns the admin API off even when the file sets one: 403 admin_disabled", async () => {
    const dir = await world.tempDir();
    const p = await world.spawn({ CHAT_CONFIG: await writeConfig(dir, { adminToken: "from-file" }), CHAT_DATA_DIR: dir, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_ADMIN_TOKEN: "" });
    const res = await fetch(`http://127.0.0.1:${p.port}/admin/uptime`, { headers: { Authorization: "Bearer from-file" } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: "admin_disabled" });
  });

  it("CHAT_DATA_DIR is relative to the working directory, like dataDir", async () => {
    const cwd = await world.tempDir();
    const p = await world.spawn({ CHAT_CONFIG: "", CHAT_DATA_DIR: "var/chat", CHAT_HOST: "127.0.0.1", CHAT_PORT: "0" }, { cwd });
    const listening = JSON.parse(p.output().split("\n").find((l) => l.includes('"msg":"listening"'))!) as Record<string, unknown>;
    expect(listening).toMatchObject({ host: "127.0.0.1", port: p.port, runtime: "node", dataDir: join(cwd, "var/chat"), tls: false });
  });

  it("an empty CHAT_CONSOLE counts as unset (auto): on a pipe, no console, and the daemon runs", async () => {
    const dir = await world.tempDir();
    const p = await world.spawn({ CHAT_CONFIG: await writeConfig(dir, {}), CHAT_DATA_DIR: dir, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_CONSOLE: "" });
    p.child.stdin!.write("uptime\n");
    expect((await fetch(`http://127.0.0.1:${p.port}/healthz`)).status).toBe(200);
    expect(p.output()).not.toContain("chatd>");
  });

  it("CHAT_PORT with blanks around its digits is that port", async () => {
    const dir = await world.tempDir();
    const p = await world.spawn({ CHAT_CONFIG: await writeConfig(dir, {}), CHAT_DATA_DIR: dir, CHAT_HOST: "127.0.0.1", CHAT_PORT: " 0 " });
    expect((await fetch(`http://127.0.0.1:${p.port}/healthz`)).status).toBe(200);
  });
});

describe("an invalid configuration: exit 2, `chatd: <source>: invalid configuration` and a line per problem", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  async function run(env: Record<string, string>, config?: Record<string, unknown>) {
    const dir = await world.tempDir();
    const file = config === undefined ? undefined : await writeConfig(dir, config);
    const r = await runToExit({ CHAT_DATA_DIR: dir, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", ...(file ? { CHAT_CONFIG: file } : {}), ...env });
    expect(r.stdout, "never listened").not.toContain('"msg":"listening"');
    return { ...r, file };
  }

  it.each([
    [{ port: "8080" }, "port", "CHAT_PORT"],
    [{ port: 70_000 }, "port", "CHAT_PORT"],
    [{ host: "" }, "host", "CHAT_HOST"],
    [{ dataDir: 7 }, "dataDir", "CHAT_DATA_DIR"],
    [{ adminToken: 12345 }, "adminToken", "CHAT_ADMIN_TOKEN"],
  ])("a file with %j is invalid even while a variable overrides %s", async (config, field, variable) => {
    const r = await run({ CHAT_ADMIN_TOKEN: "t" }, config);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^chatd: ${r.file}: invalid configuration\\n  ${field}: .+ \\(in the file; ${variable} overrides it\\)\\n$`));
  });

  it("names the defaults as the source when there is no config file", async () => {
    const cwd = await world.tempDir();
    const p = await world.spawn({ CHAT_CONFIG: "", CHAT_PORT: "abc", CHAT_DATA_DIR: "data", CHAT_HOST: "127.0.0.1" }, { cwd, waitListening: false });
    expect((await p.exited).code).toBe(2);
    await eventually(() => p.output().endsWith("\n"), { what: "the whole message" });
    expect(p.output()).toBe(`chatd: defaults (no ${join(cwd, "config/server.json")}): invalid configuration\n  port: expected an integer, got "abc" (set by CHAT_PORT)\n`);
  });

  it("CHAT_CONFIG naming a missing file: exit 2, CHAT_CONFIG: file not found", async () => {
    const dir = await world.tempDir();
    const r = await run({ CHAT_CONFIG: join(dir, "nope.json") });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`chatd: ${join(dir, "nope.json")}: invalid configuration\n  CHAT_CONFIG: file not found\n`);
  });

  it.each([
    [{ CHAT_REDIS_PREFIX: "chat:" }, /cluster\.redis\.url: missing \(CHAT_REDIS_PREFIX: cluster mode only\)/],
    [{ CHAT_REDIS_PREFIX: "chat:", CHAT_NODE_ID: "a" }, /CHAT_REDIS_PREFIX and CHAT_NODE_ID/],
    [{ CHAT_IRC_PORT: "abc" }, /irc\.port: expected an integer, got "abc" \(set by CHAT_IRC_PORT\)/],
    [{ CHAT_IRC_TLS_PORT: "6697x" }, /irc\.tlsPort: expected an integer, got "6697x" \(set by CHAT_IRC_TLS_PORT\)/],
    [{ CHAT_PORT: "" }, /port: expected an integer, got "" \(set by CHAT_PORT\)/],
    [{ CHAT_HOST: "" }, /host: .* \(set by CHAT_HOST\)/],
    [{ CHAT_DATA_DIR: "" }, /dataDir: .* \(set by CHAT_DATA_DIR\)/],
    [{ CHAT_TLS_KEY: "key.pem" }, /tls: set both cert and key, or neither/],
    [{ CHAT_REDIS_URL: "redis://127.0.0.1:6379", CHAT_NODE_ID: "n".repeat(101) }, /cluster\.redis\.nodeId: .* \(set by CHAT_NODE_ID\)/],
    [{ CHAT_LOG_LEVEL: "loud" }, /CHAT_LOG_LEVEL: expected debug, info, warn or error, got "loud"/],
  ])("%j: exit 2", async (env, line) => {
    const r = await run(env, {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^chatd: .+: invalid configuration\n/);
    expect(r.stderr).toMatch(line);
  });

  it("an empty CHAT_IRC_PORT leaves the file's irc.port, which is then the file's to answer for", async () => {
    const r = await run({ CHAT_IRC_PORT: "" }, { irc: { port: "6667" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n {2}irc\.port: [^\n]*number[^\n]*\n$/);
    expect(r.stderr).not.toContain("CHAT_IRC_PORT");
  });
});

describe("what fails only when listening: exit 1, saying so", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it.each([
    [{ CHAT_HOST: "no-such-host.invalid" }, /no-such-host\.invalid/],
    [{ CHAT_IRC_TLS_PORT: "0" }, /irc\.tlsPort/],
  ])("%j: exit 1", async (env, message) => {
    const dir = await world.tempDir();
    await mkdir(join(dir, "data"));
    const r = await runToExit({ CHAT_CONFIG: await writeConfig(dir, {}), CHAT_DATA_DIR: join(dir, "data"), CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", ...env });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('"msg":"listening"');
    expect(r.stderr).toMatch(message);
  });
});
