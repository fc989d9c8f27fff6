/**
 * The `floods` scenario of `npm run bench` (`npm run bench:floods` runs it
 * alone and merges it into latest.json): another user's ping round trip
 * (p50/p99/max) while someone floods chatd with `typing`, with `history`, or
 * with `rooms` (issue 22, points 2 to 4). Starts its own chatd
 * (dist/src/main.js) with the bench config (message, join and sign-in limits
 * lifted, as every bench client is 127.0.0.1), but the `typing` and history
 * limits at their defaults: what is measured is the defence as shipped.
 * Sizes (bench/params.mjs, `floods`; the full run's in brackets):
 *
 * - typing: `typingMembers` (40) members in a room; one client sends
 *   `typingFrames` (30,000) `typing` in bursts of 2,000, reconnecting (token)
 *   whenever the server closes it for abuse.
 * - history page: `historyMessages` (1,000) messages of 4,000 characters in a
 *   room; `historyReaders` (5) connections ask for the whole room
 *   (`history {limit: 1000}`, 4 MB) one after another, each waiting for its
 *   page: what one big page costs the others.
 * - history flood: the same connections each send `historyRequests` (100)
 *   such requests at once.
 * - rooms: the room directory seeded with `rooms` (100,000) rooms before the
 *   start; three connections send 30 `rooms` requests in all. Also reported:
 *   the size of one `rooms` answer (a page) and of a newcomer's `welcome`,
 *   and the server's RSS then.
 *
 * The pinger runs in its own worker thread (floods-pinger.mjs), so reading
 * the flooders' big replies in this thread does not delay its pongs; big
 * replies are counted, not parsed.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import WebSocket from "ws";
import { startChatd, CHATD_CONFIG } from "../servers/chatd.mjs";
import { treeUsage } from "../metrics/proc.mjs";

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
    /** The size of the last frame of each type. */
    this.lastBytes = new Map();
    this.closed = new Promise((r) => ws.once("close", (code) => r(code)));
    ws.on("message", (data) => {
      // Big replies (a 4 MB history page) are counted, not parsed: five readers' pages
      // would keep this thread busy parsing.
      const f = data.length > 65_536 ? { type: /^\{"type":"([a-z_]+)"/.exec(data.subarray(0, 40).toString())?.[1] ?? "?", bytes: data.length } : JSON.parse(data.toString());
      this.counts.set(f.type === "error" ? `error:${f.code}` : f.type, (this.counts.get(f.type === "error" ? `error:${f.code}` : f.type) ?? 0) + 1);
      this.lastBytes.set(f.type, data.length);
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
      // A request raced with the connection's close (a reader closed for abuse) is never answered: its timer must not hold the run open.
      timer.unref();
      this.waiters.push({ match, resolve: (f) => (clearTimeout(timer), resolve(f)) });
      this.send(frame);
    });
  }
  close() {
    this.ws.terminate();
  }
}

/** The victim: pings every 20 ms from its own thread (floods-pinger.mjs), each phase from `start()` to `stop()`. */
async function startPinger(port, user) {
  const worker = new Worker(new URL("./floods-pinger.mjs", import.meta.url), { workerData: { port, user, password: PASSWORD } });
  const next = () => new Promise((resolve, reject) => worker.once("message", resolve).once("error", reject));
  if ((await next()) !== "ready") throw new Error("pinger did not start");
  return {
    start: () => worker.postMessage("start"),
    async stop() {
      const times = next();
      worker.postMessage("stop");
      return stats(await times);
    },
    async close() {
      worker.postMessage("close");
      await worker.terminate();
    },
  };
}

function stats(times) {
  const s = [...times].sort((a, b) => a - b);
  const at = (q) => Math.round(s[Math.min(s.length - 1, Math.ceil(s.length * q) - 1)] * 10) / 10;
  return { pings: s.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: Math.round(s[s.length - 1] * 10) / 10 };
}

async function measure(victim, work) {
  victim.start();
  await sleep(300);
  const t0 = performance.now();
  const detail = await work();
  const ms = Math.round(performance.now() - t0);
  return { ...(await victim.stop()), floodMs: ms, ...detail };
}

export async function floods(ctx, p) {
  const dataDir = join(ctx.dataDir, "chatd");
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const config = {
    ...CHATD_CONFIG,
    bcryptCost: 4,
    chatLog: { fsync: false },
    limits: { ...CHATD_CONFIG.limits, joinsPerSecond: 100_000, joinBurst: 100_000, signInsPerMinute: 100_000, signInBurst: 100_000, maxRoomsPerSession: 100_000, stateRequestBurst: 1000 },
  };
  // The room directory holds `rooms` rooms, as a daemon that had them would find it (issue 22.4's flood).
  const now = Date.now();
  writeFileSync(join(dataDir, "rooms.json"), JSON.stringify(Array.from({ length: p.rooms }, (_, i) => ({ name: `flood${i}`, createdAt: now, members: 0, emptySince: now }))));
  const server = await startChatd({ root: ctx.root, dataDir, config, name: "chatd-floods" });
  const results = {};
  let victim;
  try {
    // Signed up here, then pinging from its own thread.
    (await Client.open(server.port, "victim")).close();
    victim = await startPinger(server.port, "victim");
    results.baseline = await measure(victim, () => sleep(p.baselineMs));
    ctx.log(`  floods: no flood, ping p99 ${results.baseline.p99Ms} ms`);

    // typing
    const members = [];
    for (let i = 0; i < p.typingMembers; i++) {
      const m = await Client.open(server.port, `member${i}`);
      await m.request({ type: "join", room: "typing" }, (f) => f.type === "joined");
      members.push(m);
    }
    let flooder = await Client.open(server.port, "typist");
    await flooder.request({ type: "join", room: "typing" }, (f) => f.type === "joined");
    let sent = 0;
    let reconnects = 0;
    results.typing = await measure(victim, async () => {
      while (sent < p.typingFrames) {
        for (let i = 0; i < 2000 && sent < p.typingFrames && flooder.ws.readyState === 1; i++, sent++) flooder.send({ type: "typing", room: "typing" });
        await sleep(10);
        if (flooder.ws.readyState !== 1) {
          flooder = await Client.open(server.port, "typist");
          await flooder.request({ type: "join", room: "typing" }, (f) => f.type === "joined");
          reconnects += 1;
        }
      }
      await sleep(500);
      return { members: p.typingMembers, typingSent: sent, abuseCloses: reconnects, deliveredPerMember: members[0].counts.get("typing") ?? 0 };
    });
    ctx.log(`  floods: typing, ping p99 ${results.typing.p99Ms} ms`);
    for (const m of members) m.close();
    flooder.close();

    // history: one big page at a time, then a flood of them
    const writer = await Client.open(server.port, "writer");
    await writer.request({ type: "join", room: "hist" }, (f) => f.type === "joined");
    const text = "x".repeat(4000);
    for (let i = 0; i < p.historyMessages; i++) writer.send({ type: "say", room: "hist", text, ref: i });
    await writer.request({ type: "say", room: "hist", text: "last", ref: "last" }, (f) => f.type === "ack" && f.ref === "last");
    const readers = [];
    for (let i = 0; i < p.historyReaders; i++) {
      const r = await Client.open(server.port, `reader${i}`);
      await r.request({ type: "join", room: "hist" }, (f) => f.type === "joined");
      readers.push(r);
    }
    results.historyPage = await measure(victim, async () => {
      let bytes = 0;
      for (const r of readers) {
        const page = await r.request({ type: "history", room: "hist", limit: 1000 }, (f) => f.type === "history" || f.type === "error");
        if (page.type !== "history") throw new Error(`history page refused: ${JSON.stringify(page)}`);
        bytes = page.bytes;
      }
      return { pages: readers.length, pageBytes: bytes };
    });
    ctx.log(`  floods: one history page at a time (${Math.round(results.historyPage.pageBytes / 1024)} KiB), ping p99 ${results.historyPage.p99Ms} ms, max ${results.historyPage.maxMs} ms`);
    // The history budgets (each reader's, the address's) refill before the flood.
    await sleep(p.refillMs);
    results.history = await measure(victim, async () => {
      await Promise.all(
        readers.map(async (r) => {
          for (let i = 0; i < p.historyRequests; i++) r.send({ type: "history", room: "hist", limit: 1000, ref: i });
          // A reader refused often enough is closed for abuse (1008) and answers no ping.
          await Promise.race([r.request({ type: "ping", ref: "end" }, (f) => f.type === "pong" && f.ref === "end", 300_000), r.closed]);
        }),
      );
      const served = readers.reduce((n, r) => n + (r.counts.get("history") ?? 0), 0) - readers.length;
      const refused = readers.reduce((n, r) => n + (r.counts.get("error:rate_limited") ?? 0), 0);
      const closed = readers.filter((r) => r.ws.readyState !== 1).length;
      return { readers: p.historyReaders, requests: p.historyReaders * p.historyRequests, served, refused, closedForAbuse: closed };
    });
    ctx.log(`  floods: history flood, ping p99 ${results.history.p99Ms} ms`);
    for (const r of readers) r.close();

    // rooms: the directory was seeded with `rooms` rooms before the start
    const askers = [];
    for (let i = 0; i < 3; i++) askers.push(await Client.open(server.port, `asker${i}`));
    let replyBytes = 0;
    results.rooms = await measure(victim, async () => {
      await Promise.all(askers.map(async (a) => {
        for (let i = 0; i < 10; i++) a.send({ type: "rooms" });
        await a.request({ type: "ping", ref: "end" }, (f) => f.type === "pong" && f.ref === "end", 300_000);
      }));
      replyBytes = askers[0].lastBytes.get("rooms") ?? 0;
      return { rooms: p.rooms, requests: 30, roomsReplyBytes: replyBytes, answered: askers.reduce((n, a) => n + (a.counts.get("rooms") ?? 0), 0) };
    });
    const newcomer = await Client.open(server.port, "newcomer");
    results.rooms.welcomeBytes = newcomer.lastBytes.get("welcome");
    results.rooms.rssMiB = Math.round((treeUsage(server.pid).rssBytes / 2 ** 20) * 10) / 10;
    ctx.log(`  floods: rooms, ping p99 ${results.rooms.p99Ms} ms`);
  } finally {
    await victim?.close();
    await server.stop();
  }
  // The pings swing with the machine's other work: say how busy it was.
  results.loadAverage = loadavg().map((x) => Number(x.toFixed(2)));
  return results;
}
