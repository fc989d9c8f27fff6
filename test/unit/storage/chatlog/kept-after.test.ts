import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createJsonlLog } from "../../../../storage/chatlog/jsonl-log.ts";
import { createMemoryLog } from "../../../../storage/chatlog/memory-log.ts";
import { createRedisLog } from "../../../../storage/chatlog/redis-log.ts";
import type { ChatLog } from "../../../../storage/chatlog/types.ts";
import { cleanupRedis, openEngine, uniquePrefix } from "../../../helpers/redis.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** Appends n messages (and a topic in the middle) to `general`; their ids. */
async function fill(log: ChatLog, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push((await log.append({ room: "general", from: "bob", text: `m${i}` })).id);
    if (i === 2) ids.push((await log.append({ kind: "topic", room: "general", by: "bob", text: "t" })).id);
  }
  return ids;
}

/** keptAfter over a log keeping 5 records of `general`, 8 messages and a topic stored. */
async function expectCounts(log: ChatLog, ids: string[]): Promise<void> {
  // 9 records stored, 5 kept: ids[4..8].
  expect(await log.keptAfter("general", undefined)).toBe(5);
  expect(await log.keptAfter("general", ids[6]!)).toBe(2);
  expect(await log.keptAfter("general", ids[8]!)).toBe(0);
  // A marker older than what is kept: everything kept counts, up to the history kept.
  expect(await log.keptAfter("general", ids[0]!)).toBe(5);
  expect(await log.keptAfter("nowhere", undefined)).toBe(0);
}

describe("ChatLog.keptAfter (records kept after a marker, counted without reading them)", () => {
  it("JSON lines: counts from the room's index, also after a restart, and reads no line", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "chatd-kept-after-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const warnings: string[] = [];
    const make = () => createJsonlLog({ dataDir, historyPerRoom: 5, fsync: false, onWarning: (m) => warnings.push(m) });
    const log = make();
    await log.open();
    const ids = await fill(log, 8);
    await expectCounts(log, ids);
    await log.close();
    const again = make();
    await again.open();
    cleanups.push(() => again.close());
    // Only the index is in memory now; the file's lines are made unreadable: counting must not read them.
    const path = join(dataDir, "chat", "chat.jsonl");
    const text = await readFile(path, "utf8");
    await writeFile(path, text.replace(/[^\n]/g, "x"));
    await expectCounts(again, ids);
    expect(warnings).toEqual([]);
    // A page does read them (what the check above would have seen).
    await again.history("general", { limit: 5 }).catch(() => {});
    expect(warnings.length).toBeGreaterThan(0);
  });

  it("memory log", async () => {
    const log = createMemoryLog({ historyPerRoom: 5 });
    await expectCounts(log, await fill(log, 8));
  });

  it("Redis: counted inside Redis, capped at the stream's cap", async () => {
    const prefix = uniquePrefix();
    cleanups.push(cleanupRedis);
    const log = createRedisLog({ engine: await openEngine(prefix), historyPerRoom: 5 });
    await log.open();
    await expectCounts(log, await fill(log, 8));
  });

  it("Redis: a marker near the newest, near the oldest or in the middle of a long stream", async () => {
    const prefix = uniquePrefix();
    cleanups.push(cleanupRedis);
    const log = createRedisLog({ engine: await openEngine(prefix), historyPerRoom: 250 });
    await log.open();
    // 201 records: 200 messages and a topic after the third.
    const ids = await fill(log, 200);
    expect(await log.keptAfter("general", ids[190]!)).toBe(10);
    expect(await log.keptAfter("general", ids[10]!)).toBe(190);
    expect(await log.keptAfter("general", ids[100]!)).toBe(100);
    expect(await log.keptAfter("general", undefined)).toBe(201);
  });
});
