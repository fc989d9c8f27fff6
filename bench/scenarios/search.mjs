/**
 * Search: the index (dist/src/search, built by `npm run build`) over generated
 * messages spread over `rooms` rooms and `conversations` DM conversations.
 * Reports the index build time, its memory (heap growth while building, the
 * kept records included) against the bytes of text indexed, and query latency
 * p50/p95/p99 for one-word, two-word, prefix and phrase queries, each over
 * the scope of one user (5 rooms, their conversations), while new messages
 * are indexed at `rate` msg/s (the indexing share of fan-out at that rate;
 * the sockets' share runs in the fan-out scenarios).
 *
 * Alone: `node --expose-gc bench/scenarios/search.mjs [--quick]`.
 */
import { performance } from "node:perf_hooks";

const WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu deploy release café server backup network latency rollout incident meeting budget design review customer".split(" ");
// A Zipf-ish vocabulary: a few common words, a long tail of rare ones.
const TAIL = Array.from({ length: 20000 }, (_, i) => `w${i.toString(36)}x`);

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function searchBench({ messages = 1_000_000, rooms = 200, conversations = 10_000, rate = 200, queries = 200 } = {}) {
  const { SearchIndex } = await import("../../dist/src/search/search-index.js");
  const { parseQuery } = await import("../../dist/src/search/text.js");
  const rand = rng(42);
  const users = Array.from({ length: 2000 }, (_, i) => `u${i}`);
  const dmKeys = Array.from({ length: conversations }, (_, i) => {
    const a = users[i % users.length], b = users[(i * 7 + 1) % users.length];
    return a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`;
  });
  let seq = 0;
  const make = () => {
    seq += 1;
    const n = 4 + Math.floor(rand() * 12);
    const ws = [];
    for (let k = 0; k < n; k++) ws.push(rand() < 0.7 ? WORDS[Math.floor(rand() * rand() * WORDS.length)] : TAIL[Math.floor(rand() * TAIL.length)]);
    const room = rand() < 0.8 ? `room${Math.floor(rand() * rooms)}` : dmKeys[Math.floor(rand() * dmKeys.length)];
    return { id: `${String(1764100000000 + Math.floor(seq / 1000)).padStart(13, "0")}-${String(seq % 1000).padStart(6, "0")}`, room, from: users[seq % users.length], text: ws.join(" "), ts: 1764100000000 };
  };
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const index = new SearchIndex();
  let textBytes = 0;
  const t0 = performance.now();
  for (let i = 0; i < messages; i++) {
    const r = make();
    textBytes += r.text.length * 2;
    index.add(r);
  }
  const buildMs = performance.now() - t0;
  globalThis.gc?.();
  const indexBytes = process.memoryUsage().heapUsed - heapBefore;

  // Live indexing at `rate` msg/s while queries run.
  const live = setInterval(() => {
    for (let i = 0; i < rate / 20; i++) index.add(make());
  }, 50);
  const myRooms = new Set(["room1", "room2", "room3", "room4", "room5"]);
  const me = users[1];
  const allows = (room) => myRooms.has(room) || (room.startsWith("dm:") && room.split(":").includes(me));
  const kinds = {
    "one-word": () => WORDS[Math.floor(rand() * WORDS.length)],
    "two-word": () => `${WORDS[Math.floor(rand() * WORDS.length)]} ${WORDS[Math.floor(rand() * WORDS.length)]}`,
    prefix: () => WORDS[Math.floor(rand() * WORDS.length)].slice(0, 3),
    phrase: () => `"${WORDS[Math.floor(rand() * WORDS.length)]} ${WORDS[Math.floor(rand() * WORDS.length)]}"`,
  };
  const latency = {};
  for (const [kind, q] of Object.entries(kinds)) {
    const times = [];
    for (let i = 0; i < queries; i++) {
      const s = performance.now();
      index.search(parseQuery(q()), { allows, limit: 20 });
      times.push(performance.now() - s);
      await new Promise((r) => setImmediate(r));
    }
    times.sort((a, b) => a - b);
    latency[kind] = { p50: +percentile(times, 50).toFixed(2), p95: +percentile(times, 95).toFixed(2), p99: +percentile(times, 99).toFixed(2) };
  }
  clearInterval(live);
  return { messages, rooms, conversations, rate, buildMs: Math.round(buildMs), indexMB: +(indexBytes / 2 ** 20).toFixed(1), textMB: +(textBytes / 2 ** 20).toFixed(1), ratio: +(indexBytes / textBytes).toFixed(2), latencyMs: latency };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes("--quick");
  const size = process.argv.find((a) => a.startsWith("--messages="));
  const messages = size ? Number(size.slice(11)) : quick ? 20_000 : 1_000_000;
  console.log(JSON.stringify(await searchBench({ messages, conversations: quick ? 500 : 10_000 }), null, 2));
}
