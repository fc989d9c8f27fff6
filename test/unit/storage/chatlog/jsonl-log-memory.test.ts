import { appendFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createJsonlLog, type JsonlLog, type JsonlLogOptions } from "../../../../storage/chatlog/jsonl-log.ts";
import type { ChatRecord, HistoryQuery, MessageRecord } from "../../../../storage/chatlog/types.ts";
import { formatId } from "../../../../storage/chatlog/ids.ts";

const T = 1764100000000;
let dataDir: string;
let logs: JsonlLog[];
let warnings: string[];
let clock = T;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "chatd-chatlog-memory-"));
  logs = [];
  warnings = [];
  clock = T;
});
afterEach(async () => {
  for (const log of logs) await log.close().catch(() => {});
  await rm(dataDir, { recursive: true, force: true });
});

async function opened(options: Partial<JsonlLogOptions> = {}): Promise<JsonlLog> {
  const log = createJsonlLog({ dataDir, historyPerRoom: 50, fsync: false, now: () => (clock += 1), onWarning: (m) => void warnings.push(m), ...options });
  logs.push(log);
  await log.open();
  return log;
}

const text = (room: string, i: number) => `${room} message ${i} ${"x".repeat(500)}`;

/** `perRoom` messages in each of `rooms` rooms, interleaved; what each room got, by name. */
async function fill(log: JsonlLog, rooms: number, perRoom: number, bound?: number): Promise<Map<string, ChatRecord[]>> {
  const sent = new Map<string, ChatRecord[]>();
  for (let i = 0; i < perRoom; i++) {
    const batch: Promise<ChatRecord>[] = [];
    for (let r = 0; r < rooms; r++) batch.push(log.append({ room: `room${r}`, from: "hog", text: text(`room${r}`, i) }));
    for (const record of await Promise.all(batch)) {
      sent.set(record.room, [...(sent.get(record.room) ?? []), record]);
      if (bound !== undefined) expect(log.historyMemoryBytes()).toBeLessThanOrEqual(bound);
    }
  }
  return sent;
}

/** Every page of a room, paging back `limit` at a time, oldest first. */
async function pageBack(log: JsonlLog, room: string, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let before: string | undefined;
  for (let pages = 1; ; pages++) {
    const page = await log.history(room, { before, limit });
    ids.unshift(...page.messages.map((m) => m.id));
    if (page.complete) return { ids, pages };
    before = page.messages[0]!.id;
  }
}

describe("JSONL log: history memory", () => {
  it("holds at most historyMemoryBytes of history in memory across many rooms, and every page is still right", async () => {
    const bound = 20_000;
    const log = await opened({ historyMemoryBytes: bound });
    const sent = await fill(log, 60, 12, bound);
    // 60 rooms × 12 messages of ~600 bytes: 430 KB stored, 20 KB of it in memory.
    expect(log.historyMemoryBytes()).toBeLessThanOrEqual(bound);
    for (const [room, records] of sent) {
      expect((await log.history(room, { limit: 50 })).messages).toEqual(records);
      expect((await pageBack(log, room, 5)).ids).toEqual(records.map((r) => r.id));
      const gap = await log.history(room, { after: records[3]!.id, limit: 50 });
      expect(gap).toEqual({ messages: records.slice(4), complete: true });
      expect(log.historyMemoryBytes()).toBeLessThanOrEqual(bound);
    }
  });

  it("answers from the files alone with a budget of 0, complete and recovered as with everything in memory", async () => {
    // Each its own clock, so both assign the same ids.
    const clocks = { a: T, b: T };
    const everything = await opened({ historyPerRoom: 8, dataDir: join(dataDir, "a"), now: () => (clocks.a += 1) });
    const nothing = await opened({ historyPerRoom: 8, historyMemoryBytes: 0, dataDir: join(dataDir, "b"), now: () => (clocks.b += 1) });
    const queries: HistoryQuery[] = [];
    for (let i = 0; i < 12; i++) {
      for (const log of [everything, nothing]) await log.append({ room: "general", from: "a", text: `m${i}` });
    }
    const ids = (await everything.history("general", { limit: 100 })).messages.map((m) => m.id);
    for (const limit of [0, 1, 3, 8, 100]) {
      queries.push({ limit });
      for (const id of [formatId(T, 0), ids[0]!, ids[3]!, ids.at(-1)!]) queries.push({ after: id, limit }, { before: id, limit });
    }
    const texts = (page: { messages: ChatRecord[]; complete: boolean }) => ({ texts: page.messages.map((m) => (m as MessageRecord).text), complete: page.complete });
    for (const query of queries) {
      expect(texts(await nothing.history("general", query))).toEqual(texts(await everything.history("general", query)));
    }
    expect(nothing.historyMemoryBytes()).toBe(0);
  });

  it("starts with nothing in memory and the same pages after a restart", async () => {
    const first = await opened({ historyMemoryBytes: 1_000_000 });
    const sent = await fill(first, 20, 10);
    const lastId = first.lastId();
    await first.close();

    const again = await opened({ historyMemoryBytes: 1_000_000 });
    expect(again.historyMemoryBytes()).toBe(0);
    expect(again.lastId()).toBe(lastId);
    expect(again.rooms().sort()).toEqual([...sent.keys()].sort());
    for (const [room, records] of sent) expect((await again.history(room, { limit: 4 })).messages).toEqual(records.slice(-4));
    // The newest pages read are now held, within the budget.
    expect(again.historyMemoryBytes()).toBeGreaterThan(0);
    const record = await again.append({ room: "room0", from: "a", text: "after the restart" });
    expect((await again.history("room0", { limit: 2 })).messages).toEqual([sent.get("room0")!.at(-1), record]);
  });

  it("resolves a page as the room is when it resolves, though appends land while it reads the files", async () => {
    const log = await opened({ historyMemoryBytes: 0 });
    await fill(log, 1, 20);
    let newest: string | undefined;
    const pages: Array<Promise<void>> = [];
    for (let i = 0; i < 20; i++) {
      pages.push(
        log.history("room0", { limit: 5 }).then((page) => {
          expect(page.messages.at(-1)!.id).toBe(newest);
          expect(page.messages).toHaveLength(5);
        }),
      );
      newest = undefined;
      await log.append({ room: "room0", from: "a", text: `during ${i}` }, (r) => (newest = r.id));
    }
    await Promise.all(pages);
  });

  it("reads back lines of any UTF-8 length written in one batch", async () => {
    const log = await opened({ historyMemoryBytes: 0 });
    const texts = ["ascii", "é", "日本語のテキスト", "emoji 🎉🎉", "\u2028 and \n", "plain again"];
    await Promise.all(texts.map((text) => log.append({ room: "general", from: "a", text })));
    expect((await log.history("general", { limit: 10 })).messages.map((m) => (m as MessageRecord).text)).toEqual(texts);
  });

  it("skips a line that cannot be read back, with a warning", async () => {
    const log = await opened({ historyMemoryBytes: 0 });
    await log.append({ room: "general", from: "a", text: "one" });
    await log.close();
    // Looks like a record at its start and end, but is not JSON.
    await appendFile(join(dataDir, "chat", "chat.jsonl"), `{"id":"${formatId(T + 100, 0)}","room":"general","from":"a","text":"\\q"}\n`);
    const again = await opened({ historyMemoryBytes: 0 });
    await again.append({ room: "general", from: "a", text: "two" });
    expect((await again.history("general", { limit: 10 })).messages.map((m) => (m as MessageRecord).text)).toEqual(["one", "two"]);
    expect(warnings).toContain("chat log: skipping an unreadable line");
  });

  it("keeps records whole and opaque: fields it does not know are read back from the files", async () => {
    const log = await opened({ historyMemoryBytes: 0 });
    await log.close();
    const line = { id: formatId(T + 5, 0), room: "general", kind: "edit", from: "a", text: "x", ts: T + 5, extra: { n: 1 } };
    await appendFile(join(dataDir, "chat", "chat.jsonl"), JSON.stringify(line) + "\n");
    const again = await opened({ historyMemoryBytes: 0 });
    expect((await again.history("general", { limit: 10 })).messages).toEqual([line]);
  });
});
