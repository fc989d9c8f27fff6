import type { RedisEngine } from "../redis/engine.ts";
import { parseId } from "./ids.ts";
import type { KeptLog, KeptRecord } from "./kept.ts";
import { toRecord } from "./redis-log.ts";
import type { ChatRecord } from "./types.ts";

/** Records a scan aims to read per time window (the window widens or narrows to stay near it). */
const WINDOW_RECORDS = 5000;
const FIRST_WINDOW_MS = 60_000;

type StreamEntry = [string, string[]];

/**
 * The cluster log as search reads it. Each room's stream is in id order, but
 * the index needs every room together in id order: the scan sweeps time
 * windows, reading each window from every stream (one pipeline) and sorting
 * it, so it holds one window at a time. The sweep ends at the last id stored
 * when it started; later messages come through the feed. Records are read
 * back by room and id (no places: every node reads the same streams).
 */
export function createRedisKept(engine: RedisEngine): KeptLog {
  const key = (room: string) => engine.key(`room:${room}`);
  return {
    async scan(onChunk) {
      const streams: string[] = [];
      let cursor = "0";
      do {
        const [next, keys] = await engine.run(() => engine.cmd.scan(cursor, "MATCH", engine.key("room:*"), "COUNT", 1000));
        cursor = next;
        streams.push(...keys);
      } while (cursor !== "0");
      const lastId = await engine.run(() => engine.cmd.get(engine.key("lastid")));
      const end = lastId ? parseId(lastId) : undefined;
      if (!end || streams.length === 0) return;
      const firsts = await pipeline(engine, streams.map((k) => ["xrange", k, "-", "+", "COUNT", "1"]));
      let lo = Math.min(...firsts.flatMap((entries) => entries.map(([id]) => Number(id.split("-")[0]))));
      let width = FIRST_WINDOW_MS;
      while (Number.isFinite(lo) && lo <= end.ms) {
        const last = lo + width - 1 >= end.ms;
        const hi = last ? `${end.ms}-${end.seq}` : String(lo + width - 1);
        const replies = await pipeline(engine, streams.map((k) => ["xrange", k, String(lo), hi]));
        const records: KeptRecord[] = [];
        for (const entries of replies) for (const [, fields] of entries) {
          const record = entryRecord(fields);
          if (record) records.push({ record, at: undefined });
        }
        records.sort((a, b) => (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0));
        for (let i = 0; i < records.length; i += 2000) await onChunk(records.slice(i, i + 2000));
        if (last) break;
        lo += width;
        if (records.length > 2 * WINDOW_RECORDS) width = Math.max(1, Math.floor(width / 2));
        else if (records.length < WINDOW_RECORDS / 2) width *= 2;
      }
    },
    placeOf() {
      return undefined;
    },
    async read(refs) {
      const replies = await pipeline(
        engine,
        refs.map((r) => {
          const id = parseId(r.id)!;
          return ["xrange", key(r.room), `${id.ms}-${id.seq}`, `${id.ms}-${id.seq}`];
        }),
      );
      return replies.map((entries, i) => {
        const record = entries[0] ? entryRecord(entries[0][1]) : undefined;
        return record?.id === refs[i]!.id ? record : undefined;
      });
    },
    keptFrom: () => 0,
  };
}

/** Runs the commands in one pipeline; each reply's entries (a failed command: none). */
async function pipeline(engine: RedisEngine, commands: string[][]): Promise<StreamEntry[][]> {
  if (commands.length === 0) return [];
  const results = await engine.run(() => engine.cmd.pipeline(commands).exec());
  return (results ?? []).map(([error, reply]) => (error ? [] : (reply as StreamEntry[])));
}

/** A stream entry's fields are `r <json>` (see redis-scripts.ts); an unreadable one is skipped. */
function entryRecord(fields: string[]): ChatRecord | undefined {
  try {
    return fields[0] === "r" && fields[1] !== undefined ? toRecord(JSON.parse(fields[1])) : undefined;
  } catch {
    return undefined;
  }
}
