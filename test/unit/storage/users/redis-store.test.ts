import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRedisUserStore } from "../../../../storage/users/redis-store.ts";
import { skeleton } from "../../../../src/unicode/skeleton.ts";
import type { UserRecord, UserStore } from "../../../../storage/users/types.ts";
import { cleanupRedis, openEngine, uniquePrefix } from "../../../helpers/redis.ts";

let prefix: string;
beforeEach(() => {
  prefix = uniquePrefix();
});
afterEach(cleanupRedis);

async function node(): Promise<UserStore> {
  return createRedisUserStore(await openEngine(prefix));
}

function user(key: string, fields: Partial<UserRecord> = {}): UserRecord {
  return { name: key, key, passwordHash: "hash", role: "user", createdAt: 1, lastSeenAt: 1, tokens: [], ...fields };
}

describe("createRedisUserStore skeletons", () => {
  it("gives each skeleton to one key across nodes, and counts accounts made before the index", async () => {
    const a = await node();
    // An account from before the index existed.
    await a.create(user("\u0430lice"));
    const b = await node();
    expect(await b.claimSkeletons("alice", [skeleton("alice")])).toBe("\u0430lice");
    expect(await b.claimSkeletons("bob", ["bob"])).toBeUndefined();
    expect(await a.claimSkeletons("bob", ["bob"])).toBeUndefined();
    expect(await a.claimSkeletons("b0b", ["bob"])).toBe("bob");
    const racers = await Promise.all([a.claimSkeletons("carl", ["carl"]), b.claimSkeletons("cari", ["carl"])]);
    expect(racers.filter((r) => r === undefined)).toHaveLength(1);
  });
});

describe("createRedisUserStore", () => {
  it("creates an account once and reads it back from another node", async () => {
    const a = await node();
    const b = await node();
    expect(await a.create(user("alice"))).toBe(true);
    expect(await b.get("alice")).toEqual(user("alice"));
    expect(await b.get("bob")).toBeUndefined();
  });

  it("lets exactly one of many concurrent creates of one name win, across nodes", async () => {
    const stores = [await node(), await node(), await node()];
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => stores[i % 3]!.create(user("alice", { passwordHash: `h${i}` }))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await stores[0]!.count()).toBe(1);
  });

  it("applies concurrent updates from several nodes without losing any", async () => {
    const stores = [await node(), await node()];
    await stores[0]!.create(user("alice"));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stores[i % 2]!.update("alice", (r) => {
          r.tokens.push({ hash: `t${i}`, createdAt: i, expiresAt: i });
        }),
      ),
    );
    const stored = await stores[1]!.get("alice");
    expect(stored!.tokens.map((t) => t.hash).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `t${i}`).sort());
  });

  it("answers undefined when updating an account that does not exist", async () => {
    const store = await node();
    expect(await store.update("nobody", () => {})).toBeUndefined();
  });

  it("counts accounts", async () => {
    const store = await node();
    await store.create(user("alice"));
    await store.create(user("bob"));
    await store.create(user("alice"));
    expect(await store.count()).toBe(2);
  });
});
