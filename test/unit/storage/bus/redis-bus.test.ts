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

  it("leaves stored messages to the broker: the bus delivers only what is not stored", async () => {
    const a = await node();
    await a.log.append({ room: "general", from: "alice", text: "stored" });
    await a.bus.publish({ kind: "notice", text: "after", noticeKind: "broadcast", ts: 1 });
    await expect.poll(() => a.seen.length).toBe(1);
    expect(a.seen).toEqual([{ kind: "notice", text: "after", noticeKind: "broadcast", ts: 1 }]);
  });
});
