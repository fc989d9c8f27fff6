import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { StorageUnavailableError } from "../errors.ts";
import { RedisFeed } from "./feed.ts";

export type RedisEngineOptions = {
  url: string;
  /** Prefix of every key and of the bus channel, so several clusters can share one Redis. */
  keyPrefix: string;
  nodeId?: string;
  /** How long a command may take before it fails (instead of waiting for Redis forever). */
  commandTimeoutMs?: number;
  onWarning?: (message: string, fields?: Record<string, unknown>) => void;
};

/**
 * The connections one node keeps to the shared Redis: `cmd` for commands and
 * `sub` for the bus channel (a subscribed connection can do nothing else).
 * Commands fail fast while Redis is away (no offline queue), so a sender gets
 * `unavailable` at once instead of an ack that never comes; ioredis keeps
 * reconnecting in the background and everything works again when Redis is back.
 */
export class RedisEngine {
  readonly cmd: Redis;
  readonly sub: Redis;
  readonly feed: RedisFeed;
  readonly nodeId: string;
  readonly prefix: string;
  readonly channel: string;
  readonly commandTimeoutMs: number;

  constructor(options: RedisEngineOptions) {
    this.prefix = options.keyPrefix;
    this.nodeId = options.nodeId || randomBytes(6).toString("hex");
    // For messages only: never the password.
    this.#where = options.url.replace(/\/\/[^@/]*@/, "//");
    const common = {
      lazyConnect: true,
      // Reconnect forever, at most a second apart, so recovery is quick when Redis returns.
      retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
    };
    this.commandTimeoutMs = options.commandTimeoutMs ?? 2000;
    this.cmd = new Redis(options.url, {
      ...common,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: this.commandTimeoutMs,
    });
    // Pub/sub channels belong to no database: a cluster on database n (URL `/n`) needs a
    // channel of its own, or a cluster with the same prefix on another database hears it.
    const db = Number(this.cmd.options.db ?? 0);
    this.channel = db === 0 ? `${this.prefix}bus` : `${this.prefix}bus:db${db}`;
    // The subscriber needs its queue: ioredis re-subscribes through it after a reconnect.
    this.sub = new Redis(options.url, common);
    const warn = options.onWarning ?? (() => {});
    this.feed = new RedisFeed(this.sub, this.channel, (error) => warn("bus: a handler failed", { error: error.message }));
    for (const [name, conn] of [["commands", this.cmd], ["subscriber", this.sub]] as const) {
      let lost = false;
      const onLost = (error?: Error) => {
        if (!lost && this.#opened) warn("redis: connection lost", { connection: name, ...(error ? { error: error.message } : {}) });
        if (this.#opened) lost = true;
      };
      conn.on("error", onLost);
      conn.on("close", () => onLost());
      conn.on("ready", () => {
        if (!lost) return;
        lost = false;
        warn("redis: connection restored", { connection: name });
        // Bus items published while we were away are gone for good: tell the node to resync.
        for (const handler of this.#resetHandlers) handler();
      });
    }
  }

  #opened = false;
  readonly #where: string;
  /** Redis's clock minus this process's monotonic one (which no clock step moves), in ms, from a quick `TIME` (see `notAfter`). */
  #offset: number | undefined;
  #clock: ReturnType<typeof setInterval> | undefined;
  readonly #resetHandlers = new Set<() => void>();

  /** Called after a lost connection to Redis came back (events may have been missed meanwhile). */
  onReset(handler: () => void): () => void {
    this.#resetHandlers.add(handler);
    return () => this.#resetHandlers.delete(handler);
  }

  key(name: string): string {
    return this.prefix + name;
  }

  /** True while both connections are up. */
  get up(): boolean {
    return this.cmd.status === "ready" && this.sub.status === "ready";
  }

  async open(): Promise<void> {
    try {
      await this.cmd.connect();
      await this.sub.connect();
    } catch (error) {
      throw new StorageUnavailableError(`cannot connect to Redis at ${this.#where}: ${(error as Error).message}`);
    }
    await this.feed.start();
    await this.#syncClock().catch(() => {});
    this.#clock = setInterval(() => this.resyncClock(), 5_000);
    this.#clock.unref?.();
    this.#opened = true;
  }

  /**
   * The Redis time (ms) after which a write sent now must not run, or 0 when
   * the clocks' offset is not known yet. A Redis that hangs keeps a command
   * sent to it and runs it when it wakes, after `commandTimeout` told the
   * caller it failed; a script given this refuses then. Half the timeout
   * leaves its answer time to arrive before the timeout.
   */
  notAfter(): number {
    return this.#offset === undefined ? 0 : Math.floor(performance.now() + this.#offset + this.commandTimeoutMs / 2);
  }

  /** Measures the offset again (also after a refusal: Redis's clock may have stepped). */
  resyncClock(): void {
    void this.#syncClock().catch(() => {});
  }

  async #syncClock(): Promise<void> {
    const sent = performance.now();
    const [s, us] = await this.cmd.time();
    const now = performance.now();
    // Only a quick answer: the offset's error is at most half the round trip.
    if (now - sent > Math.max(100, this.commandTimeoutMs / 8)) return;
    this.#offset = Number(s) * 1000 + Math.floor(Number(us) / 1000) - (sent + now) / 2;
  }

  /** Runs a command; a connection problem becomes StorageUnavailableError. */
  async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      if (error instanceof StorageUnavailableError) throw error;
      throw new StorageUnavailableError(`redis: ${(error as Error).message}`);
    }
  }

  async close(): Promise<void> {
    this.#opened = false;
    clearInterval(this.#clock);
    this.#resetHandlers.clear();
    this.feed.stop();
    this.cmd.disconnect();
    this.sub.disconnect();
  }
}
