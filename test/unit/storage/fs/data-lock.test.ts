import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireDataLock, DataDirLockedError, isAlive, readHolder, systemProbe, type LockProbe } from "../../../../storage/fs/data-lock.ts";

describe("acquireDataLock", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "chatd-lock-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("writes our PID (with host, start time and instance) into chatd.lock and removes it on release", async () => {
    const release = await acquireDataLock(dir);
    const holder = JSON.parse(await readFile(join(dir, "chatd.lock"), "utf8")) as Record<string, unknown>;
    expect(holder).toMatchObject({ pid: process.pid, instance: expect.stringMatching(/^[0-9a-f]{16}$/), start: await systemProbe.startTime(process.pid) });
    expect(holder.host).toBe(await systemProbe.host());
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

  it("takes over a lock naming our own pid that this process does not hold: PID 1 in a container after docker kill", async () => {
    const left = { pid: process.pid, instance: "0123456789abcdef", host: await systemProbe.host(), start: "1" };
    await writeFile(join(dir, "chatd.lock"), `${JSON.stringify(left)}\n`);
    const release = await acquireDataLock(dir);
    expect((await readHolder(join(dir, "chatd.lock")))?.instance).not.toBe(left.instance);
    await release();
    // The same with a bare pid, as older versions wrote it.
    await writeFile(join(dir, "chatd.lock"), `${process.pid}\n`);
    await (await acquireDataLock(dir))();
  });

  describe("a lock naming another live process", () => {
    let child: ChildProcess;
    beforeEach(async () => {
      child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
      await new Promise((r) => child.once("spawn", r));
    });
    afterEach(() => {
      child.kill("SIGKILL");
    });
    const holder = async (extra: Record<string, unknown> = {}) => ({
      pid: child.pid!,
      instance: "feedfacefeedface",
      host: await systemProbe.host(),
      start: await systemProbe.startTime(child.pid!),
      ...extra,
    });

    it("refuses while that process runs (a second live daemon on the folder)", async () => {
      await writeFile(join(dir, "chatd.lock"), JSON.stringify(await holder()));
      await expect(acquireDataLock(dir)).rejects.toThrow(new RegExp(`in use by another chatd \\(pid ${child.pid}\\); stop it`));
    });

    it("takes it over when the pid now belongs to a process started at another time (a reused pid)", async () => {
      await writeFile(join(dir, "chatd.lock"), JSON.stringify(await holder({ start: "1" })));
      await (await acquireDataLock(dir))();
    });

    it("refuses a lock from another host or container, whose pid cannot be checked here, and says which file to remove", async () => {
      await writeFile(join(dir, "chatd.lock"), JSON.stringify(await holder({ host: "elsewhere" })));
      await expect(acquireDataLock(dir)).rejects.toThrow(`(pid ${child.pid} on host elsewhere)`);
      await expect(acquireDataLock(dir)).rejects.toThrow(`remove ${join(dir, "chatd.lock")}`);
    });
  });

  it("keeps the lock when the runtime cannot check pids (Deno without --allow-run), but still knows its own pid", async () => {
    const deno: LockProbe = {
      pid: 1,
      host: async () => "box",
      startTime: async () => undefined,
      kill: () => {
        throw new Error("Requires run access");
      },
    };
    await writeFile(join(dir, "chatd.lock"), JSON.stringify({ pid: 4242, instance: "aaaaaaaaaaaaaaaa", host: "box" }));
    await expect(acquireDataLock(dir, deno)).rejects.toThrow("this runtime may not check that pid");
    // docker kill, then docker start: the lock names pid 1, which is the new process itself.
    await writeFile(join(dir, "chatd.lock"), JSON.stringify({ pid: 1, instance: "aaaaaaaaaaaaaaaa", host: "box" }));
    const release = await acquireDataLock(dir, deno);
    // ... while a second daemon in the same process (same pid) is refused.
    await expect(acquireDataLock(dir, deno)).rejects.toBeInstanceOf(DataDirLockedError);
    await release();
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
