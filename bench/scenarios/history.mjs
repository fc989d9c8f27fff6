/**
 * History memory (issue 22.1): one client (the hog, as an attacker would)
 * fills chatd's history, and the daemon's RSS and heap are read from outside.
 * - rooms: `rooms` rooms, each joined, given one short message, left;
 * - bytes: `bytes` of messages of 4000 characters, `perRoom` in each room
 *   (the attack was 1000 per room in ~1000 rooms);
 * - restart: chatd stopped and started on the same data; time to listening,
 *   RSS and heap then, and a cold `join` (its history read from the files).
 * chatd runs with its default limits.historyMemoryBytes (64 MiB); rate limits
 * are lifted as for the other scenarios, joins and rooms per connection too.
 */
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import { startChatd, CHATD_CONFIG } from "../servers/chatd.mjs";
import { treeUsage } from "../metrics/proc.mjs";
import { round, sleep } from "./measure.mjs";

const CONFIG = {
  ...CHATD_CONFIG,
  bcryptCost: 4,
  limits: { ...CHATD_CONFIG.limits, joinsPerSecond: 1000000, joinBurst: 1000000, maxRoomsPerSession: 1000 },
};
const TEXT = 4000;
/** Rooms joined at once, and says in flight at once. */
const ROOMS_AT_ONCE = 200;
const IN_FLIGHT = 64;
const MiB = 1024 * 1024;
/** Quiet before reading memory: V8's memory reducer collects garbage once allocation stops for a while. */
const QUIET_MS_DEFAULT = 10_000;

export async function history(ctx, { rooms, bytes, perRoom, quietMs: QUIET_MS = QUIET_MS_DEFAULT }) {
  const dataDir = join(ctx.dataDir, "chatd");
  rmSync(dataDir, { recursive: true, force: true });
  let t = performance.now();
  let server = await startChatd({ root: ctx.root, dataDir, name: "chatd-history", config: CONFIG });
  // Start-up on an empty data dir: what a restart on a big log is compared with.
  const out = { rooms, bytes, perRoom, historyMemoryBytes: 64 * MiB, emptyStartSeconds: round((performance.now() - t) / 1000, 2) };
  try {
    const hog = await Client.open(server.port, "hog");
    out.fresh = await usage(server);

    t = performance.now();
    for (let r = 0; r < rooms; r += ROOMS_AT_ONCE) {
      const names = Array.from({ length: Math.min(ROOMS_AT_ONCE, rooms - r) }, (_, i) => `r${r + i}`);
      await hog.joinAll(names);
      await Promise.all(names.map((room) => hog.say(room, `hello ${room}`)));
      await hog.leaveAll(names);
    }
    out.roomsSeconds = round((performance.now() - t) / 1000, 1);
    await sleep(QUIET_MS);
    out.afterRooms = await usage(server);
    ctx.log(`  history: ${rooms} rooms in ${out.roomsSeconds} s; RSS ${mib(out.afterRooms.rssBytes)} MiB, heap ${mib(out.afterRooms.heapBytes)} MiB`);

    const text = "x".repeat(TEXT);
    const messages = Math.ceil(bytes / TEXT);
    const bytesRooms = Math.ceil(messages / perRoom);
    t = performance.now();
    let sent = 0;
    for (let r = 0; r < bytesRooms; r += ROOMS_AT_ONCE) {
      const names = Array.from({ length: Math.min(ROOMS_AT_ONCE, bytesRooms - r) }, (_, i) => `big${r + i}`);
      await hog.joinAll(names);
      // Round-robin over the rooms, IN_FLIGHT says outstanding.
      const total = Math.min(names.length * perRoom, messages - sent);
      await hog.pipeline(total, (i) => hog.say(names[i % names.length], text));
      sent += total;
      await hog.leaveAll(names);
    }
    out.bytesSeconds = round((performance.now() - t) / 1000, 1);
    out.messages = sent;
    out.logBytes = logBytes(dataDir);
    await sleep(QUIET_MS);
    out.afterBytes = await usage(server);
    ctx.log(
      `  history: ${mib(out.logBytes)} MiB of log (${sent} messages in ${bytesRooms} rooms) in ${out.bytesSeconds} s; RSS ${mib(out.afterBytes.rssBytes)} MiB, heap ${mib(out.afterBytes.heapBytes)} MiB`,
    );
    hog.close();

    await server.stop();
    t = performance.now();
    server = await startChatd({ root: ctx.root, dataDir, name: "chatd-history", config: CONFIG, keepLog: true, startTimeoutMs: 600_000 });
    out.restartSeconds = round((performance.now() - t) / 1000, 2);
    await sleep(QUIET_MS);
    out.afterRestart = await usage(server);
    const reader = await Client.open(server.port, "reader");
    t = performance.now();
    const joined = await reader.join("big0");
    out.coldJoinMs = round(performance.now() - t, 1);
    out.coldJoinMessages = joined.history.length;
    reader.close();
    ctx.log(`  history: restart to listening ${out.restartSeconds} s (empty: ${out.emptyStartSeconds} s); RSS ${mib(out.afterRestart.rssBytes)} MiB, heap ${mib(out.afterRestart.heapBytes)} MiB; cold join ${out.coldJoinMs} ms`);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return out;
}

const mib = (b) => round(b / MiB, 1);

/** The daemon's RSS (from /proc) and JavaScript heap (from /metrics). */
async function usage(server) {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  const heap = /^process_heap_bytes (\d+)/m.exec(text);
  return { rssBytes: treeUsage(server.pid).rssBytes, heapBytes: heap ? Number(heap[1]) : null };
}

function logBytes(dataDir) {
  const dir = join(dataDir, "chat");
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

/** A protocol client that keeps requests in flight and matches their answers. */
class Client {
  #ws;
  #acks = new Map();
  #waiting = new Map();
  #ref = 0;

  static async open(port, user) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const client = new Client(ws);
    ws.send(JSON.stringify({ type: "hello", user, password: "bench-history-1" }));
    await client.#next("welcome");
    return client;
  }

  constructor(ws) {
    this.#ws = ws;
    ws.on("message", (data) => {
      const f = JSON.parse(String(data));
      if (f.type === "ack" || (f.type === "error" && f.ref)) {
        const done = this.#acks.get(f.ref);
        this.#acks.delete(f.ref);
        done?.(f);
      } else if (f.type === "error") throw new Error(`history bench: ${f.code}: ${f.message}`);
      else this.#waiting.get(`${f.type}:${f.room ?? ""}`)?.shift()?.(f);
    });
  }

  #next(type, room = "") {
    const key = `${type}:${room}`;
    return new Promise((resolve) => {
      if (!this.#waiting.has(key)) this.#waiting.set(key, []);
      this.#waiting.get(key).push(resolve);
    });
  }

  join(room) {
    const joined = this.#next("joined", room);
    this.#ws.send(JSON.stringify({ type: "join", room }));
    return joined;
  }
  joinAll(rooms) {
    return Promise.all(rooms.map((room) => this.join(room)));
  }
  leaveAll(rooms) {
    return Promise.all(
      rooms.map((room) => {
        const left = this.#next("left", room);
        this.#ws.send(JSON.stringify({ type: "leave", room }));
        return left;
      }),
    );
  }

  say(room, text) {
    const ref = `s${++this.#ref}`;
    return new Promise((resolve, reject) => {
      this.#acks.set(ref, (f) => (f.type === "ack" ? resolve(f) : reject(new Error(`say: ${f.code}: ${f.message}`))));
      this.#ws.send(JSON.stringify({ type: "say", room, text, ref }));
    });
  }

  /** Runs `count` requests, IN_FLIGHT at a time. */
  async pipeline(count, request) {
    let next = 0;
    const lane = async () => {
      while (next < count) await request(next++);
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count) }, lane));
  }

  close() {
    this.#ws.close();
  }
}
