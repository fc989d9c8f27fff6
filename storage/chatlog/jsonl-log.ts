import { open } from "node:fs/promises";
import { mkdirPrivate, openPrivate } from "../fs/private.ts";
import { join } from "node:path";
import type { ChatDraft, ChatLog, ChatRecord } from "./types.ts";
import { createIdGenerator } from "./ids.ts";
import { isDmRoom } from "./room-keys.ts";
import { GroupCommitWriter } from "./group-commit.ts";
import { HistoryStore } from "./history-store.ts";
import { cutTornLine, indexFile } from "./log-loader.ts";
import { CURRENT, Rotation, rotatedFiles } from "./rotation.ts";
import { Segments } from "./segments.ts";
import { createJsonlKept } from "./jsonl-kept.ts";
import type { KeptLog } from "./kept.ts";

export type JsonlLogOptions = {
  dataDir: string;
  /** Messages kept per room for `history` (the newest in the log files). */
  historyPerRoom: number;
  /** Bytes of messages held in memory for history across all rooms; the rest is read from the files. */
  historyMemoryBytes?: number;
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

/** The default of limits.historyMemoryBytes: 64 MiB. */
export const HISTORY_MEMORY_BYTES = 64 * 1024 * 1024;

/** The embedded log, with what tests and the benchmark look at. */
export type JsonlLog = ChatLog & {
  /** Bytes of history held in memory (at most historyMemoryBytes). */
  historyMemoryBytes(): number;
  /** Resolves once everything appended is written, synced and any rotation done. */
  flush(): Promise<void>;
  /** What search reads: every kept record, and records back by place. */
  kept: KeptLog;
};

/**
 * The embedded chat log: `<dataDir>/chat/chat.jsonl`, one JSON record a line,
 * only ever appended to, rotated by size into `chat.<n>.jsonl`. Made of:
 * - GroupCommitWriter: the write path (one write per batch, group-commit fsync);
 * - HistoryStore: each room's index of what the files keep, and the newest
 *   records of the rooms in use, within one memory budget; older pages are
 *   read from the files (Segments) on demand;
 * - log-loader: start-up reads the files once, streaming, into the index only;
 * - Rotation: when the current file rotates.
 */
export function createJsonlLog(options: JsonlLogOptions): JsonlLog {
  const dir = join(options.dataDir, "chat");
  const path = join(dir, CURRENT);
  const warn = options.onWarning ?? (() => {});
  const segments = new Segments();
  const history = new HistoryStore({
    perRoom: options.historyPerRoom,
    memoryBytes: options.historyMemoryBytes ?? HISTORY_MEMORY_BYTES,
    segments,
    warn,
  });
  const rotation = new Rotation(dir, options.maxBytes ?? 0, options.keepFiles ?? 5, warn);
  /** The number of the current file (see Segments). */
  let segment = 0;
  let last: string | undefined;
  /** The oldest segment rotation has not deleted. */
  let keptFrom = 0;
  /** Streams holding a record of another kind than a message (only ever added to): what a rebuild of changes reads. */
  const changed = new Set<string>();
  /** Made once the files are read, so new ids continue above the last one stored. */
  let nextId: (() => { id: string; ts: number }) | undefined;

  const writer = new GroupCommitWriter({
    fsync: options.fsync,
    monotonic: options.monotonic ?? (() => performance.now()),
    warn,
    written(batch, offset, lengths) {
      // Ids were taken in call order, so the batch's last id is the greatest.
      last = batch[batch.length - 1]!.record.id;
      for (let i = 0; i < batch.length; i++) {
        history.stored(batch[i]!.record, { segment, offset, length: lengths[i]! - 1 });
        offset += lengths[i]!;
      }
    },
    rotationDue: (size) => rotation.due(size),
    async rotate() {
      const { file, size, rotated } = await rotation.run(writer.detach());
      writer.attach(file, size);
      if (rotated) {
        segment += 1;
        await segments.add(segment, path);
      }
      keptFrom = await segments.dropDeleted();
      history.dropBelowSegment(keptFrom);
    },
  });

  /** Rotated files first (oldest first, all complete), then the current file; the index only. */
  async function load(): Promise<void> {
    const found = (id: string, room: string, at: { segment: number; offset: number; length: number }, kinded: boolean) => {
      if (!history.indexed(id, room, at)) return;
      if (kinded) changed.add(room);
      if (last === undefined || id > last) last = id;
    };
    for (const rotated of await rotatedFiles(dir)) {
      segment += 1;
      await segments.add(segment, rotated);
      await indexFile(rotated, segment, found, warn);
    }
    await cutTornLine(path, warn);
    segment += 1;
    const file = await openPrivate(path, "a");
    writer.attach(file, (await file.stat()).size);
    await segments.add(segment, path);
    await indexFile(path, segment, found, warn);
  }

  return {
    async open() {
      await mkdirPrivate(dir);
      await load();
      nextId = createIdGenerator(last, options.now);
    },
    append(draft, onStored) {
      // The id is taken now, synchronously, so ids follow the order of the calls.
      if (!nextId) return Promise.reject(new Error("chat log is closed"));
      const { id, ts } = nextId();
      const record = storedForm(draft, id, ts);
      if (draft.kind !== undefined && draft.kind !== "message") changed.add(draft.room);
      return new Promise<ChatRecord>((resolve, reject) => {
        writer.add({ line: JSON.stringify(record) + "\n", record, onStored, resolve, reject });
      });
    },
    history(room, query) {
      return history.query(room, query);
    },
    async keptAfter(room, after) {
      return history.keptAfter(room, after);
    },
    roomsVersion() {
      // Rooms only ever get added (direct conversations too: counting them merely over-invalidates).
      return history.size;
    },
    rooms() {
      return [...history.names()].filter((r) => !isDmRoom(r));
    },
    streams() {
      return [...history.names()];
    },
    changedStreams() {
      return [...changed];
    },
    lastId() {
      return last;
    },
    historyMemoryBytes() {
      return history.memoryBytes;
    },
    flush() {
      return writer.drain();
    },
    kept: createJsonlKept(segments, history, () => keptFrom, warn),
    async close() {
      nextId = undefined;
      await writer.drain();
      await writer.detach()?.close();
      await segments.close();
    },
  } satisfies JsonlLog;
}

/**
 * A draft as stored. Every line starts with id and room (log-loader.ts reads
 * only that much at start-up); a message then has the fields of every line
 * written before kinds existed (from, text, ts, to, then files, replyTo,
 * mentions); another kind has its `kind` third.
 */
function storedForm(draft: ChatDraft, id: string, ts: number): ChatRecord {
  if (draft.kind !== undefined && draft.kind !== "message") {
    const { room, kind, ...rest } = draft;
    return { id, room, kind, ...rest, ts } as ChatRecord;
  }
  const { room, from, text, to, files, replyTo, mentions, notice, tags } = draft;
  const record: ChatRecord = { id, room, from, text, ts };
  if (to !== undefined) record.to = to;
  if (files !== undefined && files.length > 0) record.files = files;
  if (replyTo !== undefined) record.replyTo = replyTo;
  if (mentions !== undefined) record.mentions = mentions;
  if (notice === true) record.notice = true;
  if (tags !== undefined) record.tags = tags;
  return record;
}
