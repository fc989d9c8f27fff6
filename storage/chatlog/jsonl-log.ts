import { createReadStream, fdatasync, write } from "node:fs";
import { mkdir, open, stat, truncate, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { ChatLog, ChatRecord } from "./types.ts";
import { createIdGenerator } from "../../src/message/ids.ts";
import { RoomHistory } from "./room-history.ts";
import { CURRENT, rotate, rotatedFiles } from "./rotation.ts";

export type JsonlLogOptions = {
  dataDir: string;
  /** Messages kept in memory per room for `history`. */
  historyPerRoom: number;
  /** fsync each group commit before acknowledging it. */
  fsync: boolean;
  /** Rotate `chat.jsonl` once it reaches this many bytes; 0: never. */
  maxBytes?: number;
  /** Rotated files kept (`chat.1.jsonl` newest); older ones are deleted. */
  keepFiles?: number;
  onWarning?: (message: string, fields?: Record<string, unknown>) => void;
  /** The clock ids are made from (tests pin it). */
  now?: () => number;
};

type Pending = { line: string; record: ChatRecord; resolve: (r: ChatRecord) => void; reject: (e: Error) => void };

/**
 * The embedded chat log: `<dataDir>/chat/chat.jsonl`, one JSON record a line,
 * only ever appended to. Group commit: while one write (and fsync) is in
 * flight, new records queue up and the next write takes them all at once, so
 * the cost of durability is shared by everything that arrived meanwhile.
 */
export function createJsonlLog(options: JsonlLogOptions): ChatLog {
  const dir = join(options.dataDir, "chat");
  const path = join(dir, CURRENT);
  const maxBytes = options.maxBytes ?? 0;
  const keepFiles = options.keepFiles ?? 5;
  const rooms = new Map<string, RoomHistory>();
  let file: FileHandle | undefined;
  let queue: Pending[] = [];
  let writing: Promise<void> | undefined;
  let last: string | undefined;
  /** Bytes of the file known good: everything up to the end of the last successful write. */
  let size = 0;
  const warn = options.onWarning ?? (() => {});
  /** Made once the file is read, so new ids continue above the last one stored. */
  let nextId: (() => { id: string; ts: number }) | undefined;

  function roomOf(room: string): RoomHistory {
    let history = rooms.get(room);
    if (!history) rooms.set(room, (history = new RoomHistory(options.historyPerRoom)));
    return history;
  }

  function remember(record: ChatRecord): void {
    roomOf(record.room).push(record);
    if (last === undefined || record.id > last) last = record.id;
  }

  /** Rotated files first (oldest first, all complete), then the current file. */
  async function load(): Promise<void> {
    for (const rotated of await rotatedFiles(dir)) await readLines(rotated);
    const size = await stat(path).then((s) => s.size, () => 0);
    if (size === 0) return;
    const validEnd = await lastNewline(path, size);
    if (validEnd < size) {
      // A torn last line is a write that crashed before its fsync, so it was never acknowledged.
      warn("chat log: dropping a torn last line", { path, bytes: size - validEnd });
      await truncate(path, validEnd);
    }
    await readLines(path);
  }

  async function readLines(path: string): Promise<void> {
    const lines = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
    let lineNo = 0;
    for await (const line of lines) {
      lineNo += 1;
      if (line.length === 0) continue;
      try {
        const record = JSON.parse(line) as ChatRecord;
        if (typeof record.id !== "string" || typeof record.room !== "string") throw new Error("missing id or room");
        remember(record);
      } catch (error) {
        warn("chat log: skipping an unreadable line", { path, line: lineNo, error: (error as Error).message });
      }
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        if (!file) throw new Error("chat log is closed");
        let chunk = "";
        for (const p of batch) chunk += p.line;
        const bytes = Buffer.from(chunk, "utf8");
        await writeBatch(file.fd, bytes, options.fsync);
        size += bytes.length;
        // Ids were taken in call order, so the batch's last id is the greatest.
        last = batch[batch.length - 1]!.record.id;
        for (const p of batch) {
          roomOf(p.record.room).push(p.record);
          p.resolve(p.record);
        }
        if (maxBytes > 0 && size >= maxBytes) await rotateNow();
      } catch (error) {
        // Cut off whatever part of the batch reached the file, so the next
        // record does not land glued to a fragment and get skipped on load.
        await file?.truncate(size).catch(() => {});
        for (const p of batch) p.reject(error as Error);
      }
    }
    writing = undefined;
  }

  /** Between two writes (drain runs one batch at a time): close, shift the files, start a new one. */
  async function rotateNow(): Promise<void> {
    try {
      await file?.close();
      file = undefined;
      await rotate(dir, keepFiles);
    } catch (error) {
      warn("chat log: rotation failed; continuing in the current file", { error: (error as Error).message });
    } finally {
      file = await open(path, "a");
      size = (await file.stat()).size;
    }
  }

  return {
    async open() {
      await mkdir(dir, { recursive: true });
      await load();
      nextId = createIdGenerator(last, options.now);
      file = await open(path, "a");
      size = (await file.stat()).size;
    },
    append(draft) {
      // The id is taken now, synchronously, so ids follow the order of the calls.
      if (!nextId) return Promise.reject(new Error("chat log is closed"));
      const { id, ts } = nextId();
      // Field order as in every line written so far: id, room, from, text, ts, to.
      const { room, from, text, to } = draft;
      const record: ChatRecord = to === undefined ? { id, room, from, text, ts } : { id, room, from, text, ts, to };
      return new Promise<ChatRecord>((resolve, reject) => {
        queue.push({ line: JSON.stringify(record) + "\n", record, resolve, reject });
        writing ??= Promise.resolve().then(drain);
      });
    },
    async history(room, query) {
      return rooms.get(room)?.query(query) ?? { messages: [], complete: true };
    },
    rooms() {
      return [...rooms.keys()].filter((r) => !r.startsWith("dm:"));
    },
    lastId() {
      return last;
    },
    async close() {
      while (writing) await writing;
      await file?.close();
      file = undefined;
    },
  } satisfies ChatLog;
}

/**
 * Writes the whole batch with one `write` call (looping only on a short
 * write), then `fdatasync`s it when asked: callback fs calls on the raw fd, as
 * FileHandle.appendFile costs several promises and a copy per call.
 */
function writeBatch(fd: number, bytes: Buffer, sync: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let offset = 0;
    const synced = (error: Error | null) => (error ? reject(error) : resolve());
    const written = (error: Error | null, n: number) => {
      if (error) return reject(error);
      offset += n;
      if (offset < bytes.length) write(fd, bytes, offset, bytes.length - offset, null, written);
      else if (sync) fdatasync(fd, synced);
      else resolve();
    };
    write(fd, bytes, 0, bytes.length, null, written);
  });
}

/** Byte offset just past the last "\n" in the file (0 if none). */
async function lastNewline(path: string, size: number): Promise<number> {
  const handle = await open(path, "r");
  try {
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      const at = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (at >= 0) return start + at + 1;
      end = start;
    }
    return 0;
  } finally {
    await handle.close();
  }
}
