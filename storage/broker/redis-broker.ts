import type { ChatLog } from "../chatlog/types.ts";
import { toRecord } from "../chatlog/redis-log.ts";
import type { RedisEngine } from "../redis/engine.ts";
import { logBroker } from "./log-broker.ts";
import type { Broker } from "./types.ts";

/**
 * The cluster broker: the Redis log's append script stores the event and
 * publishes it on the node's pub/sub channel in one step (so every node sees
 * events in id order), and this hands each one that comes down the feed to
 * the handler, the publishing node's included. The feed delivers after the
 * publish returns, so `origin` never arrives here.
 */
export function createRedisBroker<O>(log: ChatLog, engine: RedisEngine): Broker<O> {
  return logBroker<O>(log, {
    append: (event) => log.append(event),
    listen: (deliver) =>
      engine.feed.subscribe((item) => {
        if (item.kind === "message") deliver(toRecord(item.record), undefined);
      }),
  });
}
