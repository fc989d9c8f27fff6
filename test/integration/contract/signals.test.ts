import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { World, eventually, within, writeConfig } from "../../helpers/harness.ts";
import { denoBin } from "../../helpers/runtimes.ts";

/**
 * docs/operations.md, "Signals: which process": the daemon's own PID is the `pid` of
 * its chatd.lock; `deno task start` passes SIGHUP, SIGINT and SIGTERM on to it; `npm start`
 * does not, so a signal sent to npm's PID never reaches the daemon.
 */

const lockPid = (dataDir: string) => (JSON.parse(readFileSync(join(dataDir, "chatd.lock"), "utf8")) as { pid: number }).pid;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("which process gets the signal", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("deno task start passes SIGHUP (a reload) and SIGINT (a graceful stop, exit 0) on to the daemon", async () => {
    const dir = await world.tempDir();
    const config = await writeConfig(dir, { motd: "first" });
    const p = await world.spawn(
      { CHAT_CONFIG: config, CHAT_DATA_DIR: join(dir, "data"), CHAT_HOST: "127.0.0.1", CHAT_PORT: "0" },
      { command: { command: denoBin(), args: ["task", "start"] } },
    );
    // The task runs the daemon as a process of its own: the lock names that one.
    expect(lockPid(join(dir, "data"))).not.toBe(p.child.pid);
    await writeFile(config, JSON.stringify({ motd: "second" }));
    p.child.kill("SIGHUP");
    await eventually(() => /"msg":"config reloaded","changed":\["motd"\]/.test(p.output()), { what: "the reload's log line" });
    p.child.kill("SIGINT");
    expect((await within(5000, p.exited, "exit")).code).toBe(0);
    expect(p.output()).toContain('"msg":"bye"');
  });

  it("npm start does not: a SIGTERM sent to npm's PID leaves the daemon serving; SIGHUP and SIGTERM sent to the lock's PID reach it", async () => {
    const dir = await world.tempDir();
    const dataDir = join(dir, "data");
    const config = await writeConfig(dir, { motd: "first" });
    const p = await world.spawn({ CHAT_CONFIG: config, CHAT_DATA_DIR: dataDir, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0" }, { command: { command: "npm", args: ["start", "--silent"] } });
    const daemon = lockPid(dataDir);
    world.onCleanup(() => alive(daemon) && process.kill(daemon, "SIGKILL"));
    expect(daemon).not.toBe(p.child.pid);

    p.child.kill("SIGTERM");
    await within(5000, p.exited, "npm's exit");
    expect((await fetch(`http://127.0.0.1:${p.port}/healthz`)).status).toBe(200);
    expect(p.output()).not.toContain('"msg":"signal received"');

    await writeFile(config, JSON.stringify({ motd: "second" }));
    process.kill(daemon, "SIGHUP");
    await eventually(() => /"msg":"config reloaded","changed":\["motd"\]/.test(p.output()), { what: "the reload's log line" });
    process.kill(daemon, "SIGTERM");
    await eventually(() => !alive(daemon), { what: "the daemon's exit" });
    expect(p.output()).toContain('"msg":"bye"');
  });
});
