import type { RedisEngine } from "../redis/engine.ts";
import type { Bus, BusEvent } from "./types.ts";

/**
 * The cluster bus: one Redis pub/sub channel per key prefix, which every node
 * subscribes to; each node then delivers to its own sessions, so an event
 * reaches every node once. Messages are published by the Redis chat log's
 * append script itself (stored and published in one step, in id order), so
 * `publish` of a message has nothing left to do here.
 */
export function createRedisBus(engine: RedisEngine): Bus {
  return {
    async publish(event) {
      if (event.kind === "message" || event.kind === "reset") return;
      await engine.run(() => engine.cmd.publish(engine.channel, JSON.stringify(event)));
    },
    subscribe(handler) {
      const off = engine.feed.subscribe((item) => handler(item as unknown as BusEvent));
      const offReset = engine.onReset(() => handler({ kind: "reset" }));
      return () => {
        off();
        offReset();
      };
    },
    async close() {},
  } satisfies Bus;
}
