import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createJsonlLog, type JsonlLog } from "../../../../storage/chatlog/jsonl-log.ts";
import type { ChatLog, ChatRecord } from "../../../../storage/chatlog/types.ts";
import { formatId } from "../../../../storage/chatlog/ids.ts";

const T = 1764100000000;
let dataDir: string;
let logs: ChatLog[];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "chatd-rotation-"));
  logs = [];
});
afterEach(async () => {
  for (const log of logs) await log.close().catch(() => {});
  await rm(dataDir, { recursive: true, force: true });
});

let clock = T;
/** Appends message n at time T + n, so its id is formatId(T + n, 0). */
const append = (log: ChatLog, n: number, room = "general") => {
  clock = T + n;
  return log.append({ room, from: "alice", text: `message ${n}` });
};
const chatDir = () => join(dataDir, "chat");

async function openLog(maxBytes: number, keepFiles: number, historyMemoryBytes?: number): Promise<JsonlLog> {
  const log = createJsonlLog({ dataDir, historyPerRoom: 1000, historyMemoryBytes, fsync: false, maxBytes, keepFiles, now: () => clock });
  logs.push(log);
  await log.open();
  return log;
}

/** Ids in a file, in order. */
async function idsIn(name: string): Promise<string[]> {
  const text = await readFile(join(chatDir(), name), "utf8");
  return text.split("\n").filter(Boolean).map((l) => (JSON.parse(l) as ChatRecord).id);
}

describe("chat log rotation", () => {
  it("starts a new chat.jsonl once it reaches maxBytes and keeps only keepFiles rotated files", async () => {
    const log = await openLog(400, 2);
    for (let n = 1; n <= 40; n++) await append(log, n);
    await log.close(); // a rotation runs after the write that triggered it is acknowledged
    const files = (await readdir(chatDir())).sort();
    expect(files).toEqual(["chat.1.jsonl", "chat.2.jsonl", "chat.jsonl"]);
    // Newest last: chat.2 holds older messages than chat.1, which holds older ones than chat.jsonl.
    const [two, one, current] = [await idsIn("chat.2.jsonl"), await idsIn("chat.1.jsonl"), await idsIn("chat.jsonl")];
    expect(two.at(-1)! < one[0]!).toBe(true);
    expect(one.at(-1)!).toBe(formatId(T + 40 - current.length, 0));
  });

  it("rebuilds history on start from the rotated files and the current one, in order", async () => {
    const first = await openLog(400, 3);
    for (let n = 1; n <= 20; n++) await append(first, n);
    await first.close();
    const kept = [...(await idsIn("chat.3.jsonl").catch(() => [])), ...(await idsIn("chat.2.jsonl")), ...(await idsIn("chat.1.jsonl")), ...(await idsIn("chat.jsonl"))];

    const again = await openLog(400, 3);
    const page = await again.history("general", { limit: 1000 });
    expect(page.messages.map((m) => m.id)).toEqual(kept);
    expect(again.lastId()).toBe(formatId(T + 20, 0));
  });

  it("never rotates with maxBytes 0", async () => {
    const log = await openLog(0, 2);
    for (let n = 1; n <= 30; n++) await append(log, n);
    await log.close();
    expect(await readdir(chatDir())).toEqual(["chat.jsonl"]);
  });

  it("deletes the rotated file at once with keepFiles 0: its messages are no longer kept", async () => {
    const log = await openLog(200, 0);
    for (let n = 1; n <= 10; n++) await append(log, n);
    await log.flush();
    expect(await readdir(chatDir())).toEqual(["chat.jsonl"]);
    const current = await idsIn("chat.jsonl");
    const page = await log.history("general", { limit: 100 });
    expect(page.messages.map((m) => m.id)).toEqual(current);
    expect(page.complete).toBe(true);
    // A gap reaching into the deleted file cannot be filled.
    expect((await log.history("general", { after: formatId(T + 1, 0), limit: 100 })).complete).toBe(false);
  });

  it("pages back across rotated files with almost nothing in memory, and forgets what rotation deletes", async () => {
    const log = await openLog(400, 2, 0);
    for (let n = 1; n <= 40; n++) await append(log, n, n % 2 ? "odd" : "even");
    await log.flush();
    const kept = [...(await idsIn("chat.2.jsonl")), ...(await idsIn("chat.1.jsonl")), ...(await idsIn("chat.jsonl"))];
    expect(log.historyMemoryBytes()).toBe(0);
    for (const room of ["odd", "even"]) {
      const ids: string[] = [];
      let before: string | undefined;
      for (;;) {
        const page = await log.history(room, { before, limit: 3 });
        ids.unshift(...page.messages.map((m) => m.id));
        if (page.complete) break;
        before = page.messages[0]!.id;
      }
      const parity = room === "odd" ? 1 : 0;
      expect(ids).toEqual(kept.filter((id) => Number(id.slice(0, 13)) % 2 === parity));
    }
  });

  it("answers history from the files while rotation deletes them", async () => {
    const log = await openLog(300, 1, 0);
    const pages: Array<Promise<{ messages: ChatRecord[]; complete: boolean }>> = [];
    for (let n = 1; n <= 150; n++) {
      const stored = append(log, n, n % 3 ? "a" : "b");
      pages.push(log.history("a", { limit: 20 }));
      await stored;
    }
    await log.flush();
    for (const page of await Promise.all(pages)) {
      const ids = page.messages.map((m) => m.id);
      expect(ids).toEqual([...ids].sort());
      expect(page.messages.every((m) => m.room === "a")).toBe(true);
    }
    const last = await log.history("a", { limit: 1000 });
    expect(last.messages.map((m) => m.id)).toEqual((await idsIn("chat.1.jsonl").catch(() => [] as string[])).concat(await idsIn("chat.jsonl")).filter((id) => (Number(id.slice(0, 13)) - T) % 3 !== 0));
  });
});
