import type { RedisEngine } from "../redis/engine.ts";
import type { UserStore } from "./types.ts";
import { KeyedLock } from "./keyed-lock.ts";
import { skeletonsOf } from "../../src/unicode/skeleton.ts";

/** Set the account only if there is none; count it in the same step. */
const CREATE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('SADD', KEYS[2], ARGV[2])
  return 1
end
return 0
`;

/** Compare-and-set: write only if nobody changed the account since it was read. */
const SWAP = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/** Skeletons of a new name: refused (the holder returned) if one is another key's, else all recorded, in one step. */
const CLAIM = `
for i = 2, #ARGV do
  local holder = redis.call('HGET', KEYS[1], ARGV[i])
  if holder and holder ~= ARGV[1] then return holder end
end
for i = 2, #ARGV do redis.call('HSET', KEYS[1], ARGV[i], ARGV[1]) end
return false
`;

const MAX_SWAP_ATTEMPTS = 50;

/**
 * Accounts in Redis, one JSON string per user (`<prefix>user:<key>`) and a set
 * of keys for the count. `create` is SET NX, so of concurrent first sign-ins on
 * any number of nodes exactly one creates the account. `update` is optimistic:
 * read, change, then swap only if unchanged (retrying otherwise); updates on the
 * same node also queue behind each other so they rarely need the retry.
 */
export function createRedisUserStore(engine: RedisEngine): UserStore {
  const lock = new KeyedLock();
  const keyOf = (key: string) => engine.key(`user:${key}`);
  let indexed: Promise<void> | undefined;

  /**
   * The skeleton index (`<prefix>skeletons`, skeleton -> key) holds existing
   * accounts too: filled from them once (`<prefix>skeletons:built` marks it
   * done); HSETNX, so nodes doing it at once agree.
   */
  function indexExisting(): Promise<void> {
    return (indexed ??= (async () => {
      if ((await engine.run(() => engine.cmd.exists(engine.key("skeletons:built")))) === 1) return;
      const keys = await engine.run(() => engine.cmd.smembers(engine.key("users")));
      for (const key of keys) {
        const raw = await engine.run(() => engine.cmd.get(keyOf(key)));
        if (raw === null) continue;
        const { name } = JSON.parse(raw) as { name: string };
        for (const s of skeletonsOf(name, key)) await engine.run(() => engine.cmd.hsetnx(engine.key("skeletons"), s, key));
      }
      await engine.run(() => engine.cmd.set(engine.key("skeletons:built"), "1"));
    })().catch((error: unknown) => {
      indexed = undefined;
      throw error;
    }));
  }

  return {
    async get(key) {
      const raw = await engine.run(() => engine.cmd.get(keyOf(key)));
      return raw === null ? undefined : JSON.parse(raw);
    },
    async create(record) {
      const created = await engine.run(
        () => engine.cmd.eval(CREATE, 2, keyOf(record.key), engine.key("users"), JSON.stringify(record), record.key) as Promise<number>,
      );
      return created === 1;
    },
    update(key, change) {
      return lock.run(key, async () => {
        for (let attempt = 0; attempt < MAX_SWAP_ATTEMPTS; attempt++) {
          const raw = await engine.run(() => engine.cmd.get(keyOf(key)));
          if (raw === null) return undefined;
          const record = JSON.parse(raw);
          change(record);
          const next = JSON.stringify(record);
          const swapped = await engine.run(() => engine.cmd.eval(SWAP, 1, keyOf(key), raw, next) as Promise<number>);
          if (swapped === 1) return record;
        }
        throw new Error(`user ${key}: too many concurrent updates`);
      });
    },
    async claimSkeletons(key, skeletons) {
      await indexExisting();
      const holder = await engine.run(() => engine.cmd.eval(CLAIM, 1, engine.key("skeletons"), key, ...skeletons) as Promise<string | null>);
      return holder ?? undefined;
    },
    async count() {
      return engine.run(() => engine.cmd.scard(engine.key("users")));
    },
    async close() {},
  } satisfies UserStore;
}
