// docs/cluster.md: several clusters share one Redis with different prefixes or databases
// (`redis://host:port/<db>`). Pub/sub channels belong to no database, so each database
// needs a bus channel of its own, or one cluster's messages reach the other's members.
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { createRedisLog } from "../../../../storage/chatlog/redis-log.ts";
import { RedisEngine } from "../../../../storage/redis/engine.ts";
import { REDIS_URL, uniquePrefix } from "../../../helpers/redis.ts";
import { need } from "../../../helpers/needs.ts";

const engines: RedisEngine[] = [];
const used: Array<{ db: number; prefix: string }> = [];

async function open(db: number, prefix: string): Promise<RedisEngine> {
  need("redis");
  const engine = new RedisEngine({ url: `${REDIS_URL}/${db}`, keyPrefix: prefix });
  await engine.open();
  engines.push(engine);
  used.push({ db, prefix });
  return engine;
}

afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  for (const { db, prefix } of used.splice(0)) {
    const redis = new Redis(`${REDIS_URL}/${db}`);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
});

describe("RedisEngine", () => {
  it("keeps two clusters with one prefix on two databases of one Redis apart, bus included", async () => {
    const prefix = uniquePrefix();
    const a = await open(14, prefix);
    const b = await open(15, prefix);
    const heard: string[] = [];
    b.feed.subscribe((item) => {
      if (item.kind === "message") heard.push((item.record as { text: string }).text);
    });
    const logB = createRedisLog({ engine: b, historyPerRoom: 10 });
    await logB.open();
    await createRedisLog({ engine: a, historyPerRoom: 10 }).append({ room: "general", from: "alice", text: "for cluster a" });
    await logB.append({ room: "general", from: "bob", text: "for cluster b" });
    await expect.poll(() => heard).toContain("for cluster b");
    expect(heard).toEqual(["for cluster b"]);
  });

  it("names the bus <prefix>bus on database 0", async () => {
    const prefix = uniquePrefix();
    expect((await open(0, prefix)).channel).toBe(`${prefix}bus`);
  });
});
