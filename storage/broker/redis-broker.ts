import type { ChatLog } from "../chatlog/types.ts";
import { toRecord } from "../chatlog/redis-log.ts";
import type { RedisEngine } from "../redis/engine.ts";
import { unstored } from "./unstored.ts";
import type { Broker, BrokerHandler } from "./types.ts";

/**
 * The cluster broker: the Redis log's append script stores the event and
 * publishes it on the node's pub/sub channel in one step (so every node sees
 * events in id order), and this hands each one that comes down the feed to
 * the handler, the publishing node's included. The feed delivers after the
 * publish returns, so `origin` never arrives here.
 */
export function createRedisBroker<O>(log: ChatLog, engine: RedisEngine): Broker<O> {
  let handler: BrokerHandler<O> | undefined;
  return {
    async publish(event) {
      try {
        return await log.append(event);
      } catch (error) {
        throw unstored(error);
      }
    },
    history: (room, query) => log.history(room, query),
    rooms: () => log.rooms(),
    roomsVersion: () => log.roomsVersion(),
    streams: () => log.streams(),
    changedStreams: () => log.changedStreams?.() ?? log.streams(),
    register(h) {
      if (handler) throw new Error("broker: a handler is already registered");
      handler = h;
      const off = engine.feed.subscribe((item) => {
        if (item.kind === "message") h(toRecord(item.record), undefined);
      });
      return () => {
        off();
        if (handler === h) handler = undefined;
      };
    },
  } satisfies Broker<O>;
}
