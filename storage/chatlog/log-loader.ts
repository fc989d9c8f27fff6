import { createReadStream } from "node:fs";
import { open, stat, truncate } from "node:fs/promises";
import type { Location } from "./room-index.ts";

export type Warn = (message: string, fields?: Record<string, unknown>) => void;

/** A line's id and room, where it is, and whether it is of another kind than a message (an edit, a topic...). */
export type Found = (id: string, room: string, at: Location, kinded: boolean) => void;

/**
 * Every line written by the log starts `{"id":"<id>","room":"<room>",` (the
 * record's field order), then `"kind":"` for a record of another kind than a
 * message, so start-up reads only that much of each line; a line that does
 * not, or does not end in "}", is parsed whole.
 */
const HEAD = /^\{"id":"(\d{13}-\d{6})","room":"((?:[^"\\]|\\.)*)",("kind":")?/;
const HEAD_BYTES = 512;
const CLOSE_BRACE = 0x7d;
const CR = 0x0d;
const NEWLINE = 0x0a;

/**
 * Reads one log file start to end, streaming, calling `found` for each record
 * (as segment `segment`): the file is never held in memory, nor are its
 * records. Unreadable lines are skipped with a warning.
 */
export async function indexFile(path: string, segment: number, found: Found, warn: Warn): Promise<void> {
  /** File offset of the chunk being read. */
  let read = 0;
  /** The start of a line the last chunk cut off, and its file offset. */
  let carry: Buffer | undefined;
  let carryAt = 0;
  let lineNo = 0;
  /** The line buffer[start, end), at file offset `at`. */
  const line = (buffer: Buffer, start: number, end: number, at: number) => {
    lineNo += 1;
    let stop = end;
    if (stop > start && buffer[stop - 1] === CR) stop -= 1;
    if (stop === start) return;
    const head = readHead(buffer, start, stop);
    if (typeof head === "string") warn("chat log: skipping an unreadable line", { path, line: lineNo, error: head });
    else found(head.id, head.room, { segment, offset: at, length: end - start }, head.kinded);
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    let start = 0;
    if (carry) {
      // Only the line cut by the chunk's edge is copied, never the chunk.
      const nl = chunk.indexOf(NEWLINE);
      if (nl < 0) {
        carry = Buffer.concat([carry, chunk]);
        read += chunk.length;
        continue;
      }
      const joined = Buffer.concat([carry, chunk.subarray(0, nl)]);
      line(joined, 0, joined.length, carryAt);
      carry = undefined;
      start = nl + 1;
    }
    for (let nl = chunk.indexOf(NEWLINE, start); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      line(chunk, start, nl, read + start);
      start = nl + 1;
    }
    if (start < chunk.length) {
      carry = chunk.subarray(start);
      carryAt = read + start;
    }
    read += chunk.length;
  }
  // A last line without "\n": the current file's torn line was cut off before this; a rotated file's is read.
  if (carry) line(carry, 0, carry.length, carryAt);
}

/** The id and room of the line buffer[start, end), or why it is unreadable. */
function readHead(buffer: Buffer, start: number, end: number): { id: string; room: string; kinded: boolean } | string {
  if (buffer[end - 1] === CLOSE_BRACE) {
    const m = HEAD.exec(buffer.toString("utf8", start, Math.min(end, start + HEAD_BYTES)));
    if (m) return { id: m[1]!, room: m[2]!.includes("\\") ? (JSON.parse(`"${m[2]}"`) as string) : m[2]!, kinded: m[3] !== undefined };
  }
  try {
    const record = JSON.parse(buffer.toString("utf8", start, end)) as { id?: unknown; room?: unknown; kind?: unknown } | null;
    if (typeof record?.id !== "string" || typeof record.room !== "string") return "missing id or room";
    if (!/^\d{13}-\d{6}$/.test(record.id)) return "not a message id";
    return { id: record.id, room: record.room, kinded: typeof record.kind === "string" && record.kind !== "message" };
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Cuts a torn last line off the current file: a write that crashed before its
 * fsync, so it was never acknowledged.
 */
export async function cutTornLine(path: string, warn: Warn): Promise<void> {
  const size = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  if (size === 0) return;
  const validEnd = await lastNewline(path, size);
  if (validEnd < size) {
    warn("chat log: dropping a torn last line", { path, bytes: size - validEnd });
    await truncate(path, validEnd);
  }
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
      const at = chunk.subarray(0, bytesRead).lastIndexOf(NEWLINE);
      if (at >= 0) return start + at + 1;
      end = start;
    }
    return 0;
  } finally {
    await handle.close();
  }
}
