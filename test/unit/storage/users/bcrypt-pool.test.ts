import bcrypt from "bcryptjs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createBcryptPool, type PasswordHasher, type Thread } from "../../../../storage/users/bcrypt-pool.ts";
import { BcryptThread, ThreadGoneError, type BcryptJob } from "../../../../storage/users/bcrypt-thread.ts";
import { ErrorCode } from "../../../../src/message/errors.ts";
import { StorageUnavailableError } from "../../../../storage/errors.ts";
import { describeFailure } from "../../../../src/chat/failure.ts";

const PASSWORD = "correct-horse";

/** A thread whose jobs finish when the test says so. */
class FakeThread implements Thread {
  alive = true;
  readonly jobs: Array<{ job: BcryptJob; resolve(v: unknown): void; reject(e: Error): void }> = [];
  closed = 0;
  run(job: BcryptJob): Promise<unknown> {
    return new Promise((resolve, reject) => this.jobs.push({ job, resolve, reject }));
  }
  async close(): Promise<void> {
    this.closed += 1;
    this.alive = false;
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));

let pools: PasswordHasher[] = [];
function pool(options: Parameters<typeof createBcryptPool>[0]): PasswordHasher {
  const p = createBcryptPool(options);
  pools.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
});

describe("createBcryptPool", () => {
  describe("on worker threads", () => {
    it("hashes so that bcryptjs on this thread accepts the password, at the cost asked for", async () => {
      const p = pool({ threads: 1 });
      const hash = await p.hash(PASSWORD, 4);
      expect(bcrypt.getRounds(hash)).toBe(4);
      expect(await bcrypt.compare(PASSWORD, hash)).toBe(true);
      expect(await bcrypt.compare("wrong-horse", hash)).toBe(false);
      expect(p.threads).toBe(1);
    });

    it("compares like bcryptjs on this thread: true for the password, false for another", async () => {
      const p = pool({ threads: 2 });
      const hash = bcrypt.hashSync(PASSWORD, 4);
      expect(await p.compare(PASSWORD, hash)).toBe(true);
      expect(await p.compare("wrong-horse", hash)).toBe(false);
    });

    it("answers many concurrent jobs, each with its own result", async () => {
      const p = pool({ threads: 2 });
      const passwords = Array.from({ length: 8 }, (_, i) => `password-${i}`);
      const hashes = await Promise.all(passwords.map((pw) => p.hash(pw, 4)));
      const checks = await Promise.all(passwords.map((pw, i) => p.compare(pw, hashes[(i + 1) % passwords.length]!)));
      expect(await Promise.all(passwords.map((pw, i) => bcrypt.compare(pw, hashes[i]!)))).toEqual(passwords.map(() => true));
      expect(checks).toEqual(passwords.map(() => false));
    });

    it("is ready once its threads have loaded bcryptjs", async () => {
      const p = pool({ threads: 2 });
      await p.ready();
      expect(p.threads).toBe(2);
    });

    it("rejects with bcryptjs's error for arguments it refuses, and the thread stays usable", async () => {
      const p = pool({ threads: 1 });
      await expect(p.compare(PASSWORD, 5 as unknown as string)).rejects.toThrow("Illegal arguments: string, number");
      expect(await p.compare(PASSWORD, bcrypt.hashSync(PASSWORD, 4))).toBe(true);
      expect(p.threads).toBe(1);
    });
  });

  describe("queue bound", () => {
    it("runs at most `threads` jobs at once; the rest wait and start first come, first served", async () => {
      const threads = [new FakeThread(), new FakeThread()];
      let next = 0;
      const p = pool({ threads: 2, spawn: () => threads[next++]! });
      const results = ["a", "b", "c", "d"].map((pw) => p.hash(pw, 4));
      await flush();
      expect(threads.map((t) => t.jobs.length)).toEqual([1, 1]);
      expect(p.pending).toBe(2);
      const first = threads.find((t) => t.jobs[0]!.job.password === "a")!;
      first.jobs[0]!.resolve("hash-a");
      await flush();
      expect(p.pending).toBe(1);
      expect(first.jobs[1]!.job.password).toBe("c");
      expect(await results[0]).toBe("hash-a");
    });

    it("with threads: 0 runs one job at a time on this thread", async () => {
      const p = pool({ threads: 0 });
      const hashes = [p.hash("password-1", 4), p.hash("password-2", 4)];
      await flush();
      expect(p.pending).toBe(1);
      expect(p.threads).toBe(0);
      expect(await bcrypt.compare("password-2", await hashes[1]!)).toBe(true);
      expect(await bcrypt.compare("password-1", await hashes[0]!)).toBe(true);
    });

    it("stops waiting for a thread that neither loads nor fails after the timeout given", async () => {
      const stuck = Object.assign(new FakeThread(), { ready: new Promise<void>(() => {}) });
      const p = pool({ threads: 1, spawn: () => stuck });
      await expect(p.ready(10)).resolves.toBeUndefined();
    });

    it("refuses a thread count that is not a whole number >= 0", () => {
      expect(() => createBcryptPool({ threads: -1 })).toThrow("threads must be a whole number >= 0, got -1");
      expect(() => createBcryptPool({ threads: 1.5 })).toThrow("threads must be a whole number >= 0, got 1.5");
    });
  });

  describe("fallback", () => {
    it("hashes on this thread and says why once when no thread can start", async () => {
      const told: string[] = [];
      const missing = new URL("./no-such-worker.mjs", import.meta.url);
      const p = pool({ threads: 2, spawn: (onGone) => new BcryptThread(onGone, missing), onFallback: (why) => told.push(why) });
      await p.ready();
      const hash = await p.hash(PASSWORD, 4);
      expect(await bcrypt.compare(PASSWORD, hash)).toBe(true);
      expect(await p.compare(PASSWORD, hash)).toBe(true);
      expect(p.threads).toBe(0);
      expect(told).toHaveLength(1);
      expect(told[0]).toMatch(/bcrypt thread/);
    });

    it("runs jobs one at a time on this thread once every thread is gone", async () => {
      const threads = [new FakeThread(), new FakeThread()];
      let next = 0;
      const p = pool({ threads: 2, spawn: () => threads[next++]! });
      const hash = bcrypt.hashSync(PASSWORD, 4);
      const results = [p.compare(PASSWORD, hash), p.compare("wrong-horse", hash)];
      await flush();
      for (const t of threads) {
        t.alive = false;
        t.jobs[0]!.reject(new ThreadGoneError("bcrypt thread exited with code 1"));
      }
      let active = 0;
      let most = 0;
      const original = bcrypt.compare;
      // Count the jobs bcryptjs runs at once on this thread.
      const spy = vi.spyOn(bcrypt, "compare").mockImplementation(async (...args: Parameters<typeof original>) => {
        most = Math.max(most, ++active);
        try {
          return await original(...args);
        } finally {
          active--;
        }
      });
      expect(await Promise.all(results)).toEqual([true, false]);
      spy.mockRestore();
      expect(most).toBe(1);
      expect(p.threads).toBe(0);
    });

    it("falls back when starting a thread throws", async () => {
      const told: string[] = [];
      const p = pool({
        threads: 1,
        spawn: () => {
          throw new Error("no threads here");
        },
        onFallback: (why) => told.push(why),
      });
      expect(told).toEqual(["bcrypt thread could not start: no threads here"]);
      expect(await p.compare(PASSWORD, bcrypt.hashSync(PASSWORD, 4))).toBe(true);
    });

    it("finishes a job on this thread when its thread dies under it, and keeps using the live thread", async () => {
      const dying = new FakeThread();
      const healthy = new FakeThread();
      const threads = [healthy, dying];
      let next = 0;
      const told: string[] = [];
      const p = pool({ threads: 2, spawn: () => threads[next++]!, onFallback: (why) => told.push(why) });
      const result = p.compare(PASSWORD, bcrypt.hashSync(PASSWORD, 4));
      await flush();
      dying.alive = false;
      dying.jobs[0]!.reject(new ThreadGoneError("bcrypt thread exited with code 1"));
      expect(await result).toBe(true);
      expect(p.threads).toBe(1);
      expect(told).toEqual([]);
      const later = p.hash(PASSWORD, 4);
      await flush();
      expect(healthy.jobs).toHaveLength(1);
      healthy.jobs[0]!.resolve("from-healthy");
      expect(await later).toBe("from-healthy");
    });
  });

  describe("#close", () => {
    it("ends every thread, refuses later jobs with unavailable, and is safe to call twice", async () => {
      const p = pool({ threads: 2 });
      await p.hash(PASSWORD, 4);
      await p.close();
      await p.close();
      expect(p.threads).toBe(0);
      const error = await p.hash(PASSWORD, 4).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect(describeFailure(error).code).toBe(ErrorCode.unavailable);
    });

    it("fails a job that was running with unavailable rather than redoing it on this thread", async () => {
      const p = pool({ threads: 1 });
      const running = p.hash(PASSWORD, 12).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 20));
      await p.close();
      const error = await running;
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect(describeFailure(error).code).toBe(ErrorCode.unavailable);
    });

    it("fails jobs still waiting in line with unavailable", async () => {
      const thread = new FakeThread();
      const p = pool({ threads: 1, spawn: () => thread });
      const running = p.hash("a", 4).catch((e: unknown) => e);
      const waiting = p.hash("b", 4).catch((e: unknown) => e);
      await flush();
      await p.close();
      thread.jobs[0]!.reject(new ThreadGoneError("bcrypt thread closed"));
      for (const error of [await running, await waiting]) expect(describeFailure(error).code).toBe(ErrorCode.unavailable);
      expect(thread.closed).toBe(1);
    });
  });
});
