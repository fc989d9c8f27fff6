/**
 * Rooms flood (issue 22.4): with 100,000 rooms in the directory, one client
 * sends 30 `rooms` requests at once while another pings every 10 ms; reports
 * that user's ping p99 during the flood, the size of a `rooms` answer and of
 * a newcomer's `welcome`, and the server's RSS. The rooms are written into
 * the room store (rooms.json) before the start, as a daemon that had them
 * would find it. Standalone: `node bench/scenarios/rooms-flood.mjs [rooms]`
 * after `npm run build`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import WebSocket from "ws";
import { CHATD_CONFIG, startChatd } from "../servers/chatd.mjs";
import { treeUsage } from "../metrics/proc.mjs";

const root = resolve(import.meta.dirname, "../..");

function client(port) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const waiting = [];
  ws.on("message", (data) => {
    const frame = JSON.parse(data.toString());
    const i = waiting.findIndex((w) => w.type === frame.type);
    if (i >= 0) waiting.splice(i, 1)[0].resolve({ frame, bytes: data.length });
  });
  const next = (type) => new Promise((resolve) => waiting.push({ type, resolve }));
  return new Promise((ok) => ws.once("open", () => ok({ ws, next, send: (f) => ws.send(JSON.stringify(f)) })));
}

export async function roomsFlood({ rooms = 100_000, requests = 30 } = {}) {
  const base = mkdtempSync(join(tmpdir(), "chatd-rooms-flood-"));
  const dataDir = join(base, "data");
  const list = Array.from({ length: rooms }, (_, i) => ({ name: `flood${i}`, createdAt: Date.now(), members: 0, emptySince: Date.now() }));
  const { mkdirSync } = await import("node:fs");
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, "rooms.json"), JSON.stringify(list));
  const config = { ...CHATD_CONFIG, bcryptCost: 4, limits: { ...CHATD_CONFIG.limits, maxRooms: rooms + 10, stateRequestBurst: 1000 } };
  const server = await startChatd({ root, dataDir, config, name: "rooms-flood" });
  try {
    const flooder = await client(server.port);
    flooder.send({ type: "hello", user: "flooder", password: "bench-password" });
    await flooder.next("welcome");
    const pinger = await client(server.port);
    pinger.send({ type: "hello", user: "pinger", password: "bench-password" });
    const { bytes: welcomeBytes } = await pinger.next("welcome");
    const pings = [];
    let stop = false;
    const pinging = (async () => {
      while (!stop) {
        const t = performance.now();
        pinger.send({ type: "ping" });
        await pinger.next("pong");
        pings.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    const answers = [];
    for (let i = 0; i < requests; i++) answers.push(flooder.next("rooms"));
    for (let i = 0; i < requests; i++) flooder.send({ type: "rooms" });
    const got = await Promise.all(answers);
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await pinging;
    const sorted = [...pings].sort((a, b) => a - b);
    const p99 = sorted[Math.ceil(sorted.length * 0.99) - 1];
    const out = {
      rooms,
      requests,
      pingP99Ms: Math.round(p99 * 10) / 10,
      roomsReplyBytes: got[0].bytes,
      welcomeBytes,
      rssMiB: Math.round((treeUsage(server.pid).rssBytes / 2 ** 20) * 10) / 10,
    };
    flooder.ws.close();
    pinger.ws.close();
    return out;
  } finally {
    await server.stop();
    rmSync(base, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await roomsFlood({ rooms: Number(process.argv[2] ?? 100_000) })));
}
