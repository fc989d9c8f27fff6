/**
 * Memory per connection in a connection storm, in figures steadier than the
 * idle scenario's one RSS reading (docs/benchmarks.md, "Memory per connection:
 * old-space garbage, measured per change"). Starts the built chatd with the
 * bench config and `npm start`'s node flags on a copy of the bench accounts (or, with --server, one of the
 * bench's peers), opens and closes 500 connections as a warm-up (users
 * u(N-1000)..; --warm-up=0 measures from a fresh process, as the idle scenario
 * does), then opens N (u1..uN: token resume + join, rooms of 10, 100 in
 * flight) and prints, per connection:
 *   live      heap used after three full GCs
 *   oldInflow old-space bytes used, read without a GC (with
 *             --initial-old-space-size=1500 no mark-compact runs in the storm,
 *             so this is everything that reached the old generation; valid
 *             only when majorGCs, those that ran during the storm, is 0)
 *   rss       RSS without a GC, as the idle scenario reads it
 *   physical  each heap space's memory, read without a GC (new_space grows
 *             once, from a fresh process's size to its largest)
 *
 *   node bench/tools/storm-heap.mjs [N] [--root=DIR] [--server=chatd|plain|corked|socketio]
 *        [--warm-up=500] [--room-size=10] [--idle-rooms] [--no-join] [--connect-only] [-- node flags for the server]
 *   node bench/tools/storm-heap.mjs 15000 -- --initial-old-space-size=1500
 * Rooms are new ones (storm-0, ...: each first join creates a room and stores
 * the membership) unless --idle-rooms: the idle scenario's (idle-0 for u1..u10,
 * ...), which the bench accounts belong to after one full bench run, so the
 * joins store nothing, as in every bench run after the first.
 *
 * Needs `npm run build` and the bench accounts (`npm run bench` creates them).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Accounts } from "../chatd-accounts.mjs";
import { GeneratorPool } from "../gen/pool.mjs";
import { sleep } from "../scenarios/measure.mjs";
import { CHATD_CONFIG, startFlags } from "../servers/chatd.mjs";
import { startServer } from "../servers/spawn.mjs";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const REPO = resolve(HERE, "../..");
const dash = process.argv.indexOf("--");
const args = dash < 0 ? process.argv.slice(2) : process.argv.slice(2, dash);
const nodeFlags = dash < 0 ? [] : process.argv.slice(dash + 1);
const option = (name, fallback) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const root = resolve(option("root", REPO));
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 15000);
const WARM_UP = Number(option("warm-up", 500));
const ROOM_SIZE = Number(option("room-size", 10));
const IDLE_ROOMS = args.includes("--idle-rooms");
const roomOf = (k) => (IDLE_ROOMS ? `idle-${Math.floor((k - 1) / ROOM_SIZE)}` : `storm-${Math.floor(k / ROOM_SIZE)}`);
const JOIN = !args.includes("--no-join");
// chatd only: connections that send nothing after the upgrade (no hello), as the sign-in scenario's are at first.
const CONNECT_ONLY = args.includes("--connect-only");
const PEERS = { plain: ["plain-ws.mjs", "ws-rooms"], corked: ["corked-ws.mjs", "ws-rooms"], socketio: ["socketio.mjs", "socket.io"] };
const serverName = option("server", "chatd");
if (serverName !== "chatd" && !PEERS[serverName]) throw new Error(`--server: one of chatd, ${Object.keys(PEERS).join(", ")}`);

const accountsDir = join(REPO, "bench/.data/chatd");
if (!existsSync(join(accountsDir, "bench-accounts.json"))) throw new Error("no bench accounts: run `npm run bench -- --quick` (or a full run) first");
const work = mkdtempSync(join(tmpdir(), "chatd-storm-"));
const dataDir = join(work, "data");
cpSync(accountsDir, dataDir, { recursive: true });
rmSync(join(dataDir, "chat"), { recursive: true, force: true });
const accounts = new Accounts(dataDir);
const missing = [];
for (let i = 1; i <= n; i++) if (!accounts.data.tokens[`u${i}`]) missing.push(i);
if (missing.length > 0) throw new Error(`the bench accounts stop before u${missing[0]}: run a full \`npm run bench\` once to create ${n}`);
const configPath = join(work, "config.json");
writeFileSync(configPath, JSON.stringify(CHATD_CONFIG));
const out = join(work, "heap.json");

const pool = new GeneratorPool(2);
// chatd as `npm start` runs it; flags given after `--` come later and win.
const peer = PEERS[serverName];
const probeArgs = ["--expose-gc", "--require", join(HERE, "heap-probe.cjs"), ...(peer ? [] : startFlags(root)), ...nodeFlags];
const server = await startServer({
  name: serverName,
  cwd: root,
  args: [...probeArgs, peer ? join(root, "bench/servers", peer[0]) : join(root, "dist/src/main.js")],
  env: { CHAT_CONFIG: configPath, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_DATA_DIR: dataDir, CHAT_CONSOLE: "off", CHAT_LOG_LEVEL: "info", CHAT_ADMIN_TOKEN: "", STORM_HEAP_OUT: out },
});
const dialect = peer ? peer[1] : "chatd";

async function probe() {
  rmSync(out, { force: true });
  process.kill(server.pid, "SIGUSR2");
  while (!existsSync(out)) await sleep(50);
  await sleep(100);
  return JSON.parse(readFileSync(out, "utf8"));
}

const spec = (user, rooms) => (peer ? { user, rooms } : CONNECT_ONLY ? accounts.spec(user, [], { deferHello: true }) : accounts.spec(user, rooms));
const specs = (from, count) => Array.from({ length: count }, (_, i) => spec(`u${from + i}`, JOIN ? [roomOf(from + i)] : []));
try {
  // Warm-up users from near the end of the storm's range, as the figures in docs/benchmarks.md were taken.
  if (WARM_UP > 0) await pool.connect({ group: "warm", dialect, port: server.port, specs: specs(Math.max(1, n - 2 * WARM_UP), WARM_UP), concurrency: 100 });
  await pool.close("warm");
  await sleep(1000);
  const before = await probe();
  const started = Date.now();
  const storm = await pool.connect({ group: "storm", dialect, port: server.port, specs: specs(1, n), concurrency: 100 });
  const seconds = (Date.now() - started) / 1000;
  await sleep(1500);
  const after = await probe();
  const per = (a, b) => Math.round((b - a) / storm.ready);
  console.log(
    JSON.stringify({
      server: serverName,
      warmUp: WARM_UP,
      connections: storm.ready,
      failed: storm.failed,
      perSecond: Math.round(storm.ready / seconds),
      live: per(before.collected.heapUsed, after.collected.heapUsed),
      // From the old space the probe left after its full GCs (not the one it read before them): the storm starts from that.
      oldInflow: per(before.collected.spaces.old_space.used, after.raw.spaces.old_space.used),
      majorGCs: after.raw.majorGCs - before.collected.majorGCs,
      rss: per(before.raw.rss, after.raw.rss),
      physical: Object.fromEntries(Object.keys(after.raw.spaces).map((k) => [k, per(before.raw.spaces[k].physical, after.raw.spaces[k].physical)])),
      newSpaceMiB: [before.raw.spaces.new_space.physical, after.raw.spaces.new_space.physical].map((b) => Math.round(b / 2 ** 20)),
      nodeFlags,
    }),
  );
  await pool.close("storm");
} finally {
  await server.stop();
  pool.stop();
  rmSync(work, { recursive: true, force: true });
}
