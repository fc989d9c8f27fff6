import { Worker } from "node:worker_threads";

/** A job for bcrypt-worker.mjs. */
export type BcryptJob = { op: "hash"; password: string; cost: number } | { op: "compare"; password: string; hash: string };

/** The thread is gone (failed to start, crashed or was closed); the job did not run there. */
export class ThreadGoneError extends Error {
  override name = "ThreadGoneError";
}

/**
 * One bcrypt worker thread, one job at a time. `node:worker_threads` is the
 * thread API both Node and Deno 2 provide; this file is the only place that
 * touches it. The worker script is plain JavaScript (see bcrypt-worker.mjs),
 * so the same URL works from dist/ on Node and from the TypeScript sources on
 * Deno or under vitest. Once loaded, the thread is unref'd: an idle pool never
 * keeps the process alive.
 */
export class BcryptThread {
  readonly #worker: Worker;
  /** Settles once the thread has loaded bcryptjs and takes jobs, or is gone; never rejects. */
  readonly ready: Promise<void>;
  #markReady!: () => void;
  #pending: { id: number; resolve(value: unknown): void; reject(error: Error): void } | undefined;
  #nextId = 1;
  #gone: string | undefined;

  constructor(
    /** Called once when the thread dies on its own (not after `close`), with why. */
    private readonly onGone: (why: string) => void = () => {},
    script: URL = new URL("./bcrypt-worker.mjs", import.meta.url),
  ) {
    this.ready = new Promise((resolve) => (this.#markReady = resolve));
    this.#worker = new Worker(script);
    // Held until it is loaded, so a start waiting for it is not taken for an idle process (Deno exits then).
    void this.ready.then(() => this.#worker.unref?.());
    this.#worker.on("message", (msg: { id: number; ready?: true; result?: unknown; error?: string }) => {
      if (msg.ready) return this.#markReady();
      const p = this.#pending;
      if (!p || p.id !== msg.id) return;
      this.#pending = undefined;
      if (msg.error !== undefined) p.reject(new Error(msg.error));
      else p.resolve(msg.result);
    });
    this.#worker.on("error", (error: Error) => this.#die(`bcrypt thread failed: ${error.message}`));
    this.#worker.on("exit", (code: number) => this.#die(`bcrypt thread exited with code ${code}`));
  }

  get alive(): boolean {
    return this.#gone === undefined;
  }

  run(job: BcryptJob): Promise<unknown> {
    if (this.#gone !== undefined) return Promise.reject(new ThreadGoneError(this.#gone));
    if (this.#pending) return Promise.reject(new Error("bcrypt thread is busy"));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending = { id, resolve, reject };
      this.#worker.postMessage({ id, ...job });
    });
  }

  /** Ends the thread; a job still running there fails with `ThreadGoneError`. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#gone === undefined) this.#settle("bcrypt thread closed");
    await this.#worker.terminate();
  }

  #die(why: string): void {
    if (this.#gone !== undefined) return;
    this.#settle(why);
    this.onGone(why);
  }

  #settle(why: string): void {
    this.#gone = why;
    this.#markReady();
    const p = this.#pending;
    this.#pending = undefined;
    p?.reject(new ThreadGoneError(why));
  }
}
