import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { RedisEngine } from "../redis/engine.ts";
import type { ChatRecord } from "./types.ts";
import { CURRENT, rotatedFiles } from "./rotation.ts";
import { toRecord } from "./redis-log.ts";

/** Records handed over at a time by a scan. */
const CHUNK = 2000;

export type ScanChunk = (records: ChatRecord[]) => Promise<void>;

/**
 * Reads everything the embedded log keeps, oldest first (rotated files, then
 * the current one), `CHUNK` records at a time, without holding the log in
 * memory: a reader of its own for search's rebuild, beside the log. A torn or
 * unreadable line is skipped (the log itself warns about it when it opens).
 */
export async function scanJsonlLog(dataDir: string, onChunk: ScanChunk): Promise<void> {
  const dir = join(dataDir, "chat");
  const files = [...(await rotatedFiles(dir)), join(dir, CURRENT)];
  let batch: ChatRecord[] = [];
  for (const path of files) {
    if (!(await stat(path).then(() => true, () => false))) continue;
    const lines = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.length === 0) continue;
      try {
        const record = JSON.parse(line) as ChatRecord;
        if (typeof record.id === "string" && typeof record.room === "string") batch.push(record);
      } catch {
        continue;
      }
      if (batch.length >= CHUNK) {
        await onChunk(batch);
        batch = [];
      }
    }
  }
  if (batch.length > 0) await onChunk(batch);
}

/**
 * Reads every room and conversation stream the cluster log keeps
 * (`<prefix>room:*`), each oldest first, `CHUNK` entries at a time.
 */
export async function scanRedisLog(engine: RedisEngine, onChunk: ScanChunk): Promise<void> {
  const prefix = engine.key("room:");
  let cursor = "0";
  do {
    const [next, keys] = await engine.cmd.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    for (const key of keys) {
      let start = "-";
      for (;;) {
        const entries = (await engine.cmd.xrange(key, start, "+", "COUNT", CHUNK)) as Array<[string, string[]]>;
        if (entries.length === 0) break;
        const records = entries.map(([, fields]) => entryRecord(fields)).filter((r): r is ChatRecord => r !== undefined);
        if (records.length > 0) await onChunk(records);
        if (entries.length < CHUNK) break;
        start = `(${entries[entries.length - 1]![0]}`;
      }
    }
  } while (cursor !== "0");
}

/** A stream entry's fields are `r <json>` (see redis-scripts.ts); an unreadable one is skipped. */
function entryRecord(fields: string[]): ChatRecord | undefined {
  try {
    return fields[0] === "r" && fields[1] !== undefined ? toRecord(JSON.parse(fields[1])) : undefined;
  } catch {
    return undefined;
  }
}
