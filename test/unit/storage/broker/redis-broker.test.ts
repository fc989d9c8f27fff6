import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRedisBroker } from "../../../../storage/broker/redis-broker.ts";
import { createRedisLog } from "../../../../storage/chatlog/redis-log.ts";
import type { StoredEvent } from "../../../../storage/broker/types.ts";
import { StorageUnavailableError } from "../../../../storage/errors.ts";
import { cleanupRedis, openEngine, uniquePrefix } from "../../../helpers/redis.ts";

let prefix: string;
beforeEach(() => {
  prefix = uniquePrefix();
});
afterEach(cleanupRedis);

async function node() {
  const engine = await openEngine(prefix);
  const log = createRedisLog({ engine, historyPerRoom: 100 });
  await log.open();
  const broker = createRedisBroker<string>(log, engine);
  const seen: Array<{ event: StoredEvent; origin: string | undefined }> = [];
  broker.register((event, origin) => seen.push({ event, origin }));
  return { log, broker, seen };
}

describe("createRedisBroker", () => {
  it("delivers stored messages from every node to every node, once each, in id order", async () => {
    const nodes = [await node(), await node(), await node()];
    const stored = await Promise.all(
      Array.from({ length: 60 }, (_, i) => nodes[i % 3]!.broker.publish({ room: "general", from: "alice", text: `m${i}` }, "sender")),
    );
    const ids = stored.map((r) => r.id).sort();
    for (const n of nodes) {
      await expect.poll(() => n.seen.length).toBe(60);
      expect(n.seen.map((s) => s.event.id)).toEqual(ids);
      // The feed delivers after the publish: the origin stays with the publisher.
      expect(n.seen.every((s) => s.origin === undefined)).toBe(true);
    }
  });

  it("answers history from the shared log", async () => {
    const [a, b] = [await node(), await node()];
    const r = await a.broker.publish({ room: "general", from: "alice", text: "hi" });
    expect((await b.broker.history("general", { limit: 5 })).messages).toEqual([r]);
    expect(b.broker.rooms()).toContain("general");
  });

  it("rejects with a storage error when the log cannot store, and delivers nothing", async () => {
    const a = await node();
    a.log.append = async () => {
      throw new Error("boom");
    };
    await expect(a.broker.publish({ room: "general", from: "alice", text: "lost" })).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(a.seen).toEqual([]);
  });
});
