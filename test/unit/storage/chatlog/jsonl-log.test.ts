import { readFileSync } from "node:fs";
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createJsonlLog, type JsonlLogOptions } from "../../../../storage/chatlog/jsonl-log.ts";
import type { ChatLog, ChatRecord, MessageRecord } from "../../../../storage/chatlog/types.ts";
import { formatId } from "../../../../storage/chatlog/ids.ts";

const T = 1764100000000;
let dataDir: string;
let logs: ChatLog[];
let warnings: Array<{ message: string; fields: Record<string, unknown> | undefined }>;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "chatd-chatlog-"));
  logs = [];
  warnings = [];
});
afterEach(async () => {
  for (const log of logs) await log.close().catch(() => {});
  await rm(dataDir, { recursive: true, force: true });
});

const logPath = () => join(dataDir, "chat", "chat.jsonl");

function record(n: number, room = "general", fields: Partial<MessageRecord> = {}): MessageRecord {
  return { id: formatId(T + n, 0), room, from: "alice", text: `m${n}`, ts: T + n, ...fields };
}

/** The clock the logs read: `put` sets it so the log assigns exactly the record's id. */
let clock = T;

/** Appends the record's draft at the record's time; ids then equal `record(n).id`. */
function put(log: ChatLog, r: ChatRecord): Promise<ChatRecord> {
  clock = r.ts;
  const { id: _id, ts: _ts, ...draft } = r;
  return log.append(draft);
}

/** A log over the test's data dir, not opened yet. */
function make(options: Partial<JsonlLogOptions> = {}): ChatLog {
  const log = createJsonlLog({
    dataDir,
    historyPerRoom: 100,
    fsync: false,
    onWarning: (message, fields) => warnings.push({ message, fields }),
    now: () => clock,
    ...options,
  });
  logs.push(log);
  return log;
}

async function opened(options: Partial<JsonlLogOptions> = {}): Promise<ChatLog> {
  const log = make(options);
  await log.open();
  return log;
}

async function fileLines(): Promise<string[]> {
  return (await readFile(logPath(), "utf8")).split("\n");
}

const texts = (page: { messages: ChatRecord[] }) => page.messages.map((m) => (m as MessageRecord).text);

describe("createJsonlLog", () => {
  describe("open", () => {
    it("creates <data>/chat and starts empty", async () => {
      const log = await opened();
      expect(log.lastId()).toBeUndefined();
      expect(log.rooms()).toEqual([]);
      expect(await log.history("general", { limit: 10 })).toEqual({ messages: [], complete: true });
      expect(await readFile(logPath(), "utf8")).toBe("");
    });

    it("opens an existing empty file", async () => {
      await mkdir(join(dataDir, "chat"), { recursive: true });
      await writeFile(logPath(), "");
      const log = await opened();
      expect(log.lastId()).toBeUndefined();
      expect(warnings).toEqual([]);
    });
  });

  describe("append", () => {
    it("makes the record visible to history once it resolves", async () => {
      const log = await opened();
      await put(log, record(1));
      expect(await log.history("general", { limit: 10 })).toEqual({ messages: [record(1)], complete: true });
    });

    it("writes one JSON record a line", async () => {
      const log = await opened();
      await put(log, record(1));
      await put(log, record(2, "random"));
      expect(await fileLines()).toEqual([JSON.stringify(record(1)), JSON.stringify(record(2, "random")), ""]);
    });

    it("keeps rooms apart", async () => {
      const log = await opened();
      await put(log, record(1, "general"));
      await put(log, record(2, "random"));
      await put(log, record(3, "general"));
      expect(texts(await log.history("general", { limit: 10 }))).toEqual(["m1", "m3"]);
      expect(texts(await log.history("random", { limit: 10 }))).toEqual(["m2"]);
      expect(log.rooms().sort()).toEqual(["general", "random"]);
    });

    it("keeps direct messages out of rooms() but in their own history", async () => {
      const log = await opened();
      await put(log, record(1, "general"));
      await put(log, record(2, "dm:alice:bob", { to: "bob" }));
      expect(log.rooms()).toEqual(["general"]);
      expect((await log.history("dm:alice:bob", { limit: 10 })).messages).toEqual([record(2, "dm:alice:bob", { to: "bob" })]);
    });

    it("keeps text with newlines and unicode on one line", async () => {
      const log = await opened();
      const r = record(1, "general", { text: "line 1\nline 2\r\n\u2028✓ \"quoted\"" });
      await put(log, r);
      expect(await fileLines()).toHaveLength(2);
      await log.close();
      const again = await opened();
      expect((await again.history("general", { limit: 1 })).messages).toEqual([r]);
    });

    it("group-commits 100 concurrent appends: all land, resolving in order", async () => {
      const log = await opened({ fsync: true });
      const resolved: number[] = [];
      await Promise.all(Array.from({ length: 100 }, (_, i) => put(log, record(i)).then(() => resolved.push(i))));
      expect(resolved).toEqual(Array.from({ length: 100 }, (_, i) => i));
      const lines = (await fileLines()).filter(Boolean);
      expect(lines.map((l) => (JSON.parse(l) as MessageRecord).text)).toEqual(resolved.map((i) => `m${i}`));
      expect(texts(await log.history("general", { limit: 1000 }))).toEqual(resolved.map((i) => `m${i}`));
      expect(log.lastId()).toBe(record(99).id);
    });

    it("stores a turn's appends (file, history, onStored) before any of them is synced and resolved", async () => {
      const log = await opened({ fsync: true });
      const events: string[] = [];
      const acked = [1, 2, 3].map((n) =>
        log
          .append({ room: "general", from: "alice", text: `m${n}` }, (stored) => {
            // Already in the file (it survives this process dying) and in history.
            expect(readFileSync(logPath(), "utf8")).toContain(`"text":"${(stored as MessageRecord).text}"`);
            events.push(`stored ${(stored as MessageRecord).text}`);
          })
          .then((r) => void events.push(`acked ${(r as MessageRecord).text}`)),
      );
      expect(events).toEqual([]);
      await Promise.all(acked);
      expect(events).toEqual(["stored m1", "stored m2", "stored m3", "acked m1", "acked m2", "acked m3"]);
      expect(texts(await log.history("general", { limit: 10 }))).toEqual(["m1", "m2", "m3"]);
    });

    it("calls onStored once per record, in id order, with fsync off too", async () => {
      const log = await opened();
      const stored: string[] = [];
      const records = await Promise.all(
        [1, 2, 3].map((n) => log.append({ room: "general", from: "alice", text: `m${n}` }, (r) => void stored.push(r.id))),
      );
      expect(stored).toEqual(records.map((r) => r.id));
    });

    it("accepts appends made while a write is in flight", async () => {
      const log = await opened({ fsync: true });
      const first = put(log, record(1));
      const second = put(log, record(2));
      await first;
      const third = put(log, record(3));
      await Promise.all([second, third]);
      expect(texts(await log.history("general", { limit: 10 }))).toEqual(["m1", "m2", "m3"]);
    });

    it("rejects before open", async () => {
      await expect(put(make(), record(1))).rejects.toThrow(/closed/);
    });

    it("rejects after close and writes nothing", async () => {
      const log = await opened();
      await put(log, record(1));
      await log.close();
      await expect(put(log, record(2))).rejects.toThrow(/closed/);
      expect((await fileLines()).filter(Boolean)).toHaveLength(1);
      expect(texts(await log.history("general", { limit: 10 }))).toEqual(["m1"]);
    });
  });

  describe("lastId", () => {
    it("is the greatest id appended", async () => {
      const log = await opened();
      await put(log, record(5));
      expect(log.lastId()).toBe(record(5).id);
      await put(log, record(7, "random"));
      expect(log.lastId()).toBe(record(7).id);
    });

    it("is restored on open", async () => {
      const log = await opened();
      await put(log, record(1));
      await put(log, record(2, "dm:a:b", { to: "b" }));
      await log.close();
      expect((await opened()).lastId()).toBe(record(2).id);
    });
  });

  describe("reopening", () => {
    it("restores every room's history from the file", async () => {
      const log = await opened();
      for (let i = 1; i <= 5; i++) await put(log, record(i, i % 2 ? "odd" : "even"));
      await log.close();
      const again = await opened();
      expect(texts(await again.history("odd", { limit: 10 }))).toEqual(["m1", "m3", "m5"]);
      expect(texts(await again.history("even", { limit: 10 }))).toEqual(["m2", "m4"]);
      expect(again.rooms().sort()).toEqual(["even", "odd"]);
      expect(warnings).toEqual([]);
    });

    it("writes every kind with id and room first, and restores them with the messages", async () => {
      const log = await opened();
      const m = await put(log, record(1, "general", { replyTo: formatId(T, 0), mentions: ["bob"], notice: true, tags: { "+x/colour": "blue" } }));
      clock = T + 2;
      const edit = await log.append({ kind: "edit", room: "general", by: "alice", target: m.id, author: "alice", text: "fixed" });
      clock = T + 3;
      const topic = await log.append({ kind: "topic", room: "general", by: "alice", text: "release" });
      await log.close();
      const lines = (await fileLines()).filter(Boolean);
      expect(lines[0]).toBe(`{"id":"${m.id}","room":"general","from":"alice","text":"m1","ts":${m.ts},"replyTo":"${formatId(T, 0)}","mentions":["bob"],"notice":true,"tags":{"+x/colour":"blue"}}`);
      expect(lines[1]).toMatch(new RegExp(`^\\{"id":"${edit.id}","room":"general","kind":"edit",`));
      expect(lines[2]).toMatch(new RegExp(`^\\{"id":"${topic.id}","room":"general","kind":"topic",`));
      const again = await opened();
      expect((await again.history("general", { limit: 10 })).messages).toEqual([m, edit, topic]);
      expect(again.streams()).toEqual(["general"]);
      // Start-up notes which streams hold changes (from the line's head), so a rebuild reads only those.
      expect(again.changedStreams!()).toEqual(["general"]);
      await put(again, record(9, "quiet"));
      expect(again.changedStreams!()).toEqual(["general"]);
      clock = T + 10;
      await again.append({ kind: "react", room: "quiet", by: "bob", target: record(9, "quiet").id, author: "alice", emoji: ":a:", on: true });
      expect(again.changedStreams!().sort()).toEqual(["general", "quiet"]);
      expect(warnings).toEqual([]);
    });

    it("appends after what is already there", async () => {
      const log = await opened();
      await put(log, record(1));
      await log.close();
      const again = await opened();
      await put(again, record(2));
      expect((await fileLines()).filter(Boolean)).toHaveLength(2);
      expect(texts(await again.history("general", { limit: 10 }))).toEqual(["m1", "m2"]);
    });

    it("keeps only historyPerRoom messages in memory, flagging the gap", async () => {
      const log = await opened();
      for (let i = 1; i <= 6; i++) await put(log, record(i));
      await log.close();
      const small = await opened({ historyPerRoom: 3 });
      const page = await small.history("general", { limit: 10 });
      expect(texts(page)).toEqual(["m4", "m5", "m6"]);
      // The oldest kept message is reached: nothing older can be paged back to.
      expect(page.complete).toBe(true);
      expect((await small.history("general", { after: record(1).id, limit: 10 })).complete).toBe(false);
      expect((await small.history("general", { after: record(3).id, limit: 10 })).complete).toBe(true);
    });

    it("drops a torn last line on open and keeps later appends readable", async () => {
      const log = await opened();
      await put(log, record(1));
      await put(log, record(2));
      await log.close();
      const intact = await readFile(logPath(), "utf8");
      await appendFile(logPath(), '{"id":"1764100000003-000000","room":"gen');

      const again = await opened();
      expect(warnings.map((w) => w.message)).toEqual(["chat log: dropping a torn last line"]);
      expect(warnings[0]!.fields).toMatchObject({ bytes: Buffer.byteLength('{"id":"1764100000003-000000","room":"gen') });
      expect(await readFile(logPath(), "utf8")).toBe(intact);
      expect(texts(await again.history("general", { limit: 10 }))).toEqual(["m1", "m2"]);
      expect(again.lastId()).toBe(record(2).id);

      await put(again, record(4));
      await again.close();
      warnings = [];
      const third = await opened();
      expect(texts(await third.history("general", { limit: 10 }))).toEqual(["m1", "m2", "m4"]);
      expect(warnings).toEqual([]);
    });

    it("drops a file that is one torn line", async () => {
      await mkdir(join(dataDir, "chat"), { recursive: true });
      await writeFile(logPath(), '{"id":"17641');
      const log = await opened();
      expect(await readFile(logPath(), "utf8")).toBe("");
      await put(log, record(1));
      expect(await fileLines()).toEqual([JSON.stringify(record(1)), ""]);
    });

    it("finds the last newline beyond the first 64 KiB block", async () => {
      const big = record(1, "general", { text: "x".repeat(70_000) });
      const log = await opened();
      await log.append(big);
      await log.close();
      await appendFile(logPath(), "y".repeat(80_000));
      const again = await opened();
      expect((await again.history("general", { limit: 1 })).messages).toEqual([big]);
      expect(await readFile(logPath(), "utf8")).toBe(JSON.stringify(big) + "\n");
    });

    it("skips a corrupt line in the middle and keeps the rest", async () => {
      await mkdir(join(dataDir, "chat"), { recursive: true });
      await writeFile(
        logPath(),
        [JSON.stringify(record(1)), "this is not json", JSON.stringify(record(2)), ""].join("\n"),
      );
      const log = await opened();
      expect(texts(await log.history("general", { limit: 10 }))).toEqual(["m1", "m2"]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.message).toBe("chat log: skipping an unreadable line");
      expect(warnings[0]!.fields).toMatchObject({ line: 2 });
    });

    it("skips JSON lines without a string id or room", async () => {
      await mkdir(join(dataDir, "chat"), { recursive: true });
      await writeFile(
        logPath(),
        [
          JSON.stringify(record(1)),
          JSON.stringify({ room: "general", text: "no id" }),
          JSON.stringify({ id: 5, room: "general" }),
          JSON.stringify({ id: record(3).id, text: "no room" }),
          "null",
          "",
          JSON.stringify(record(2)),
          "",
        ].join("\n"),
      );
      const log = await opened();
      expect(texts(await log.history("general", { limit: 10 }))).toEqual(["m1", "m2"]);
      expect(warnings.map((w) => w.fields?.line)).toEqual([2, 3, 4, 5]);
    });

    it("reads CRLF line endings", async () => {
      await mkdir(join(dataDir, "chat"), { recursive: true });
      await writeFile(logPath(), `${JSON.stringify(record(1))}\r\n${JSON.stringify(record(2))}\r\n`);
      const log = await opened();
      expect(texts(await log.history("general", { limit: 10 }))).toEqual(["m1", "m2"]);
      expect(warnings).toEqual([]);
    });
  });

  describe("history", () => {
    let log: ChatLog;
    beforeEach(async () => {
      log = await opened();
      for (let i = 1; i <= 10; i++) await put(log, record(i));
    });

    it("returns the newest `limit` messages, oldest first", async () => {
      expect(await log.history("general", { limit: 3 })).toEqual({ messages: [record(8), record(9), record(10)], complete: false });
    });

    it("is complete when it returns the whole room", async () => {
      expect((await log.history("general", { limit: 10 })).complete).toBe(true);
    });

    it("pages back with before", async () => {
      const page = await log.history("general", { before: record(4).id, limit: 2 });
      expect(texts(page)).toEqual(["m2", "m3"]);
      expect(page.complete).toBe(false);
      const last = await log.history("general", { before: record(2).id, limit: 2 });
      expect(last).toEqual({ messages: [record(1)], complete: true });
    });

    it("fills a gap with after", async () => {
      const page = await log.history("general", { after: record(7).id, limit: 100 });
      expect(page).toEqual({ messages: [record(8), record(9), record(10)], complete: true });
    });

    it("is not complete when after's gap is cut by the limit", async () => {
      const page = await log.history("general", { after: record(2).id, limit: 3 });
      expect(texts(page)).toEqual(["m8", "m9", "m10"]);
      expect(page.complete).toBe(false);
    });

    it("is empty and complete for an unknown room", async () => {
      expect(await log.history("nowhere", { limit: 10 })).toEqual({ messages: [], complete: true });
      expect(await log.history("nowhere", { after: record(1).id, limit: 10 })).toEqual({ messages: [], complete: true });
    });

    it("evicts beyond historyPerRoom and says so", async () => {
      const small = make({ dataDir: join(dataDir, "small"), historyPerRoom: 4 });
      await small.open();
      for (let i = 1; i <= 6; i++) await put(small, record(i));
      expect(texts(await small.history("general", { limit: 10 }))).toEqual(["m3", "m4", "m5", "m6"]);
      expect((await small.history("general", { after: record(1).id, limit: 10 })).complete).toBe(false);
      expect((await small.history("general", { after: record(2).id, limit: 10 })).complete).toBe(true);
    });
  });

  describe("close", () => {
    it("waits for appends still in flight", async () => {
      const log = await opened({ fsync: true });
      const pending = Array.from({ length: 20 }, (_, i) => put(log, record(i)));
      await log.close();
      await Promise.all(pending);
      expect((await fileLines()).filter(Boolean)).toHaveLength(20);
      const again = await opened();
      expect((await again.history("general", { limit: 100 })).messages).toHaveLength(20);
    });

    it("can be called twice", async () => {
      const log = await opened();
      await log.close();
      await expect(log.close()).resolves.toBeUndefined();
    });
  });
});

describe("createJsonlLog ids", () => {
  it("assigns increasing ids in call order, even within one millisecond", async () => {
    const log = await opened();
    clock = T;
    const stored = await Promise.all([1, 2, 3].map((n) => log.append({ room: "general", from: "alice", text: `m${n}` })));
    expect(stored.map((r) => r.id)).toEqual([formatId(T, 0), formatId(T, 1), formatId(T, 2)]);
    expect(stored.map((r) => r.ts)).toEqual([T, T, T]);
  });

  it("continues above the last stored id after reopening, even if the clock went back", async () => {
    const log = await opened();
    await put(log, record(10));
    await log.close();
    const again = await opened();
    clock = T;
    expect((await again.append({ room: "general", from: "alice", text: "later" })).id).toBe(formatId(T + 10, 1));
  });
});
