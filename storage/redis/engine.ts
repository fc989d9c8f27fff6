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

  constructor(options: RedisEngineOptions) {
    this.prefix = options.keyPrefix;
    this.nodeId = options.nodeId || randomBytes(6).toString("hex");
    this.channel = `${this.prefix}bus`;
    // For messages only: never the password.
    this.#where = options.url.replace(/\/\/[^@/]*@/, "//");
    const common = {
      lazyConnect: true,
      // Reconnect forever, at most a second apart, so recovery is quick when Redis returns.
      retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
    };
    this.cmd = new Redis(options.url, {
      ...common,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 2000,
    });
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
    this.#opened = true;
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
    this.#resetHandlers.clear();
    this.feed.stop();
    this.cmd.disconnect();
    this.sub.disconnect();
  }
}
