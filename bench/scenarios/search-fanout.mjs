/**
 * The fan-out the search bench measures under (issue 20: "search latency ...
 * while fan-out runs at 200 msg/s"): a chatd of its own with `members`
 * WebSocket clients in one room and one of them saying `rate` messages/s.
 * It runs in a child process (`startFanoutLoad`), so the members' receiving
 * takes CPU from the same two cores as the queries but not from the bench's
 * own event loop, where the query latencies are timed.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { CHATD_CONFIG, startChatd } from "../servers/chatd.mjs";

const HERE = fileURLToPath(import.meta.url);
const root = resolve(import.meta.dirname, "../..");
const PASSWORD = "bench-password-1";

/** Starts the load in a child process; resolves once every member has joined and the sender runs. */
export async function startFanoutLoad({ members = 200, rate = 200 } = {}) {
  const child = spawn(process.execPath, [HERE, `--members=${members}`, `--rate=${rate}`], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d) => (out += d));
  await new Promise((ok, fail) => {
    const check = () => (out.includes("ready\n") ? ok() : undefined);
    child.stdout.on("data", check);
    child.once("exit", (code) => fail(new Error(`search fan-out load exited (${code}) before it was ready`)));
  });
  return {
    /** Stops it; resolves with the deliveries counted while it ran. */
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      return line ? JSON.parse(line) : {};
    },
  };
}

async function member(port, user, room, onMessage) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  await new Promise((ok, fail) => (ws.once("open", ok), ws.once("error", fail)));
  const waiting = [];
  ws.on("message", (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.type === "message") onMessage();
    const i = waiting.findIndex((w) => w(frame));
    if (i >= 0) waiting.splice(i, 1);
  });
  const next = (type) => new Promise((resolve) => waiting.push((f) => (f.type === type || f.type === "error" ? (resolve(f), true) : false)));
  ws.send(JSON.stringify({ type: "hello", user, password: PASSWORD }));
  const welcome = await next("welcome");
  if (welcome.type !== "welcome") throw new Error(`${user}: ${welcome.code}`);
  ws.send(JSON.stringify({ type: "join", room }));
  await next("joined");
  return ws;
}

async function main() {
  const option = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
  const members = option("members", 200);
  const rate = option("rate", 200);
  const base = mkdtempSync(join(tmpdir(), "chatd-search-fanout-"));
  const server = await startChatd({ root, dataDir: join(base, "data"), config: { ...CHATD_CONFIG, bcryptCost: 4 }, name: "search-fanout" });
  let deliveries = 0;
  const clients = [];
  for (let i = 0; i < members; i += 50) {
    const batch = Array.from({ length: Math.min(50, members - i) }, (_, j) => member(server.port, `sf${i + j}`, "load", () => deliveries++));
    clients.push(...(await Promise.all(batch)));
  }
  const started = performance.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) * rate) / 1000);
    for (; sent < due; sent++) clients[0].send(JSON.stringify({ type: "say", room: "load", text: `load ${sent}` }));
  }, 10);
  process.stdout.write("ready\n");
  process.once("SIGTERM", async () => {
    clearInterval(timer);
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`${JSON.stringify({ members, rate, sent, deliveriesPerSecond: Math.round(deliveries / seconds) })}\n`);
    for (const c of clients) c.terminate();
    await server.stop();
    rmSync(base, { recursive: true, force: true });
    process.exit(0);
  });
}

if (process.argv[1] === HERE) await main();
