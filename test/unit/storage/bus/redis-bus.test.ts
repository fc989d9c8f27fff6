import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRedisBus } from "../../../../storage/bus/redis-bus.ts";
import { createRedisLog } from "../../../../storage/chatlog/redis-log.ts";
import type { BusEvent } from "../../../../storage/bus/types.ts";
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
  const bus = createRedisBus(engine);
  const seen: BusEvent[] = [];
  bus.subscribe((e) => seen.push(e));
  return { log, bus, seen };
}

describe("createRedisBus", () => {
  it("delivers notices and moderation (a kick) to every node once", async () => {
    const a = await node();
    const b = await node();
    await a.bus.publish({ kind: "moderation", user: "alice", change: { action: "kick", reason: "bye" } });
    await b.bus.publish({ kind: "notice", text: "hello", noticeKind: "broadcast", ts: 1 });
    for (const n of [a, b]) {
      await expect.poll(() => n.seen.length).toBe(2);
      expect(n.seen).toEqual([
        { kind: "moderation", user: "alice", change: { action: "kick", reason: "bye" } },
        { kind: "notice", text: "hello", noticeKind: "broadcast", ts: 1 },
      ]);
    }
  });

  it("delivers stored messages from every node to every node, once each, in id order", async () => {
    const nodes = [await node(), await node(), await node()];
    const stored = await Promise.all(
      Array.from({ length: 60 }, (_, i) => nodes[i % 3]!.log.append({ room: "general", from: "alice", text: `m${i}` })),
    );
    // The chat publishes after storing; the Redis log already did, so this adds nothing.
    for (const r of stored) await nodes[0]!.bus.publish({ kind: "message", record: r });
    const ids = stored.map((r) => r.id).sort();
    for (const n of nodes) {
      await expect.poll(() => n.seen.length).toBe(60);
      expect(n.seen.map((e) => (e.kind === "message" ? e.record.id : ""))).toEqual(ids);
    }
  });
});
