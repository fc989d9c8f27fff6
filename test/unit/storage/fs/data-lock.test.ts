import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireDataLock, DataDirLockedError, isAlive } from "../../../../storage/fs/data-lock.ts";

describe("acquireDataLock", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "chatd-lock-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("writes our PID into chatd.lock and removes it on release", async () => {
    const release = await acquireDataLock(dir);
    expect((await readFile(join(dir, "chatd.lock"), "utf8")).trim()).toBe(String(process.pid));
    await release();
    expect(await readdir(dir)).toEqual([]);
  });

  it("refuses while a live process holds the lock, naming its PID", async () => {
    const release = await acquireDataLock(dir);
    await expect(acquireDataLock(dir)).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(acquireDataLock(dir)).rejects.toThrow(new RegExp(`pid ${process.pid}`));
    await release();
  });

  it("takes over a lock of a PID that is not running, and one with no PID in it", async () => {
    const dead = Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);
    await writeFile(join(dir, "chatd.lock"), `${dead}\n`);
    const release = await acquireDataLock(dir);
    await release();
    await writeFile(join(dir, "chatd.lock"), "");
    await (await acquireDataLock(dir))();
  });

  it("does not remove a lock that another process has since taken over", async () => {
    const release = await acquireDataLock(dir);
    await writeFile(join(dir, "chatd.lock"), "1\n");
    await release();
    expect((await readFile(join(dir, "chatd.lock"), "utf8")).trim()).toBe("1");
  });
});

describe("isAlive", () => {
  const refused = (code?: string) => () => {
    throw Object.assign(new Error("not allowed"), code ? { code } : {});
  };

  it("asks the kernel with signal 0: ESRCH is gone, EPERM alive", () => {
    expect(isAlive(123, () => true)).toBe(true);
    expect(isAlive(123, refused("ESRCH"))).toBe(false);
    expect(isAlive(123, refused("EPERM"))).toBe(true);
  });

  it("answers unknown when the runtime may not send signals (Deno without --allow-run), and the lock holds", async () => {
    expect(isAlive(process.pid, refused())).toBe("unknown");
    expect(isAlive(123, refused("NotCapable"))).toBe("unknown");
  });
});
