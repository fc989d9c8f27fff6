import { createServer } from "node:net";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { World, eventually, rawWebSocket, within, writeConfig } from "../../helpers/harness.ts";
import { rawRequest } from "../../abuse/raw-http.ts";
import { daemonCommand, spawnOn, type RuntimeName } from "../../helpers/runtimes.ts";

/**
 * docs/runtimes.md: "Everything in the README and these docs (configuration, environment,
 * console, admin API, protocol, signals, exit codes) works the same on both, except what this
 * table lists". What the other contract files check on Node alone (contract-process,
 * config-env, admin-console), checked on each runtime; and two rows of the table itself.
 */

describe.each<RuntimeName>(["node", "deno"])("the same on %s", (runtime) => {
  const world = new World();
  afterEach(() => world.cleanup());

  /** Starts the daemon on `runtime` and waits for it to exit; output is stdout and stderr together. */
  async function runToExit(env: Record<string, string>) {
    const dir = await world.tempDir();
    const p = await world.spawn(
      { CHAT_CONFIG: "", CHAT_DATA_DIR: join(dir, "data"), CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", ...env },
      { command: daemonCommand(runtime), waitListening: false },
    );
    const { code } = await within(15_000, p.exited, "exit");
    return { code, output: p.output() };
  }

  it("an invalid configuration or variable: exit 2, `chatd: <source>: invalid configuration` and the field, the reason and the variable", async () => {
    const dir = await world.tempDir();
    const port = await runToExit({ CHAT_PORT: "abc" });
    expect(port.code).toBe(2);
    expect(port.output).toMatch(/^chatd: .*: invalid configuration\n {2}port: .*"abc" \(set by CHAT_PORT\)$/m);

    const level = await runToExit({ CHAT_LOG_LEVEL: "loud" });
    expect(level.code).toBe(2);
    expect(level.output).toMatch(/CHAT_LOG_LEVEL: expected debug, info, warn or error/);

    const masked = await runToExit({ CHAT_CONFIG: await writeConfig(dir, { port: "8080" }) });
    expect(masked.code).toBe(2);
    expect(masked.output).toMatch(/port: .* \(in the file; CHAT_PORT overrides it\)/);

    const orphan = await runToExit({ CHAT_NODE_ID: "node-1" });
    expect(orphan.code).toBe(2);
  });

  it("logs `irc listening` before `listening`, with the host and only the IRC ports it serves", async () => {
    const p = await spawnOn(world, runtime, { env: { CHAT_IRC_PORT: "0" } });
    const lines = p.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    const irc = lines.findIndex((l) => l.msg === "irc listening");
    expect(irc).toBeGreaterThanOrEqual(0);
    expect(irc).toBeLessThan(lines.findIndex((l) => l.msg === "listening"));
    const { time: _time, ...fields } = lines[irc]!;
    expect(fields).toEqual({ level: "info", msg: "irc listening", host: "127.0.0.1", port: expect.any(Number) });
  });

  it("a port already in use: exit 1, saying so", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    world.onCleanup(() => new Promise((resolve) => busy.close(resolve)));
    const r = await runToExit({ CHAT_PORT: String((busy.address() as { port: number }).port) });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/cannot start: port \d+ is already in use/);
  });

  it("the console on a pipe (CHAT_CONSOLE=on): uptime, say, motd and log answer as documented; stop exits 0 and removes the lock", async () => {
    const dir = await world.tempDir();
    const dataDir = join(dir, "data");
    const p = await world.spawn(
      { CHAT_CONFIG: await writeConfig(dir, { bcryptCost: 4 }), CHAT_DATA_DIR: dataDir, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_CONSOLE: "on" },
      { command: daemonCommand(runtime) },
    );
    const run = async (line: string, until: RegExp): Promise<string> => {
      const from = p.output().length;
      p.child.stdin!.write(`${line}\n`);
      await eventually(() => until.test(p.output().slice(from)), { what: `the answer to ${line}: ${until}` });
      return p.output().slice(from);
    };
    const { client } = await world.signIn(`ws://127.0.0.1:${p.port}/ws`, "alice");
    await client.request({ type: "join", room: "general" }, "joined");
    await client.request({ type: "say", room: "general", text: "hello", ref: 1 }, "ack");

    expect(await run("uptime", /restarts/)).toMatch(/running, up \d+s .*1 connections?, 1 users? online, 0 restarts/);
    expect(await run("say hi all", /notice sent/)).toMatch(/notice sent to 1 signed-in connection/);
    expect(await client.next("notice")).toMatchObject({ kind: "broadcast", text: "hi all" });
    await run("motd be kind", /motd/);
    expect(await client.next("notice")).toMatchObject({ kind: "motd", text: "be kind" });
    expect(await run("log 5", /<alice>/)).toMatch(/^(chatd> )?\d{4}-\d\d-\d\dT[\d:.]+Z #general <alice> hello$/m);

    expect(existsSync(join(dataDir, "chatd.lock"))).toBe(true);
    p.child.stdin!.write("stop\n");
    expect(await client.closed).toEqual({ code: 1001, reason: "server shutting down" });
    expect((await within(5000, p.exited, "exit")).code).toBe(0);
    expect(existsSync(join(dataDir, "chatd.lock"))).toBe(false);
  });

  it("SIGINT stops gracefully: a shutdown notice, close 1001, exit 0", async () => {
    const p = await spawnOn(world, runtime, { config: { bcryptCost: 4 } });
    const { client } = await world.signIn(`ws://127.0.0.1:${p.port}/ws`, "alice");
    p.child.kill("SIGINT");
    expect(await client.next("notice")).toMatchObject({ kind: "shutdown" });
    expect(await client.closed).toEqual({ code: 1001, reason: "server shutting down" });
    expect(await within(5000, p.exited, "exit")).toEqual({ code: 0, signal: null });
  });

  it("while a stop waits for an open socket: Node has closed its listener, Deno answers every new request 503 unavailable", async () => {
    const p = await spawnOn(world, runtime);
    // A client that never answers the close frame: the stop waits for it (up to 2 s).
    const deaf = await rawWebSocket(p.port);
    deaf.socket.pause();
    world.onCleanup(() => deaf.socket.destroy());
    p.child.kill("SIGTERM");
    await eventually(() => p.output().includes('"msg":"stopping"'), { what: "the stopping line" });
    for (const path of ["/healthz", "/readyz"]) {
      const answer = fetch(`http://127.0.0.1:${p.port}${path}`);
      if (runtime === "node") {
        await expect(answer).rejects.toThrow();
      } else {
        const res = await answer;
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({ error: "unavailable", message: "server is stopping" });
      }
    }
    expect((await within(5000, p.exited, "exit")).code).toBe(0);
  });

  it("a request head of more than 128 header lines: Deno's own 400 before chatd sees it; Node serves it", async () => {
    const p = await spawnOn(world, runtime);
    // Host and Connection, then `extra` more: far under limits.maxHeaderBytes (16 KiB) either way.
    const head = (extra: number) =>
      ["GET /healthz HTTP/1.1", "Host: 127.0.0.1", "Connection: close", ...Array.from({ length: extra }, (_, i) => `X-H${i}: v`), "", ""].join("\r\n");
    expect((await rawRequest(p.port, head(126))).status).toBe(200);
    expect((await rawRequest(p.port, head(127))).status).toBe(runtime === "deno" ? 400 : 200);
  });

  it("limits.maxHeaderBytes counts no blanks before a header's value; blanks after it on Node only", async () => {
    const p = await spawnOn(world, runtime, { config: { limits: { maxHeaderBytes: 1024 } } });
    const head = (value: string) => `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Pad:${value}\r\n\r\n`;
    expect((await rawRequest(p.port, head(" ".repeat(4000) + "v"))).status).toBe(200);
    expect((await rawRequest(p.port, head(" v" + " ".repeat(4000)))).status).toBe(runtime === "deno" ? 200 : 431);
    expect((await rawRequest(p.port, head(" " + "v".repeat(4000)))).status).toBe(431);
  });
});
