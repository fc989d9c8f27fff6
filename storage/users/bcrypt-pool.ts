import bcrypt from "bcryptjs";
import { StorageUnavailableError } from "../errors.ts";
import { Semaphore } from "./semaphore.ts";
import { BcryptThread, ThreadGoneError, type BcryptJob } from "./bcrypt-thread.ts";

/** What the pool needs of a thread (BcryptThread, or a stand-in in tests). */
export type Thread = Pick<BcryptThread, "alive" | "run" | "close"> & { ready?: Promise<void> };

/** bcrypt hashing as the accounts use it. */
export type PasswordHasher = {
  hash(password: string, cost: number): Promise<string>;
  compare(password: string, hash: string): Promise<boolean>;
  /** Jobs waiting for a free thread (or for the event loop, with no threads). */
  readonly pending: number;
  /**
   * Settles once every thread has started (or failed to), or after
   * `timeoutMs` (5 s): a thread starts in tens of milliseconds, and the first
   * sign-in should not wait for that.
   */
  ready(timeoutMs?: number): Promise<void>;
  /** Threads still alive; 0 means bcrypt runs on the event loop. */
  readonly threads: number;
  /** Ends the threads; later jobs are refused with `unavailable`. Safe to call twice. */
  close(): Promise<void>;
};

export type BcryptPoolOptions = {
  /** Worker threads for bcrypt; 0 runs it on the event loop, one job at a time. */
  threads: number;
  /** Told once when the pool loses its last thread and falls back to the event loop. */
  onFallback?: (why: string) => void;
  /** Starts one thread (tests replace it). */
  spawn?: (onGone: (why: string) => void) => Thread;
};

/**
 * bcrypt off the event loop: bcryptjs is plain JavaScript that holds the
 * thread it runs on for up to 100 ms at a time, so each job goes to a worker
 * thread and chat keeps its turn. At most `threads` jobs run at once (one per
 * thread); the rest wait in FIFO order, so a sign-in storm queues instead of
 * piling up work. A thread that cannot start or dies hands its job back to
 * the event loop (the job still completes); once no thread is left, every job
 * runs there, one at a time, as with `threads: 0`.
 */
export function createBcryptPool({ threads, onFallback = () => {}, spawn = (onGone) => new BcryptThread(onGone) }: BcryptPoolOptions): PasswordHasher {
  if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`threads must be a whole number >= 0, got ${threads}`);
  const idle: Thread[] = [];
  const all: Thread[] = [];
  const gate = new Semaphore(Math.max(1, threads));
  // Jobs on the event loop run one at a time, however many threads there were.
  const loop = new Semaphore(1);
  const inline = (job: BcryptJob) => loop.run(() => onThisThread(job));
  let closed = false;
  let fellBack = false;

  const onGone = (why: string) => {
    if (closed || fellBack || all.some((t) => t.alive)) return;
    fellBack = true;
    onFallback(why);
  };
  for (let i = 0; i < threads; i++) {
    try {
      const thread = spawn(onGone);
      all.push(thread);
      idle.push(thread);
    } catch (error) {
      onGone(`bcrypt thread could not start: ${(error as Error).message}`);
    }
  }
  if (threads > 0 && all.length === 0) onGone("no bcrypt thread could start");

  async function run(job: BcryptJob): Promise<unknown> {
    if (closed) throw stopping();
    return gate.run(async () => {
      if (closed) throw stopping();
      let thread = idle.pop();
      while (thread && !thread.alive) thread = idle.pop();
      if (!thread) return inline(job);
      try {
        return await thread.run(job);
      } catch (error) {
        if (!(error instanceof ThreadGoneError)) throw error;
        if (closed) throw stopping();
        return inline(job);
      } finally {
        if (thread.alive) idle.push(thread);
      }
    });
  }

  return {
    hash: async (password, cost) => (await run({ op: "hash", password, cost })) as string,
    compare: async (password, hash) => (await run({ op: "compare", password, hash })) as boolean,
    async ready(timeoutMs = 5000) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      // A thread that neither loads nor fails must not hold up the start: its jobs just wait for it.
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.all(all.map((t) => t.ready)), late]);
      clearTimeout(timer);
    },
    get pending() {
      return gate.pending;
    },
    get threads() {
      return all.filter((t) => t.alive).length;
    },
    async close() {
      closed = true;
      await Promise.all(all.map((t) => t.close()));
    },
  };
}

/** The same job on the calling thread (bcryptjs yields to the event loop between rounds). */
function onThisThread(job: BcryptJob): Promise<unknown> {
  return job.op === "hash" ? bcrypt.hash(job.password, job.cost) : bcrypt.compare(job.password, job.hash);
}

function stopping(): StorageUnavailableError {
  const message = "the server is stopping; try again shortly";
  return new StorageUnavailableError(`bcrypt: ${message}`, { public: message });
}
