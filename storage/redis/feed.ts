import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";

/** What comes down the bus channel: JSON objects with a `kind`. */
export type FeedItem = { kind: string; [key: string]: unknown };
type Barrier = { hold: Promise<unknown>; reached: () => void };

/**
 * The node's subscription to the bus channel. Every node sees every item in
 * the order Redis executed the PUBLISHes; messages are published by the same
 * script that stores them, so that order is the id order.
 *
 * Barriers line a reader up with the feed: a script that reads history also
 * publishes a barrier token, so everything stored before the read arrives
 * before the barrier and everything after it arrives after. When its own
 * barrier arrives the feed waits for the read's reply and yields one turn of
 * the event loop before dispatching anything later, which lets the reader
 * (joining a room) act at exactly that point: nothing missed, nothing twice.
 */
export class RedisFeed {
  readonly #sub: Redis;
  readonly #channel: string;
  readonly #handlers = new Set<(item: FeedItem) => void>();
  readonly #barriers = new Map<string, Barrier>();
  readonly #queue: string[] = [];
  #draining = false;
  #stopped = false;
  readonly #onMessage = (channel: string, raw: string) => {
    if (channel !== this.#channel || this.#stopped) return;
    this.#queue.push(raw);
    if (!this.#draining) void this.#drain();
  };

  readonly #onError: (error: Error) => void;

  constructor(sub: Redis, channel: string, onError: (error: Error) => void = () => {}) {
    this.#sub = sub;
    this.#channel = channel;
    this.#onError = onError;
  }

  async start(): Promise<void> {
    this.#sub.on("message", this.#onMessage);
    await this.#sub.subscribe(this.#channel);
  }

  stop(): void {
    this.#stopped = true;
    this.#sub.off("message", this.#onMessage);
    for (const b of this.#barriers.values()) b.reached();
    this.#barriers.clear();
  }

  subscribe(handler: (item: FeedItem) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /**
   * A barrier for one read. `payload` goes into the read's script to be
   * published; `hold` is the read's reply; `reached` resolves when the barrier
   * has come back through the feed (or rejects after `timeoutMs`).
   */
  barrier(timeoutMs: number): { payload: string; arm(hold: Promise<unknown>): Promise<void> } {
    const token = randomBytes(9).toString("base64url");
    return {
      payload: JSON.stringify({ kind: "barrier", token }),
      arm: (hold) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            this.#barriers.delete(token);
            reject(new Error("bus: no echo from redis"));
          }, timeoutMs);
          hold.catch(() => {
            clearTimeout(timer);
            this.#barriers.delete(token);
          });
          this.#barriers.set(token, {
            hold,
            reached: () => {
              clearTimeout(timer);
              resolve();
            },
          });
        }),
    };
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    while (this.#queue.length > 0) {
      let item: FeedItem;
      try {
        item = JSON.parse(this.#queue.shift()!) as FeedItem;
      } catch {
        continue;
      }
      if (item.kind === "barrier") {
        const barrier = this.#barriers.get(String(item.token));
        if (!barrier) continue; // another node's read
        this.#barriers.delete(String(item.token));
        await barrier.hold.catch(() => {});
        barrier.reached();
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      for (const handler of this.#handlers) {
        // One failing handler must not stall the feed for everything after it.
        try {
          handler(item);
        } catch (error) {
          this.#onError(error as Error);
        }
      }
    }
    this.#draining = false;
  }
}
