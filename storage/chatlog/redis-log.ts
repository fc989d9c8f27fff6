import type { RedisEngine } from "../redis/engine.ts";
import type { ChatLog, ChatRecord, MessageRecord, StoredFileRef } from "./types.ts";
import { APPEND, HISTORY, KEPT_AFTER } from "./redis-scripts.ts";
import { formatId, parseId } from "./ids.ts";
import { isDmRoom } from "./room-keys.ts";
import { StorageUnavailableError } from "../errors.ts";

export type RedisLogOptions = {
  engine: RedisEngine;
  /** Messages kept per room (the stream's exact MAXLEN). */
  historyPerRoom: number;
  /** How long a history read waits for its barrier to come back through the bus. */
  barrierTimeoutMs?: number;
};

type StreamEntry = [string, string[]];

/**
 * The cluster chat log: one Redis stream per room (`<prefix>room:<room>`),
 * capped at `historyPerRoom`, with ids taken from one global counter by the
 * append script. Every node reads and writes the same streams, so `joined` and
 * `history` are the same everywhere. Redis persistence (AOF/RDB) decides how
 * durable an acknowledged message is; see README "Running a cluster".
 */
export function createRedisLog({ engine, historyPerRoom, barrierTimeoutMs = 3000 }: RedisLogOptions): ChatLog {
  const key = (room: string) => engine.key(`room:${room}`);
  const rooms = new Set<string>();
  /** Direct conversations' keys (`streams()`), learned like rooms. */
  const dms = new Set<string>();
  let last: string | undefined;
  let unsubscribe = () => {};

  function learn(record: ChatRecord): void {
    if (!isDmRoom(record.room)) rooms.add(record.room);
    else dms.add(record.room);
    if (last === undefined || record.id > last) last = record.id;
  }

  return {
    async open() {
      await engine.run(async () => {
        for (const r of await engine.cmd.smembers(engine.key("rooms"))) rooms.add(r);
        for (const r of await engine.cmd.smembers(engine.key("dms"))) dms.add(r);
        last = (await engine.cmd.get(engine.key("lastid"))) ?? undefined;
      });
      // Rooms other nodes create become known as their first message goes by.
      unsubscribe = engine.feed.subscribe((item) => {
        if (item.kind === "message") learn(toRecord(item.record));
      });
    },
    async append(draft, onStored) {
      const json = await engine.run(
        () =>
          engine.cmd.eval(
            APPEND,
            5,
            engine.key("lastid"),
            key(draft.room),
            engine.key("rooms"),
            engine.key("trimmed"),
            engine.key("dms"),
            draft.room,
            JSON.stringify(draft),
            historyPerRoom,
            engine.channel,
            isDmRoom(draft.room) ? "0" : "1",
            engine.notAfter(),
          ) as Promise<string | null>,
      );
      // Redis ran it too late (it hung meanwhile): nothing was stored, as the sender is told.
      if (json === null) {
        engine.resyncClock();
        throw new StorageUnavailableError("redis: the append ran after the command timed out; not stored");
      }
      const record = toRecord(JSON.parse(json));
      learn(record);
      onStored?.(record);
      return record;
    },
    async history(room, { after, before, limit }) {
      // Nothing is older than the first id, and Redis refuses an exclusive bound below it ("(0-0").
      if (before !== undefined && before === FIRST_ID) return { messages: [], complete: true };
      const barrier = engine.feed.barrier(barrierTimeoutMs);
      const max = before === undefined ? "+" : `(${streamId(before)}`;
      const min = after === undefined ? "-" : `(${streamId(after)}`;
      const reply = engine.run(
        () =>
          engine.cmd.eval(HISTORY, 2, key(room), engine.key("trimmed"), room, max, min, limit + 1, engine.channel, barrier.payload) as Promise<
            [string, StreamEntry[]]
          >,
      );
      const reached = barrier.arm(reply);
      const [trimmed, entries] = await reply;
      await engine.run(() => reached);
      // One more than asked tells whether older matching messages exist.
      const more = entries.length > limit;
      const messages = entries
        .slice(0, limit)
        .reverse()
        .map(([, fields]) => toRecord(JSON.parse(fields[1]!)));
      const dropped = trimmed === "" ? undefined : paddedId(trimmed);
      const complete = after !== undefined ? !more && (dropped === undefined || after >= dropped) : !more;
      return { messages, complete };
    },
    async keptAfter(room, after) {
      // No barrier: a count is a hint at sign-in, not a page a client continues from.
      const marker = after === undefined ? "" : streamId(after);
      return Number(await engine.run(() => engine.cmd.eval(KEPT_AFTER, 1, key(room), marker, historyPerRoom) as Promise<number>));
    },
    roomsVersion() {
      // Only ever added to.
      return rooms.size;
    },
    rooms() {
      return [...rooms];
    },
    streams() {
      return [...rooms, ...dms];
    },
    lastId() {
      return last;
    },
    async close() {
      unsubscribe();
    },
  } satisfies ChatLog;
}

/** A record as the chat uses it, fields in the usual order (cjson does not keep order). */
export function toRecord(raw: unknown): ChatRecord {
  const r = raw as ChatRecord;
  if (r.kind !== undefined && r.kind !== "message") return r;
  const record: MessageRecord = { id: r.id, room: r.room, from: r.from, text: r.text, ts: r.ts };
  if (r.to !== undefined) record.to = r.to;
  if (Array.isArray(r.files) && r.files.length > 0) record.files = r.files.map(toFileRef);
  if (r.replyTo !== undefined) record.replyTo = r.replyTo;
  if (Array.isArray(r.mentions) && r.mentions.length > 0) record.mentions = r.mentions;
  if (r.notice === true) record.notice = true;
  if (r.tags !== null && typeof r.tags === "object" && !Array.isArray(r.tags)) record.tags = r.tags;
  return record;
}

/** A shared file in the usual field order (cjson does not keep it). */
function toFileRef(f: StoredFileRef): StoredFileRef {
  const ref: StoredFileRef = { id: f.id, name: f.name, size: f.size, type: f.type, url: f.url };
  if (f.width !== undefined && f.height !== undefined) {
    ref.width = f.width;
    ref.height = f.height;
  }
  return ref;
}

/** The smallest message id. */
const FIRST_ID = "0000000000000-000000";

/** `1764100000000-000003` -> `1764100000000-3`, the stream's own form. */
function streamId(id: string): string {
  const p = parseId(id)!;
  return `${p.ms}-${p.seq}`;
}

function paddedId(streamId: string): string {
  const [ms, seq] = streamId.split("-");
  return formatId(Number(ms), Number(seq));
}
