/**
 * Reaction burst (issue 19): `members` connections in one room; first plain
 * `say` fan-out at `rate` messages/s, then `react` toggles at `rate`
 * reactions/s, each phase `seconds` long, against the same server in the
 * same run. Reports, per phase, the server's CPU per delivered frame (its
 * process tree's CPU time over the frames the members received) and the p99
 * of send-to-receive latency over every delivery, and the reaction phase as a
 * ratio of the message phase. Standalone, after `npm run build`:
 * `node bench/scenarios/reactions.mjs [--quick]` (quick: 200 members, 3 s).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import WebSocket from "ws";
import { CHATD_CONFIG, startChatd } from "../servers/chatd.mjs";
import { treeUsage } from "../metrics/proc.mjs";

const root = resolve(import.meta.dirname, "../..");
const PASSWORD = "bench-password-1";
/** Messages the reactions go to, and emoji per message (under the 20 different reactions a message may have). */
const TARGETS = 50;
const EMOJI = 16;
const REACTORS = 10;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A signed-in client in `room`; `onFrame` sees every frame after `joined`. */
async function member(port, user, room, onFrame) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const waiting = [];
  let joined = false;
  ws.on("message", (data) => {
    const frame = JSON.parse(data.toString());
    if (joined) onFrame(frame);
    const i = waiting.findIndex((w) => w.match(frame));
    if (i >= 0) waiting.splice(i, 1)[0].resolve(frame);
  });
  const next = (match) => new Promise((resolve) => waiting.push({ match, resolve }));
  await new Promise((ok, fail) => (ws.once("open", ok), ws.once("error", fail)));
  const send = (f) => ws.send(JSON.stringify(f));
  send({ type: "hello", user, password: PASSWORD });
  const welcome = await next((f) => f.type === "welcome" || f.type === "error");
  if (welcome.type === "error") throw new Error(`${user}: ${welcome.code} ${welcome.message}`);
  send({ type: "join", room });
  await next((f) => f.type === "joined");
  joined = true;
  return { ws, send, next };
}

function p99(samples) {
  if (samples.length === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  return Math.round(sorted[Math.ceil(sorted.length * 0.99) - 1] * 10) / 10;
}

/** Sends `rate` frames per second for `seconds` (`make(n)`), then waits for deliveries to settle. */
async function drive(rate, seconds, make) {
  const total = Math.round(rate * seconds);
  const started = performance.now();
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    make(n);
  }
  await sleep(1500);
}

export async function reactionBurst({ members = 1000, rate = 100, seconds = 10 } = {}) {
  const base = mkdtempSync(join(tmpdir(), "chatd-reactions-"));
  const limits = { ...CHATD_CONFIG.limits, maxSessionsPerUser: 10, historyOnJoin: 1 };
  const server = await startChatd({ root, dataDir: join(base, "data"), config: { ...CHATD_CONFIG, bcryptCost: 4, limits }, name: "reactions" });
  const room = "burst";
  try {
    // Send times by key (a message's text, a reaction's id|emoji|user), and latencies by phase.
    const sentAt = new Map();
    const phase = { name: "setup", latencies: [], frames: 0 };
    const onFrame = (f) => {
      let key;
      if (f.type === "message") key = f.text;
      else if (f.type === "reaction") key = `${f.id}|${f.emoji}|${f.user}|${f.on}`;
      else return;
      const t = sentAt.get(key);
      if (t === undefined) return;
      phase.frames += 1;
      phase.latencies.push(performance.now() - t);
    };
    const clients = [];
    for (let i = 0; i < members; i += 50) {
      const batch = Array.from({ length: Math.min(50, members - i) }, (_, j) => member(server.port, `m${i + j}`, room, onFrame));
      clients.push(...(await Promise.all(batch)));
    }
    const reactors = clients.slice(0, REACTORS);
    const sender = clients[0];
    const measure = async (name, make) => {
      phase.name = name;
      phase.latencies = [];
      phase.frames = 0;
      const before = treeUsage(server.pid).cpuMs;
      await drive(rate, seconds, make);
      const cpuMs = treeUsage(server.pid).cpuMs - before;
      return { frames: phase.frames, cpuUsPerFrame: Math.round(((cpuMs * 1000) / Math.max(1, phase.frames)) * 100) / 100, p99Ms: p99(phase.latencies) };
    };
    const messages = await measure("messages", (n) => {
      const text = `m${n}`;
      sentAt.set(text, performance.now());
      sender.send({ type: "say", room, text });
    });
    // The messages reactions go to (not timed: sent after the message phase, so they are within the history kept, where a reaction finds its message).
    const targets = [];
    for (let t = 0; t < TARGETS; t++) {
      sender.send({ type: "say", room, text: `target ${t}`, ref: `t${t}` });
      targets.push((await sender.next((f) => f.type === "ack" && f.ref === `t${t}`)).id);
    }
    await sleep(1000);
    const on = new Map();
    const reactions = await measure("reactions", (n) => {
      const reactor = n % REACTORS;
      const id = targets[Math.floor(n / REACTORS) % TARGETS];
      const emoji = `:e${Math.floor(n / (REACTORS * TARGETS)) % EMOJI}:`;
      const key = `${id}|${emoji}|m${reactor}`;
      const next = !on.get(key);
      on.set(key, next);
      sentAt.set(`${key}|${next}`, performance.now());
      reactors[reactor].send({ type: "react", id, emoji });
    });
    for (const c of clients) c.ws.close();
    return {
      members,
      rate,
      seconds,
      messages,
      reactions,
      ratio: {
        cpuPerFrame: Math.round((reactions.cpuUsPerFrame / messages.cpuUsPerFrame) * 100) / 100,
        p99: messages.p99Ms && reactions.p99Ms ? Math.round((reactions.p99Ms / messages.p99Ms) * 100) / 100 : null,
      },
    };
  } finally {
    await server.stop();
    rmSync(base, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes("--quick");
  console.log(JSON.stringify(await reactionBurst(quick ? { members: 200, rate: 100, seconds: 3 } : {}), null, 2));
}
