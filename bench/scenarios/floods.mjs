#!/usr/bin/env node
/**
 * `npm run bench:floods`: another user's ping round trip (p50/p99/max) while
 * someone floods chatd with `typing`, with `history`, or with `rooms`
 * (issue 22, points 2 to 4). Starts dist/src/main.js (run `npm run build`
 * first) with the bench config (message, join and sign-in limits lifted, as
 * every bench client is 127.0.0.1), but the `typing` and history limits at
 * their defaults: what is measured is the defence as shipped. Writes
 * bench/results/floods.json and the "Floods" section of docs/benchmarks.md.
 *
 * - typing: 40 members in a room; one client sends `typing` in bursts of
 *   2,000, reconnecting (token) whenever the server closes it for abuse.
 * - history: 1,000 messages of 4,000 characters in a room; five connections
 *   each send 100 x `history {limit: 1000}` at once.
 * - rooms: ROOMS rooms (joined, one message, left); three connections send
 *   30 `rooms` requests in all.
 */
import { readFileSync, writeFileSync, rmSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { startChatd, CHATD_CONFIG } from "../servers/chatd.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DATA = join(ROOT, "bench", ".data", "floods");
const ROOMS = Number(process.env.BENCH_FLOOD_ROOMS ?? 10_000);
const PASSWORD = "bench-password";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Client {
  static async open(port, user) {
    const c = new Client(new WebSocket(`ws://127.0.0.1:${port}/ws`));
    await new Promise((resolve, reject) => c.ws.once("open", resolve).once("error", reject));
    const welcome = await c.request({ type: "hello", user, password: PASSWORD }, (f) => f.type === "welcome" || f.type === "error");
    if (welcome.type !== "welcome") throw new Error(`${user}: ${JSON.stringify(welcome)}`);
    c.token = welcome.token;
    return c;
  }
  constructor(ws) {
    this.ws = ws;
    this.waiters = [];
    this.counts = new Map();
    this.closed = new Promise((r) => ws.once("close", (code) => r(code)));
    ws.on("message", (data) => {
      // Big replies (a 4 MB history page) are counted, not parsed: the pinger shares this
      // process, and parsing them here would delay the pongs it measures.
      const f = data.length > 65_536 ? { type: /^\{"type":"([a-z_]+)"/.exec(data.subarray(0, 40).toString())?.[1] ?? "?" } : JSON.parse(data.toString());
      this.counts.set(f.type === "error" ? `error:${f.code}` : f.type, (this.counts.get(f.type === "error" ? `error:${f.code}` : f.type) ?? 0) + 1);
      const i = this.waiters.findIndex((w) => w.match(f));
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(f);
    });
  }
  send(frame) {
    if (this.ws.readyState === 1) this.ws.send(JSON.stringify(frame));
  }
  request(frame, match, timeoutMs = 60_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(frame).slice(0, 80)}`)), timeoutMs);
      this.waiters.push({ match, resolve: (f) => (clearTimeout(timer), resolve(f)) });
      this.send(frame);
    });
  }
  close() {
    this.ws.terminate();
  }
}

/** Pings every 20 ms and records each round trip until `stop()`. */
function pinger(client) {
  const times = [];
  let running = true;
  let seq = 0;
  const done = (async () => {
    while (running) {
      const ref = `p${++seq}`;
      const t0 = performance.now();
      await client.request({ type: "ping", ref }, (f) => f.type === "pong" && f.ref === ref);
      times.push(performance.now() - t0);
      await sleep(20);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return stats(times);
    },
  };
}

function stats(times) {
  const s = [...times].sort((a, b) => a - b);
  const at = (q) => Math.round(s[Math.min(s.length - 1, Math.ceil(s.length * q) - 1)] * 10) / 10;
  return { pings: s.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: Math.round(s[s.length - 1] * 10) / 10 };
}

async function measure(victim, work) {
  const p = pinger(victim);
  await sleep(300);
  const t0 = performance.now();
  const detail = await work();
  const ms = Math.round(performance.now() - t0);
  return { ...(await p.stop()), floodMs: ms, ...detail };
}

async function main() {
  rmSync(DATA, { recursive: true, force: true });
  mkdirSync(DATA, { recursive: true });
  const config = {
    ...CHATD_CONFIG,
    bcryptCost: 4,
    chatLog: { fsync: false },
    limits: { ...CHATD_CONFIG.limits, joinsPerSecond: 100_000, joinBurst: 100_000, signInsPerMinute: 100_000, signInBurst: 100_000, maxRoomsPerSession: 100_000 },
  };
  const server = await startChatd({ root: ROOT, dataDir: join(DATA, "data"), config, name: "floods" });
  const results = {};
  try {
    const victim = await Client.open(server.port, "victim");
    results.baseline = await measure(victim, () => sleep(2000));

    // typing
    const members = [];
    for (let i = 0; i < 40; i++) {
      const m = await Client.open(server.port, `member${i}`);
      await m.request({ type: "join", room: "typing" }, (f) => f.type === "joined");
      members.push(m);
    }
    let flooder = await Client.open(server.port, "typist");
    await flooder.request({ type: "join", room: "typing" }, (f) => f.type === "joined");
    let sent = 0;
    let reconnects = 0;
    results.typing = await measure(victim, async () => {
      while (sent < 30_000) {
        for (let i = 0; i < 2000 && flooder.ws.readyState === 1; i++, sent++) flooder.send({ type: "typing", room: "typing" });
        await sleep(10);
        if (flooder.ws.readyState !== 1) {
          flooder = await Client.open(server.port, "typist");
          await flooder.request({ type: "join", room: "typing" }, (f) => f.type === "joined");
          reconnects += 1;
        }
      }
      await sleep(500);
      return { typingSent: sent, abuseCloses: reconnects, deliveredPerMember: members[0].counts.get("typing") ?? 0 };
    });
    for (const m of members) m.close();
    flooder.close();

    // history
    const writer = await Client.open(server.port, "writer");
    await writer.request({ type: "join", room: "hist" }, (f) => f.type === "joined");
    const text = "x".repeat(4000);
    for (let i = 0; i < 1000; i++) writer.send({ type: "say", room: "hist", text, ref: i });
    await writer.request({ type: "say", room: "hist", text: "last", ref: "last" }, (f) => f.type === "ack" && f.ref === "last");
    const readers = [];
    for (let i = 0; i < 5; i++) {
      const r = await Client.open(server.port, `reader${i}`);
      await r.request({ type: "join", room: "hist" }, (f) => f.type === "joined");
      readers.push(r);
    }
    results.history = await measure(victim, async () => {
      await Promise.all(
        readers.map(async (r) => {
          for (let i = 0; i < 100; i++) r.send({ type: "history", room: "hist", limit: 1000, ref: i });
          // A reader refused often enough is closed for abuse (1008) and answers no ping.
          await Promise.race([r.request({ type: "ping", ref: "end" }, (f) => f.type === "pong" && f.ref === "end", 300_000), r.closed]);
        }),
      );
      const served = readers.reduce((n, r) => n + (r.counts.get("history") ?? 0), 0);
      const refused = readers.reduce((n, r) => n + (r.counts.get("error:rate_limited") ?? 0), 0);
      const closed = readers.filter((r) => r.ws.readyState !== 1).length;
      return { requests: 500, served, refused, closedForAbuse: closed };
    });
    for (const r of readers) r.close();

    // rooms
    const maker = await Client.open(server.port, "maker");
    for (let i = 0; i < ROOMS; i++) {
      maker.send({ type: "join", room: `room${i}` });
      maker.send({ type: "say", room: `room${i}`, text: "hi" });
      maker.send({ type: "leave", room: `room${i}` });
      if (i % 500 === 499) await maker.request({ type: "ping", ref: `m${i}` }, (f) => f.type === "pong" && f.ref === `m${i}`, 120_000);
    }
    await maker.request({ type: "ping", ref: "made" }, (f) => f.type === "pong" && f.ref === "made", 120_000);
    const askers = [];
    for (let i = 0; i < 3; i++) askers.push(await Client.open(server.port, `asker${i}`));
    results.rooms = await measure(victim, async () => {
      await Promise.all(askers.map(async (a) => {
        for (let i = 0; i < 10; i++) a.send({ type: "rooms" });
        await a.request({ type: "ping", ref: "end" }, (f) => f.type === "pong" && f.ref === "end", 300_000);
      }));
      return { rooms: ROOMS, requests: 30 };
    });
  } finally {
    await server.stop();
  }
  const out = { at: new Date().toISOString(), node: process.version, rooms: ROOMS, results };
  writeFileSync(join(ROOT, "bench", "results", "floods.json"), `${JSON.stringify(out, null, 2)}\n`);
  const table = renderTable(out);
  console.log(table);
  writeDocs(table);
}

function renderTable({ at, results }) {
  const row = (name, r, what) => `| ${name} | ${r.p50Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.pings} | ${what} |`;
  const { baseline: b, typing: t, history: h, rooms: r } = results;
  return [
    `Measured ${at} by \`npm run bench:floods\` (bench/scenarios/floods.mjs), chatd at its default \`typing\` and history limits, on this 2-core machine shared with other work.`,
    "",
    "| phase | another user's ping p50 (ms) | p99 (ms) | max (ms) | pings | the flood |",
    "| --- | --- | --- | --- | --- | --- |",
    row("no flood", b, "-"),
    row("typing flood", t, `${t.typingSent} \`typing\` frames into a 40-member room; each member got ${t.deliveredPerMember} notice(s); the flooder was closed for abuse (1008) ${t.abuseCloses} times and reconnected`),
    row("history flood", h, `5 connections x 100 \`history {limit: 1000}\` of 4,000-character messages: ${h.served} served, ${h.refused} refused \`rate_limited\` before reading, ${h.closedForAbuse} of the 5 closed by the server (abuse 1008 or slow consumer 4001) (${h.floodMs} ms)`),
    row("rooms flood", r, `30 \`rooms\` requests (3 connections) with ${r.rooms} rooms (${r.floodMs} ms)`),
  ].join("\n");
}

function writeDocs(table) {
  const path = join(ROOT, "docs", "benchmarks.md");
  const start = "<!-- floods:start -->";
  const end = "<!-- floods:end -->";
  let doc = readFileSync(path, "utf8");
  const section = `${start}\n${table}\n${end}`;
  if (doc.includes(start)) doc = doc.replace(new RegExp(`${start}[\\s\\S]*?${end}`), section);
  else doc += `\n## Floods: another user's ping while one floods\n\n${section}\n`;
  writeFileSync(path, doc);
}

await main();
