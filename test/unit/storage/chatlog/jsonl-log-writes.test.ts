import * as fs from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createJsonlLog } from "../../../../storage/chatlog/jsonl-log.ts";
import type { ChatLog, ChatRecord, MessageRecord } from "../../../../storage/chatlog/types.ts";

// The log's syscalls, counted: each batch must be one write (made at once, or in the
// thread pool while an fdatasync runs if writes wait for it), each turn's group commit one fdatasync.
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  return { ...real, write: vi.fn(real.write), writeSync: vi.fn(real.writeSync), fdatasync: vi.fn(real.fdatasync) };
});
const asyncWrite = vi.mocked(fs.write);
const write = vi.mocked(fs.writeSync);
const fdatasync = vi.mocked(fs.fdatasync);
type WriteBuffer = (fd: number, b: Buffer, o: number, l: number) => number;

let dataDir: string;
let log: ChatLog;
const real = await vi.importActual<typeof fs>("node:fs");
const realWrite = real.writeSync as unknown as WriteBuffer;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "chatd-chatlog-writes-"));
});
afterEach(async () => {
  // A test that failed half-way may have left a mock holding fdatasyncs back.
  fdatasync.mockImplementation(real.fdatasync);
  write.mockImplementation(real.writeSync);
  await log?.close().catch(() => {});
  await rm(dataDir, { recursive: true, force: true });
  vi.clearAllMocks();
});

async function opened(fsync: boolean): Promise<ChatLog> {
  log = createJsonlLog({ dataDir, historyPerRoom: 1000, fsync });
  await log.open();
  write.mockClear();
  asyncWrite.mockClear();
  fdatasync.mockClear();
  return log;
}

const drafts = (n: number) => Array.from({ length: n }, (_, i) => ({ room: "general", from: "alice", text: `m${i} ✓` }));

async function fileRecords(): Promise<ChatRecord[]> {
  const text = await readFile(join(dataDir, "chat", "chat.jsonl"), "utf8");
  return text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as ChatRecord);
}

describe("createJsonlLog group commit", () => {
  it("writes a batch of appends with one write and one fdatasync", async () => {
    await opened(true);
    const records = await Promise.all(drafts(50).map((d) => log.append(d)));
    expect(write).toHaveBeenCalledTimes(1);
    expect(fdatasync).toHaveBeenCalledTimes(1);
    expect(await fileRecords()).toEqual(records);
  });

  it("fdatasyncs only after the batch is written, before any append resolves", async () => {
    await opened(true);
    const order: string[] = [];
    write.mockImplementationOnce(((fd, b, o, l) => {
      order.push("write");
      return realWrite(fd, b, o, l);
    }) as WriteBuffer as typeof fs.writeSync);
    fdatasync.mockImplementationOnce(((fd: number, cb: (e: Error | null) => void) => {
      order.push("fdatasync");
      setTimeout(() => cb(null), 5);
    }) as typeof fs.fdatasync);
    await Promise.all(drafts(3).map((d) => log.append(d).then(() => order.push("resolved"))));
    expect(order).toEqual(["write", "fdatasync", "resolved", "resolved", "resolved"]);
  });

  it("writes and delivers new appends at once while an fdatasync is still running; acks wait for their own", async () => {
    await opened(true);
    const releases: Array<() => void> = [];
    fdatasync.mockImplementation(((fd: number, cb: (e: Error | null) => void) => void releases.push(() => cb(null))) as typeof fs.fdatasync);
    const events: string[] = [];
    const say = (text: string) =>
      log.append({ room: "general", from: "alice", text }, () => void events.push(`stored ${text}`)).then(() => void events.push(`acked ${text}`));
    const first = say("a");
    await vi.waitFor(() => expect(releases).toHaveLength(1));
    const second = say("b");
    await Promise.resolve(); // written and delivered in the same turn, not a turn later from the thread pool
    expect(events).toEqual(["stored a", "stored b"]);
    expect(write).toHaveBeenCalledTimes(2);
    expect(asyncWrite).not.toHaveBeenCalled();
    releases[0]!();
    await first;
    expect(events).toEqual(["stored a", "stored b", "acked a"]);
    await vi.waitFor(() => expect(releases).toHaveLength(2));
    releases[1]!();
    await second;
    expect(events).toEqual(["stored a", "stored b", "acked a", "acked b"]);
    fdatasync.mockRestore();
  });

  it("writes from the thread pool while an fdatasync runs, for a minute, once such writes have waited for three fdatasyncs in a row", async () => {
    let clock = 0;
    const warnings: string[] = [];
    log = createJsonlLog({ dataDir, historyPerRoom: 1000, fsync: true, monotonic: () => clock, onWarning: (m) => void warnings.push(m) });
    await log.open();
    write.mockClear();
    const releases: Array<() => void> = [];
    fdatasync.mockImplementation(((fd: number, cb: (e: Error | null) => void) => void releases.push(() => cb(null))) as typeof fs.fdatasync);
    // Every synchronous write takes 3 ms on this clock: as if the file system made it wait for the fdatasync.
    write.mockImplementation(((fd, b, o, l) => {
      clock += 3;
      return realWrite(fd, b, o, l);
    }) as WriteBuffer as typeof fs.writeSync);
    const stored: string[] = [];
    const say = (text: string) => log.append({ room: "general", from: "alice", text }, () => void stored.push(text));
    const pending = [say("first")];
    await vi.waitFor(() => expect(releases).toHaveLength(1));
    // Three fdatasyncs in a row with a slow write made while each ran.
    for (const text of ["w1", "w2", "w3"]) {
      pending.push(say(text));
      await Promise.resolve();
      expect(stored.at(-1)).toBe(text);
      expect(warnings).toEqual([]);
      const n = releases.length;
      releases[n - 1]!();
      await vi.waitFor(() => expect(releases).toHaveLength(n + 1));
    }
    expect(warnings).toEqual(["chat log: writes wait for fsync on this file system; while an fsync runs, writing from a background thread"]);
    expect(asyncWrite).not.toHaveBeenCalled();
    // Now a write made while an fdatasync runs goes to the thread pool: delivered once it completes.
    pending.push(say("pooled"));
    await Promise.resolve();
    expect(stored).not.toContain("pooled");
    await vi.waitFor(() => expect(stored).toContain("pooled"));
    expect(asyncWrite).toHaveBeenCalledTimes(1);
    // A minute later, synchronous again.
    clock += 60_000;
    const n = releases.length;
    releases[n - 1]!();
    await vi.waitFor(() => expect(releases).toHaveLength(n + 1));
    pending.push(say("at once"));
    await Promise.resolve();
    expect(stored.at(-1)).toBe("at once");
    expect(asyncWrite).toHaveBeenCalledTimes(1);
    fdatasync.mockImplementation(((fd: number, cb: (e: Error | null) => void) => cb(null)) as typeof fs.fdatasync);
    for (const release of releases) release();
    await Promise.all(pending);
    expect((await fileRecords()).map((r) => (r as MessageRecord).text)).toEqual(["first", "w1", "w2", "w3", "pooled", "at once"]);
  });

  it("keeps writing at once while slow writes during fdatasyncs are not three in a row", async () => {
    let clock = 0;
    let slow = true;
    const warnings: string[] = [];
    log = createJsonlLog({ dataDir, historyPerRoom: 1000, fsync: true, monotonic: () => clock, onWarning: (m) => void warnings.push(m) });
    await log.open();
    const releases: Array<() => void> = [];
    fdatasync.mockImplementation(((fd: number, cb: (e: Error | null) => void) => void releases.push(() => cb(null))) as typeof fs.fdatasync);
    write.mockImplementation(((fd, b, o, l) => {
      if (slow) clock += 3;
      return realWrite(fd, b, o, l);
    }) as WriteBuffer as typeof fs.writeSync);
    const stored: string[] = [];
    const pending = [log.append({ room: "general", from: "alice", text: "first" })];
    await vi.waitFor(() => expect(releases).toHaveLength(1));
    // Slow, slow, fast (a descheduled moment, not a file system that waits), slow, slow.
    for (const [i, isSlow] of [true, true, false, true, true].entries()) {
      slow = isSlow;
      pending.push(log.append({ room: "general", from: "alice", text: `w${i}` }, () => void stored.push(`w${i}`)));
      await Promise.resolve();
      expect(stored.at(-1)).toBe(`w${i}`);
      const n = releases.length;
      releases[n - 1]!();
      await vi.waitFor(() => expect(releases).toHaveLength(n + 1));
    }
    expect(warnings).toEqual([]);
    expect(asyncWrite).not.toHaveBeenCalled();
    releases.at(-1)!();
    await Promise.all(pending);
  });

  it("does not fdatasync when fsync is off", async () => {
    await opened(false);
    await Promise.all(drafts(10).map((d) => log.append(d)));
    expect(write).toHaveBeenCalledTimes(1);
    expect(fdatasync).not.toHaveBeenCalled();
  });

  it("writes each batch of a turn at once, and syncs them all with the turn's one fdatasync", async () => {
    await opened(true);
    const first = log.append(drafts(1)[0]!);
    await Promise.resolve(); // the first batch is written; the fdatasync waits for the end of the turn
    expect(write).toHaveBeenCalledTimes(1);
    const rest = drafts(20).map((d) => log.append(d));
    await Promise.all([first, ...rest]);
    expect(write).toHaveBeenCalledTimes(2);
    expect(asyncWrite).not.toHaveBeenCalled();
    expect(fdatasync).toHaveBeenCalledTimes(1);
    expect((await fileRecords()).map((r) => (r as MessageRecord).text)).toEqual(["m0 ✓", ...drafts(20).map((d) => d.text)]);
  });

  it("finishes a short write with another write, so the lines land whole", async () => {
    await opened(true);
    // The disk takes only 7 bytes the first time.
    write.mockImplementationOnce(((fd, b, o) => realWrite(fd, b, o, 7)) as WriteBuffer as typeof fs.writeSync);
    const records = await Promise.all(drafts(5).map((d) => log.append(d)));
    expect(write).toHaveBeenCalledTimes(2);
    expect(write.mock.calls[1]![2]).toBe(7);
    expect(await fileRecords()).toEqual(records);
    expect(log.lastId()).toBe(records[4]!.id);
  });

  it("rejects the whole batch when the write fails, and cuts off what reached the file", async () => {
    await opened(true);
    const kept = await log.append(drafts(1)[0]!);
    // Part of the batch reaches the file, then the disk fills up.
    write.mockImplementationOnce(((fd, b, o) => {
      realWrite(fd, b, o, 10);
      throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
    }) as WriteBuffer as typeof fs.writeSync);
    const failed = drafts(3).map((d) => log.append(d).then(() => "stored", (e: Error) => e.message));
    expect(await Promise.all(failed)).toEqual(Array(3).fill("ENOSPC: no space left on device"));
    expect(await fileRecords()).toEqual([kept]);
    const after = await log.append({ room: "general", from: "alice", text: "after" });
    expect(await fileRecords()).toEqual([kept, after]);
    expect((await log.history("general", { limit: 10 })).messages).toEqual([kept, after]);
  });
});
