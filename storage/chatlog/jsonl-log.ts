import { createReadStream, fdatasync, ftruncateSync, write, writeSync } from "node:fs";
import { mkdir, open, stat, truncate, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { ChatDraft, ChatLog, ChatRecord } from "./types.ts";
import { createIdGenerator } from "./ids.ts";
import { isDmRoom } from "./room-keys.ts";
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
  /** A monotonic clock in ms, for timing writes (tests drive it). */
  monotonic?: () => number;
};

/**
 * Writes made while an fdatasync runs that take this long in all, during each
 * of SLOW_SYNCS_IN_A_ROW fdatasyncs in a row, mean the file system makes them
 * wait for the fdatasync (on the bench's ext4 they take microseconds, 1 ms at
 * p99 on a busy machine). Then such writes go to the thread pool for
 * WAIT_MODE_MS. A one-off slow write (the event loop descheduled) does not count.
 */
const SLOW_WRITES_MS = 2;
const SLOW_SYNCS_IN_A_ROW = 3;
const WAIT_MODE_MS = 60_000;

type Pending = {
  line: string;
  record: ChatRecord;
  onStored: ((r: ChatRecord) => void) | undefined;
  resolve: (r: ChatRecord) => void;
  reject: (e: Error) => void;
};

/**
 * The embedded chat log: `<dataDir>/chat/chat.jsonl`, one JSON record a line,
 * only ever appended to.
 *
 * Two steps per record:
 * - write: what was appended since the last write (the appends of one I/O
 *   callback, or of every turn while a thread-pool write ran) goes out in one
 *   write(2), into the page cache, where it survives a crash of this process.
 *   The records are then in history and `onStored` runs, so fan-out waits
 *   neither for an fsync nor for another turn of the event loop (see writeOut);
 * - sync (fsync on): one fdatasync at a time, started at the end of a turn;
 *   when it completes, every record written before it started resolves (is
 *   acked). Records written meanwhile wait for the next one: group commit.
 */
export function createJsonlLog(options: JsonlLogOptions): ChatLog {
  const dir = join(options.dataDir, "chat");
  const path = join(dir, CURRENT);
  const maxBytes = options.maxBytes ?? 0;
  const keepFiles = options.keepFiles ?? 5;
  const rooms = new Map<string, RoomHistory>();
  let file: FileHandle | undefined;
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

  /** Appended this turn, not yet written. */
  let unwritten: Pending[] = [];
  let writeScheduled = false;
  /** A write in the thread pool (one at a time, so lines never interleave). */
  let writing = false;
  /** Written, waiting for an fdatasync. */
  let unsynced: Pending[] = [];
  let syncing = false;
  let syncScheduled = false;
  const monotonic = options.monotonic ?? (() => performance.now());
  /** Time spent in writes made while the running fdatasync runs, and whether there were any. */
  let writeMsThisSync = 0;
  let wroteThisSync = false;
  /** fdatasyncs in a row during which such writes took SLOW_WRITES_MS or more. */
  let slowSyncs = 0;
  /** Until then, writes made while an fdatasync runs go to the thread pool (see SLOW_WRITES_MS). */
  let poolWritesUntil = -Infinity;
  let warnedSlowWrites = false;
  let rotating = false;
  /** Resolves `close` once nothing is left to write or sync. */
  let idle: (() => void) | undefined;

  function scheduleWrite(): void {
    if (writeScheduled) return;
    writeScheduled = true;
    queueMicrotask(writeOut);
  }

  /**
   * Writes what was appended. The write only copies into the page cache
   * (microseconds), so it is made right here and the batch is delivered in this
   * same turn of the event loop: a write through the thread pool is delivered
   * only when its completion is picked up, a turn later, which under load is a
   * whole fan-out turn (tens of ms). That holds while an fdatasync runs too,
   * unless the file system makes writes wait for it: that is measured (see
   * SLOW_WRITES_MS), and then writes made while an fdatasync runs go to the
   * thread pool for a while, so the event loop does not wait for the disk.
   */
  function writeOut(): void {
    writeScheduled = false;
    if (writing || unwritten.length === 0 || rotating) return;
    // Due for rotation: hold new writes until what is written is synced and the file rotated.
    if (rotationDue()) return settle();
    const batch = unwritten;
    unwritten = [];
    if (!file) {
      for (const p of batch) p.reject(new Error("chat log is closed"));
      return settle();
    }
    let chunk = "";
    for (const p of batch) chunk += p.line;
    const bytes = Buffer.from(chunk, "utf8");
    const fd = file.fd;
    const written = (error: Error | null) => {
      if (error) {
        // Cut off whatever part of the batch reached the file, so the next
        // record does not land glued to a fragment and get skipped on load.
        try {
          ftruncateSync(fd, size);
        } catch {}
        for (const p of batch) p.reject(error);
      } else {
        size += bytes.length;
        stored(batch);
      }
    };
    if (!syncing || monotonic() >= poolWritesUntil) {
      // A write made while an fdatasync runs is timed: does this file system make it wait?
      const start = syncing ? monotonic() : 0;
      const error = writeAllSync(fd, bytes);
      if (syncing) {
        writeMsThisSync += monotonic() - start;
        wroteThisSync = true;
      }
      written(error);
      if (unwritten.length > 0) scheduleWrite();
      else settle();
      return;
    }
    writing = true;
    writeAll(fd, bytes, (error) => {
      writing = false;
      written(error);
      if (unwritten.length > 0) writeOut();
      else settle();
    });
  }

  /** The batch is in the file: into history, out to the room; acked now, or after its fdatasync. */
  function stored(batch: Pending[]): void {
    // Ids were taken in call order, so the batch's last id is the greatest.
    last = batch[batch.length - 1]!.record.id;
    for (const p of batch) {
      roomOf(p.record.room).push(p.record);
      p.onStored?.(p.record);
    }
    if (options.fsync) {
      for (const p of batch) unsynced.push(p);
      scheduleSync();
    } else {
      for (const p of batch) p.resolve(p.record);
    }
  }

  /** One fdatasync per turn at most, started once the turn's writes are made. */
  function scheduleSync(): void {
    if (syncScheduled) return;
    syncScheduled = true;
    setImmediate(() => {
      syncScheduled = false;
      syncNext();
    });
  }

  function syncNext(): void {
    if (syncing || unsynced.length === 0 || !file) return settle();
    syncing = true;
    const batch = unsynced;
    unsynced = [];
    fdatasync(file.fd, (error) => {
      syncing = false;
      noteWritesDuringSync();
      if (error) for (const p of batch) p.reject(error);
      else for (const p of batch) p.resolve(p.record);
      if (unsynced.length > 0) scheduleSync();
      else settle();
    });
  }

  /** An fdatasync completed: did the writes made while it ran wait for it? */
  function noteWritesDuringSync(): void {
    if (wroteThisSync) {
      slowSyncs = writeMsThisSync >= SLOW_WRITES_MS ? slowSyncs + 1 : 0;
      if (slowSyncs >= SLOW_SYNCS_IN_A_ROW) {
        slowSyncs = 0;
        poolWritesUntil = monotonic() + WAIT_MODE_MS;
        if (!warnedSlowWrites) {
          warnedSlowWrites = true;
          warn("chat log: writes wait for fsync on this file system; while an fsync runs, writing from a background thread", {
            forMs: WAIT_MODE_MS,
          });
        }
      }
    }
    writeMsThisSync = 0;
    wroteThisSync = false;
  }

  /** Between batches: rotate if due, then tell a waiting `close` that all is done. */
  function settle(): void {
    if (writing || syncing || syncScheduled || unsynced.length > 0 || rotating) return;
    if (rotationDue()) {
      rotating = true;
      rotateNow()
        .catch((error: Error) => warn("chat log: could not reopen the log after rotating", { error: error.message }))
        .finally(() => {
          rotating = false;
          if (unwritten.length > 0) scheduleWrite();
          else settle();
        });
      return;
    }
    if (unwritten.length === 0 && !writeScheduled) idle?.();
  }

  /** Nothing in flight (rotation included): close the file, shift the files, start a new one. */
  async function rotateNow(): Promise<void> {
    let rotated = false;
    try {
      await file?.close();
      file = undefined;
      await rotate(dir, keepFiles);
      rotated = true;
    } catch (error) {
      warn("chat log: rotation failed; continuing in the current file", { error: (error as Error).message });
    } finally {
      file = await open(path, "a");
      size = (await file.stat()).size;
      // After a failure, try again once the file has grown by another maxBytes, not at every write.
      rotateAt = rotated ? maxBytes : size + maxBytes;
    }
  }

  let rotateAt = maxBytes;
  function rotationDue(): boolean {
    return maxBytes > 0 && size >= rotateAt && file !== undefined;
  }

  function busy(): boolean {
    return unwritten.length > 0 || writeScheduled || writing || syncing || syncScheduled || unsynced.length > 0 || rotating;
  }

  return {
    async open() {
      await mkdir(dir, { recursive: true });
      await load();
      nextId = createIdGenerator(last, options.now);
      file = await open(path, "a");
      size = (await file.stat()).size;
    },
    append(draft, onStored) {
      // The id is taken now, synchronously, so ids follow the order of the calls.
      if (!nextId) return Promise.reject(new Error("chat log is closed"));
      const { id, ts } = nextId();
      const record = storedForm(draft, id, ts);
      return new Promise<ChatRecord>((resolve, reject) => {
        unwritten.push({ line: JSON.stringify(record) + "\n", record, onStored, resolve, reject });
        scheduleWrite();
      });
    },
    async history(room, query) {
      return rooms.get(room)?.query(query) ?? { messages: [], complete: true };
    },
    roomsVersion() {
      // Rooms only ever get added (direct conversations too: counting them merely over-invalidates).
      return rooms.size;
    },
    rooms() {
      return [...rooms.keys()].filter((r) => !isDmRoom(r));
    },
    streams() {
      return [...rooms.keys()];
    },
    lastId() {
      return last;
    },
    async close() {
      nextId = undefined;
      if (busy()) await new Promise<void>((resolve) => (idle = resolve));
      idle = undefined;
      await file?.close();
      file = undefined;
    },
  } satisfies ChatLog;
}

/**
 * A draft as stored: a message's fields in the order of every line written
 * before kinds existed (id, room, from, text, ts, to, then replyTo, mentions);
 * other kinds with their `kind` first.
 */
function storedForm(draft: ChatDraft, id: string, ts: number): ChatRecord {
  if (draft.kind !== undefined && draft.kind !== "message") return { kind: draft.kind, id, ...draft, ts } as ChatRecord;
  const { room, from, text, to, replyTo, mentions } = draft;
  const record: ChatRecord = { id, room, from, text, ts };
  if (to !== undefined) record.to = to;
  if (replyTo !== undefined) record.replyTo = replyTo;
  if (mentions !== undefined) record.mentions = mentions;
  return record;
}

/** Writes all of `bytes` at the end of the file (looping on a short write), now; the error, if any. */
function writeAllSync(fd: number, bytes: Buffer): Error | null {
  try {
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    return null;
  } catch (error) {
    return error as Error;
  }
}

/** Writes all of `bytes` at the end of the file (looping on a short write), in the thread pool. */
function writeAll(fd: number, bytes: Buffer, done: (error: Error | null) => void): void {
  let offset = 0;
  const written = (error: Error | null, n: number) => {
    if (error) return done(error);
    offset += n;
    if (offset < bytes.length) write(fd, bytes, offset, bytes.length - offset, null, written);
    else done(null);
  };
  write(fd, bytes, 0, bytes.length, null, written);
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
