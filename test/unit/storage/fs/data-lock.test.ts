import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  acquireDataLock,
  DataDirLockedError,
  HEARTBEAT_MS,
  isAlive,
  readHolder,
  STALE_AFTER_MS,
  systemProbe,
  type LockHolder,
  type LockProbe,
} from "../../../../storage/fs/data-lock.ts";

describe("acquireDataLock", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "chatd-lock-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("writes our PID (with host, start time and instance) into chatd.lock and removes it on release", async () => {
    const release = await acquireDataLock(dir);
    const holder = JSON.parse(await readFile(join(dir, "chatd.lock"), "utf8")) as Record<string, unknown>;
    expect(holder).toMatchObject({ pid: process.pid, instance: expect.stringMatching(/^[0-9a-f]{16}$/), start: await systemProbe.startTime(process.pid), heartbeatMs: HEARTBEAT_MS });
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

    it("refuses while that process runs and keeps the lock fresh, and takes it over once the lock is not touched for STALE_AFTER_MS", async () => {
      await writeFile(join(dir, "chatd.lock"), JSON.stringify(await holder({ heartbeatMs: HEARTBEAT_MS })));
      await expect(acquireDataLock(dir)).rejects.toThrow(new RegExp(`in use by another chatd \\(pid ${child.pid}\\); stop it`));
      // Its pid runs, but nothing touched the lock for longer: a reused pid, or a holder frozen that long.
      const old = new Date(Date.now() - STALE_AFTER_MS - 1000);
      await utimes(join(dir, "chatd.lock"), old, old);
      await (await acquireDataLock(dir))();
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
      ...systemProbe,
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

describe("the lock's heartbeat", () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "chatd-lock-"));
    path = join(dir, "chatd.lock");
  });
  afterEach(async () => {
    vi.useRealTimers();
    await rm(dir, { recursive: true, force: true });
  });

  /** A lock left by a chatd in another container (another host name) whose pid cannot be checked here. */
  async function leftElsewhere(touchedMsAgo: number, extra: Partial<LockHolder> = {}): Promise<void> {
    await writeFile(path, `${JSON.stringify({ pid: 1, instance: "0123456789abcdef", host: "old-container", heartbeatMs: HEARTBEAT_MS, ...extra })}\n`);
    const at = new Date(Date.now() - touchedMsAgo);
    await utimes(path, at, at);
  }

  /** A live holder's heartbeat: each call touches the lock, a second later than the last (so the change always shows). */
  function keptFresh(): () => Promise<void> {
    let at = Date.now();
    return async () => {
      at += 1000;
      await utimes(path, new Date(at), new Date(at));
    };
  }

  /** The system's probe on a clock that only sleeps move (and a hook for what happens meanwhile). */
  function clocked(meanwhile: () => Promise<void> = async () => {}, base: Partial<LockProbe> = {}) {
    const start = Date.now();
    let now = start;
    const slept: number[] = [];
    const probe: LockProbe = {
      ...systemProbe,
      pid: 4242,
      host: async () => "new-container",
      ...base,
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
        await meanwhile();
      },
    };
    return { probe, slept, start };
  }

  it("takes over at once a lock from another container not touched for longer than STALE_AFTER_MS (docker kill, docker rm, docker run)", async () => {
    await leftElsewhere(STALE_AFTER_MS + 5000);
    const { probe, slept } = clocked();
    const release = await acquireDataLock(dir, probe);
    expect(slept).toEqual([]);
    expect((await readHolder(path))?.host).toBe("new-container");
    await release();
  });

  it("waits while a fresh lock from another container could still be kept, and takes it over when it is not touched", async () => {
    await leftElsewhere(1000);
    const touched = (await stat(path)).mtimeMs;
    const { probe, slept, start } = clocked();
    const waits: number[] = [];
    const release = await acquireDataLock(dir, probe, { onWait: (_holder, ms) => waits.push(ms) });
    expect(waits).toHaveLength(1);
    // Watched until the heartbeat was STALE_AFTER_MS old (by the clock, which started a little after the touch), in steps no longer than the heartbeat.
    expect(start + slept.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(touched + STALE_AFTER_MS);
    expect(Math.max(...slept)).toBeLessThanOrEqual(HEARTBEAT_MS);
    expect((await readHolder(path))?.host).toBe("new-container");
    await release();
  });

  it("refuses a lock from another container that is kept fresh (a second live daemon on the volume), naming its host", async () => {
    await leftElsewhere(500);
    const { probe } = clocked(keptFresh());
    const refused = await acquireDataLock(dir, probe).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toContain("in use by another chatd (pid 1 on host old-container, which keeps its lock fresh); stop it");
    expect((await readHolder(path))?.host).toBe("old-container");
  });

  it("judges by the heartbeat where pids cannot be checked (Deno without --allow-run): a stale lock is taken over, a kept one refused", async () => {
    const deno: Partial<LockProbe> = {
      host: async () => "box",
      startTime: async () => undefined,
      kill: () => {
        throw new Error("Requires run access");
      },
    };
    await leftElsewhere(STALE_AFTER_MS + 1, { pid: 77, host: "box" });
    await (await acquireDataLock(dir, clocked(undefined, deno).probe))();
    await leftElsewhere(0, { pid: 77, host: "box" });
    const kept = clocked(keptFresh(), deno);
    await expect(acquireDataLock(dir, kept.probe)).rejects.toThrow("(pid 77 on host box, which keeps its lock fresh)");
  });

  it("keeps refusing a lock without a heartbeat (written by an older chatd) whose pid cannot be checked", async () => {
    await leftElsewhere(STALE_AFTER_MS * 10, { heartbeatMs: undefined });
    const { probe, slept } = clocked();
    await expect(acquireDataLock(dir, probe)).rejects.toThrow("a pid on another host (or container) cannot be checked from here");
    expect(slept).toEqual([]);
  });

  it("touches the lock every HEARTBEAT_MS while held, and says so when another chatd has taken it over", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const lost: Array<LockHolder | undefined> = [];
    const beatAt = Date.UTC(2030, 0, 1);
    const release = await acquireDataLock(dir, { ...systemProbe, now: () => beatAt }, { onLost: (holder) => lost.push(holder) });
    // Whole seconds, so the time reads back exactly.
    const old = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    await utimes(path, old, old);
    vi.advanceTimersByTime(HEARTBEAT_MS);
    await vi.waitFor(async () => expect((await stat(path)).mtimeMs).toBe(beatAt));
    // Taken over by another chatd: no longer touched, and told once.
    await writeFile(path, `${JSON.stringify({ pid: 1, instance: "feedfacefeedface", host: "other" })}\n`);
    await utimes(path, old, old);
    vi.advanceTimersByTime(HEARTBEAT_MS);
    await vi.waitFor(() => expect(lost).toHaveLength(1));
    expect(lost[0]).toMatchObject({ instance: "feedfacefeedface" });
    vi.advanceTimersByTime(HEARTBEAT_MS * 3);
    expect((await stat(path)).mtimeMs).toBe(old.getTime());
    await release();
    // Not ours: left in place.
    expect((await readHolder(path))?.instance).toBe("feedfacefeedface");
  });
});
