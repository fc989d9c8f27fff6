import type { Config } from "../src/config/schema.ts";
import type { Storage } from "./create.ts";
import { RedisEngine } from "./redis/engine.ts";
import { createRedisUserStore } from "./users/redis-store.ts";
import { createRedisLog } from "./chatlog/redis-log.ts";
import { createRedisBus } from "./bus/redis-bus.ts";
import { createRedisPresence } from "./presence/redis-presence.ts";
import { createRedisBroker } from "./broker/redis-broker.ts";
import { createRedisRoomStore } from "./rooms/redis-store.ts";

type RedisConfig = NonNullable<NonNullable<Config["cluster"]>["redis"]>;

/** Cluster mode: users, chat log, bus, presence and room state in one Redis shared by every node (create.ts picks it). */
export function createClusterStorage(redis: RedisConfig, config: Config, warn: (msg: string, fields?: Record<string, unknown>) => void): Storage {
  const engine = new RedisEngine({ url: redis.url, keyPrefix: redis.keyPrefix, nodeId: redis.nodeId, onWarning: warn });
  const log = createRedisLog({ engine, historyPerRoom: config.limits.historyPerRoom });
  const users = createRedisUserStore(engine);
  const bus = createRedisBus(engine);
  const presence = createRedisPresence({ engine, onWarning: warn });
  return {
    users,
    log,
    broker: (over) => createRedisBroker(over, engine),
    bus,
    presence,
    rooms: createRedisRoomStore(engine),
    health: () => ({ mode: "cluster", redis: engine.up ? "up" : "down", node: engine.nodeId }),
    async open() {
      await engine.open();
      await log.open();
      await presence.open();
    },
    async close() {
      await presence.close();
      await log.close();
      await bus.close();
      await engine.close();
    },
  };
}
