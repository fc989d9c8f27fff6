import type { RedisEngine } from "../redis/engine.ts";
import type { Bus, BusEvent } from "./types.ts";

/**
 * The cluster bus: one Redis pub/sub channel per key prefix, which every node
 * subscribes to; each node then delivers to its own sessions, so an event
 * reaches every node once. Stored room events share the channel (the Redis
 * chat log's append script publishes them, in id order) but are the
 * broker's to deliver (storage/broker/redis-broker.ts), so they are skipped here.
 */
export function createRedisBus(engine: RedisEngine): Bus {
  return {
    async publish(event) {
      if (event.kind === "reset") return;
      await engine.run(() => engine.cmd.publish(engine.channel, JSON.stringify(event)));
    },
    subscribe(handler) {
      const off = engine.feed.subscribe((item) => {
        if (item.kind !== "message") handler(item as unknown as BusEvent);
      });
      const offReset = engine.onReset(() => handler({ kind: "reset" }));
      return () => {
        off();
        offReset();
      };
    },
    async close() {},
  } satisfies Bus;
}
