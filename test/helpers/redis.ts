import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { RedisEngine } from "../../storage/redis/engine.ts";
import { need } from "./needs.ts";

/** The Redis the cluster tests use: the global setup finds or starts one (test/helpers/provision.ts). */
export const REDIS_URL = process.env.CHAT_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key prefix of its own for each test, so tests never see each other's data. */
export function uniquePrefix(): string {
  return `chatd-test:${randomBytes(6).toString("hex")}:`;
}

/** Opened engines, closed and their keys deleted by `cleanupRedis`. */
const opened: RedisEngine[] = [];
const prefixes = new Set<string>();

export async function openEngine(prefix: string, nodeId?: string): Promise<RedisEngine> {
  need("redis");
  const engine = new RedisEngine({ url: REDIS_URL, keyPrefix: prefix, ...(nodeId ? { nodeId } : {}) });
  await engine.open();
  opened.push(engine);
  prefixes.add(prefix);
  return engine;
}

/** Deletes every key under the prefix. */
export async function deletePrefix(prefix: string): Promise<void> {
  need("redis");
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

export async function cleanupRedis(): Promise<void> {
  for (const e of opened.splice(0)) await e.close();
  for (const p of prefixes) await deletePrefix(p);
  prefixes.clear();
}
