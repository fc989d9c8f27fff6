import type { HistoryStore } from "./history-store.ts";
import type { KeptLog, KeptRecord, KeptRef, LinePlace } from "./kept.ts";
import type { Segments } from "./segments.ts";
import type { ChatRecord } from "./types.ts";
import { ID_PATTERN } from "./ids.ts";

/** Bytes a scan reads at a time, and records it hands over at a time. */
const SCAN_BYTES = 1024 * 1024;
const SCAN_RECORDS = 2000;
const NEWLINE = 0x0a;
const CR = 0x0d;

type Warn = (message: string, fields?: Record<string, unknown>) => void;

/**
 * The embedded log as search reads it: a scan of every kept file through the
 * log's own open files (Segments, so a rotation during the scan loses
 * nothing it still keeps), the place of each record just stored (from the
 * history index), and records read back by place, as `history` reads older
 * pages.
 */
export function createJsonlKept(segments: Segments, history: HistoryStore, keptFrom: () => number, warn: Warn): KeptLog {
  return {
    async scan(onChunk) {
      let batch: KeptRecord[] = [];
      const numbers = segments.numbers();
      for (const [k, segment] of numbers.entries()) {
        // Lines written after this are delivered by the broker while the caller scans.
        const size = await segments.size(segment);
        let carry: Buffer | undefined;
        let carryAt = 0;
        try {
          for (let offset = 0; offset < size; offset += SCAN_BYTES) {
            const chunk = await segments.readRange(segment, offset, Math.min(size, offset + SCAN_BYTES));
            const data = carry ? Buffer.concat([carry, chunk]) : chunk;
            const dataAt = carry ? carryAt : offset;
            let start = 0;
            for (let nl = data.indexOf(NEWLINE); nl >= 0; nl = data.indexOf(NEWLINE, start)) {
              const record = parseLine(data, start, nl);
              if (record) batch.push({ record, at: { segment, offset: dataAt + start, length: nl - start } });
              start = nl + 1;
            }
            carry = start < data.length ? data.subarray(start) : undefined;
            carryAt = dataAt + start;
            if (batch.length >= SCAN_RECORDS) {
              await onChunk(batch);
              batch = [];
            }
          }
          // A rotated file's last line without "\n" is whole; the current file's is still being written.
          if (carry && k < numbers.length - 1) {
            const record = parseLine(carry, 0, carry.length);
            if (record) batch.push({ record, at: { segment, offset: carryAt, length: carry.length } });
          }
        } catch (error) {
          // Rotation deleted the file while it was read: what it held is no longer kept.
          warn("search: a chat log file went away while it was indexed", { segment, error: (error as Error).message });
        }
      }
      if (batch.length > 0) await onChunk(batch);
    },
    placeOf(record) {
      return history.locate(record.room, record.id);
    },
    async read(refs) {
      const from = keptFrom();
      const wanted = refs
        .map((r, i) => ({ i, at: r.at }))
        .filter((w): w is { i: number; at: LinePlace } => w.at !== undefined && w.at.segment >= from)
        // In file order, so lines close together are read at once (Segments.read).
        .sort((a, b) => a.at.segment - b.at.segment || a.at.offset - b.at.offset);
      const out = new Array<ChatRecord | undefined>(refs.length).fill(undefined);
      let lines: Array<string | undefined>;
      try {
        lines = await segments.read(wanted.map((w) => w.at));
      } catch {
        // One file went away (rotation): read the rest one by one.
        lines = await Promise.all(wanted.map((w) => segments.read([w.at]).then((l) => l[0], () => undefined)));
      }
      wanted.forEach((w, k) => (out[w.i] = checked(lines[k], refs[w.i]!)));
      return out;
    },
    keptFrom,
  };
}

/** The record of line data[start, end), or undefined for an unreadable one. */
function parseLine(data: Buffer, start: number, end: number): ChatRecord | undefined {
  if (end > start && data[end - 1] === CR) end -= 1;
  if (end === start) return undefined;
  try {
    const record = JSON.parse(data.toString("utf8", start, end)) as ChatRecord;
    return typeof record?.id === "string" && ID_PATTERN.test(record.id) && typeof record.room === "string" ? record : undefined;
  } catch {
    return undefined;
  }
}

function checked(line: string | undefined, ref: KeptRef): ChatRecord | undefined {
  if (line === undefined) return undefined;
  try {
    const record = JSON.parse(line) as ChatRecord;
    return record?.id === ref.id && record.room === ref.room ? record : undefined;
  } catch {
    return undefined;
  }
}
