// docs/data.md "The data-folder lock", black-box: daemon processes on a folder whose
// chatd.lock was left by another host (a container on a shared volume) or by an older chatd.
import { spawn } from "node:child_process";
import { readFile, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { World, runToExit } from "../../helpers/harness.ts";

const env = (dataDir: string) => ({ CHAT_PORT: "0", CHAT_HOST: "127.0.0.1", CHAT_DATA_DIR: dataDir, CHAT_CONFIG: join(dataDir, "none.json") });

async function lockFrom(dataDir: string, holder: Record<string, unknown>, ageMs: number): Promise<void> {
  await writeFile(join(dataDir, "none.json"), "{}");
  const path = join(dataDir, "chatd.lock");
  await writeFile(path, `${JSON.stringify(holder)}\n`);
  const then = new Date(Date.now() - ageMs);
  await utimes(path, then, then);
}

describe("a chatd.lock left by another chatd", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("from another host, not touched for 15 s: taken over at once", async () => {
    const dataDir = await world.tempDir();
    await lockFrom(dataDir, { pid: 1, instance: "abc", host: "another-container", start: "1", heartbeatMs: 2000 }, 20_000);
    const p = await world.spawn(env(dataDir));
    expect(p.port).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(join(dataDir, "chatd.lock"), "utf8"))).toMatchObject({ pid: p.child.pid, heartbeatMs: 2000 });
  });

  it("from another host, fresh: watched with a warning until it is 15 s old, then taken over", async () => {
    const dataDir = await world.tempDir();
    await lockFrom(dataDir, { pid: 1, instance: "abc", host: "another-container", start: "1", heartbeatMs: 2000 }, 11_000);
    const started = Date.now();
    const p = await world.spawn(env(dataDir));
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    expect(p.output()).toContain("the data folder is locked by a chatd that cannot be checked from here; waiting to see whether its lock is still kept fresh");
    expect(p.output()).toMatch(/"host":"another-container"/);
    expect(p.output()).toMatch(/"waitMs":\d+/);
  }, 30_000);

  it("from another host, kept fresh: the start is refused (exit 1), naming its pid and host", async () => {
    const dataDir = await world.tempDir();
    await lockFrom(dataDir, { pid: 4242, instance: "abc", host: "another-container", start: "1", heartbeatMs: 2000 }, 0);
    const path = join(dataDir, "chatd.lock");
    const beat = setInterval(() => void utimes(path, new Date(), new Date()).catch(() => {}), 1000);
    try {
      const r = await runToExit(env(dataDir), 30_000);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`chatd: cannot start: data directory ${dataDir} is in use by another chatd (pid 4242 on host another-container, which keeps its lock fresh); stop it or choose another CHAT_DATA_DIR`);
    } finally {
      clearInterval(beat);
    }
  }, 40_000);

  it("written by an older chatd on another host (no heartbeatMs): refused, naming the host and the file to remove", async () => {
    const dataDir = await world.tempDir();
    await lockFrom(dataDir, { pid: 4242, host: "old-box" }, 60_000);
    const r = await runToExit(env(dataDir));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("old-box");
    expect(r.stderr).toContain(join(dataDir, "chatd.lock"));
  });

  it("whose PID runs a process started at another time (a reused PID): taken over at once", async () => {
    const dataDir = await world.tempDir();
    const sleeper = spawn("sleep", ["30"]);
    world.onCleanup(() => sleeper.kill("SIGKILL"));
    const host = (await readFile("/etc/hostname", "utf8")).trim();
    await lockFrom(dataDir, { pid: sleeper.pid, instance: "abc", host, start: "1", heartbeatMs: 2000 }, 0);
    const p = await world.spawn(env(dataDir));
    expect(JSON.parse(await readFile(join(dataDir, "chatd.lock"), "utf8"))).toMatchObject({ pid: p.child.pid });
  });
});
