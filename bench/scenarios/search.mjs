/**
 * Search (issue 20): chatd's index (dist/src/search) against minisearch
 * (search-minisearch.mjs), same run, same data. Writes `messages` generated
 * messages over `rooms` rooms and `conversations` conversations as a chat log
 * (chat/chat.jsonl), opens it with the embedded log (dist/storage), then for
 * each index in turn: the build time (chatd: a scan of the log, as at
 * start-up; minisearch: the same records), its memory (heap and array
 * buffers grown by the build, after GC) against the UTF-8 bytes of the text
 * it indexes, and query latency p50/p95/p99 for one-word, two-word, prefix and
 * phrase queries over one user's scope (5 rooms and their conversations),
 * while new messages are appended through the log and indexed at `rate`
 * msg/s (the stored-event share of fan-out) and, in a child process, a chatd
 * of its own fans `rate` msg/s out to `fanoutMembers` WebSocket members
 * (search-fanout.mjs: the sockets' share, on the same two cores). chatd's
 * latency includes reading each candidate back from the log file (the page
 * cache, warm); minisearch holds the text.
 *
 * Alone: `node bench/scenarios/search.mjs [--quick] [--messages=N]`.
 */
import { createWriteStream, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { miniSearchIndex } from "./search-minisearch.mjs";
import { startFanoutLoad } from "./search-fanout.mjs";

// A full GC before each memory reading, without --expose-gc on the command line.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");

const WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu deploy release café server backup network latency rollout incident meeting budget design review customer".split(" ");
// A Zipf-ish vocabulary: a few common words, a long tail of rare ones.
const TAIL = Array.from({ length: 20000 }, (_, i) => `w${i.toString(36)}x`);
const BASE_MS = 1764100000000;

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Bytes the process holds for JS objects and typed arrays (after a full GC, when --expose-gc). */
function held() {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Generated messages: room messages (80%) and direct ones, 4-15 words each. */
function generator({ rooms, conversations }) {
  const rand = rng(42);
  const users = Array.from({ length: 2000 }, (_, i) => `u${i}`);
  const dms = Array.from({ length: conversations }, (_, i) => {
    const a = users[i % users.length];
    const b = users[(i * 7 + 1) % users.length];
    return a < b ? [a, b] : [b, a];
  });
  const draft = (n) => {
    const count = 4 + Math.floor(rand() * 12);
    const ws = [];
    for (let k = 0; k < count; k++) ws.push(rand() < 0.7 ? WORDS[Math.floor(rand() * rand() * WORDS.length)] : TAIL[Math.floor(rand() * TAIL.length)]);
    const text = ws.join(" ");
    if (rand() < 0.8) return { room: `room${Math.floor(rand() * rooms)}`, from: users[n % users.length], text };
    const [a, b] = dms[Math.floor(rand() * dms.length)];
    const from = n % 2 ? a : b;
    return { room: `dm:${a}:${b}`, from, text, to: from === a ? b : a };
  };
  return { draft, rand, users };
}

async function writeLog(dir, messages, gen) {
  mkdirSync(join(dir, "chat"), { recursive: true });
  const out = createWriteStream(join(dir, "chat", "chat.jsonl"));
  let textBytes = 0;
  for (let n = 0; n < messages; n++) {
    const d = gen.draft(n);
    const ms = BASE_MS + Math.floor(n / 1000);
    const id = `${ms}-${String(n % 1000).padStart(6, "0")}`;
    const record = d.to === undefined ? { id, room: d.room, from: d.from, text: d.text, ts: ms } : { id, room: d.room, from: d.from, text: d.text, ts: ms, to: d.to };
    textBytes += Buffer.byteLength(d.text);
    if (!out.write(JSON.stringify(record) + "\n")) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return textBytes;
}

/** Query latency per kind while `append` runs at `rate` msg/s. */
async function latencies(run, append, { rate, queries, rand }) {
  const live = setInterval(() => {
    for (let i = 0; i < rate / 20; i++) append();
  }, 50);
  const pick = () => WORDS[Math.floor(rand() * WORDS.length)];
  const kinds = {
    "one-word": () => pick(),
    "two-word": () => `${pick()} ${pick()}`,
    prefix: () => pick().slice(0, 3),
    phrase: () => `"${pick()} ${pick()}"`,
  };
  const out = {};
  try {
    for (const [kind, q] of Object.entries(kinds)) {
      const times = [];
      for (let i = 0; i < queries; i++) {
        const s = performance.now();
        await run(q());
        times.push(performance.now() - s);
        await new Promise((r) => setImmediate(r));
      }
      times.sort((a, b) => a - b);
      out[kind] = { p50: +percentile(times, 50).toFixed(2), p95: +percentile(times, 95).toFixed(2), p99: +percentile(times, 99).toFixed(2) };
    }
  } finally {
    clearInterval(live);
  }
  return out;
}

export async function searchBench({ messages = 1_000_000, rooms = 200, conversations = 10_000, rate = 200, queries = 200, fanoutMembers = 200, dir } = {}) {
  const { createJsonlLog } = await import("../../dist/storage/chatlog/jsonl-log.js");
  const { ChatSearch } = await import("../../dist/src/search/chat-search.js");
  const { parseQuery } = await import("../../dist/src/search/text.js");
  const dataDir = dir ?? join(fileURLToPath(new URL("..", import.meta.url)), ".data", "search");
  rmSync(dataDir, { recursive: true, force: true });
  const gen = generator({ rooms, conversations });
  const textBytes = await writeLog(dataDir, messages, gen);
  const me = gen.users[1];
  const myRooms = new Set(["room1", "room2", "room3", "room4", "room5"]);
  const allows = (room) => myRooms.has(room) || (room.startsWith("dm:") && room.split(":").includes(me));
  const result = { messages, rooms, conversations, rate, queries, textMB: +(textBytes / 2 ** 20).toFixed(1) };

  // chatd's index, built from the log file as at start-up (the fan-out load runs only while queries are timed, not during builds and memory readings).
  const log = createJsonlLog({ dataDir, historyPerRoom: 1000, fsync: false });
  await log.open();
  let before = held();
  let search = new ChatSearch(log.kept, () => 2000);
  let t0 = performance.now();
  await search.rebuild();
  const chatdBuild = performance.now() - t0;
  const chatdBytes = held() - before;
  let n = messages;
  let load = await startFanoutLoad({ members: fanoutMembers, rate });
  const chatdLatency = await latencies(
    (q) => search.search(parseQuery(q), { allows }, 20),
    () => void log.append(gen.draft(n++), (stored) => search.stored(stored)),
    { rate, queries, rand: rng(7) },
  );
  result.fanout = await load.stop();
  result.chatd = { buildMs: Math.round(chatdBuild), indexMB: +(chatdBytes / 2 ** 20).toFixed(1), ratio: +(chatdBytes / textBytes).toFixed(2), latencyMs: chatdLatency };
  await log.close();
  search = undefined;

  // minisearch, over the same records (read back from the same file).
  const { createReadStream } = await import("node:fs");
  const { createInterface } = await import("node:readline");
  before = held();
  const mini = await miniSearchIndex();
  t0 = performance.now();
  for await (const line of createInterface({ input: createReadStream(join(dataDir, "chat", "chat.jsonl")), crlfDelay: Infinity })) {
    if (line) mini.add(JSON.parse(line));
  }
  const miniBuild = performance.now() - t0;
  const miniBytes = held() - before;
  let seq = 0;
  load = await startFanoutLoad({ members: fanoutMembers, rate });
  const miniLatency = await latencies(
    async (q) => mini.search(parseQuery(q), { allows, limit: 20 }),
    () => {
      const d = gen.draft(n++);
      const ms = BASE_MS + 10_000_000 + Math.floor(seq / 1000);
      mini.add({ ...d, id: `${ms}-${String(seq++ % 1000).padStart(6, "0")}`, ts: ms });
    },
    { rate, queries, rand: rng(7) },
  );
  await load.stop();
  result.minisearch = { buildMs: Math.round(miniBuild), indexMB: +(miniBytes / 2 ** 20).toFixed(1), ratio: +(miniBytes / textBytes).toFixed(2), latencyMs: miniLatency };
  rmSync(dataDir, { recursive: true, force: true });
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes("--quick");
  const size = process.argv.find((a) => a.startsWith("--messages="));
  const messages = size ? Number(size.slice(11)) : quick ? 20_000 : 1_000_000;
  const result = await searchBench({ messages, conversations: quick ? 500 : 10_000, fanoutMembers: quick ? 50 : 200 });
  console.log(JSON.stringify({ ...result, loadavg: (await import("node:os")).loadavg().map((l) => +l.toFixed(2)) }, null, 2));
}
