import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRedisKept } from "../../../../storage/chatlog/redis-kept.ts";
import type { KeptRecord } from "../../../../storage/chatlog/kept.ts";
import type { MessageRecord } from "../../../../storage/chatlog/types.ts";
import { formatId } from "../../../../storage/chatlog/ids.ts";
import { cleanupRedis, openEngine, uniquePrefix } from "../../../helpers/redis.ts";

let prefix: string;
beforeEach(() => {
  prefix = uniquePrefix();
});
afterEach(cleanupRedis);

describe("createRedisKept (what search reads of the cluster log)", () => {
  it("scans every stream in id order, across time windows of any width, up to the last id", async () => {
    const engine = await openEngine(prefix);
    // Ids spread over hours (windows widen and narrow), interleaved over rooms and a conversation.
    const rooms = ["red", "blue", "dm:ann:bob"];
    const base = 1764100000000;
    const written: MessageRecord[] = [];
    let ms = base;
    for (let i = 0; i < 300; i++) {
      ms += i % 50 === 0 ? 3_600_000 : i % 7;
      const room = rooms[(i * 5) % 3]!;
      const record: MessageRecord = { id: formatId(ms, i), room, from: "ann", text: `word ${i}`, ts: ms };
      await engine.cmd.xadd(engine.key(`room:${room}`), `${ms}-${i}`, "r", JSON.stringify(record));
      written.push(record);
    }
    await engine.cmd.set(engine.key("lastid"), written.at(-1)!.id);
    const kept = createRedisKept(engine);
    const seen: KeptRecord[] = [];
    await kept.scan(async (chunk) => void seen.push(...chunk));
    expect(seen.map((r) => r.record.id)).toEqual(written.map((r) => r.id));
    expect(seen.every((r) => r.at === undefined)).toBe(true);

    // Records back by room and id; one no longer kept (or in another room) is undefined.
    const [a, b] = [written[10]!, written[200]!];
    const back = await kept.read([
      { room: a.room, id: a.id, at: undefined },
      { room: b.room, id: b.id, at: undefined },
      { room: "red", id: formatId(base, 999_999), at: undefined },
      { room: a.room === "red" ? "blue" : "red", id: a.id, at: undefined },
    ]);
    expect(back).toEqual([a, b, undefined, undefined]);
  });
});
