/**
 * Memory per IRC connection (issue 21): starts the built chatd with the bench
 * config and an IRC port, heap-probe.cjs preloaded, measures RSS and heap when
 * idle, joins N IRC clients (SASL, one channel, as bench/scenarios/irc.mjs
 * does) and prints per connection: RSS without a GC (the bench's figure), and
 * heap used and RSS after three full GCs.
 *
 *   node bench/tools/irc-heap.mjs [N=1000] [-- node flags for the server]
 *
 * Needs `npm run build` and the bench accounts (`npm run bench -- --quick` creates them).
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Accounts } from "../chatd-accounts.mjs";
import { GeneratorPool } from "../gen/pool.mjs";
import { sleep } from "../scenarios/measure.mjs";
import { prepareSweep } from "../scenarios/sweep.mjs";
import { startChatd } from "../servers/chatd.mjs";
import { freePort, waitForPort } from "../servers/ergo.mjs";
import { treeUsage } from "../metrics/proc.mjs";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const REPO = resolve(HERE, "../..");
const dash = process.argv.indexOf("--");
const args = dash < 0 ? process.argv.slice(2) : process.argv.slice(2, dash);
const nodeFlags = dash < 0 ? [] : process.argv.slice(dash + 1);
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 1000);
const chatdData = join(REPO, "bench/.data/chatd");
if (!existsSync(join(chatdData, "bench-accounts.json"))) throw new Error("no bench accounts: run `npm run bench -- --quick` first");
const out = join(tmpdir(), `chatd-irc-heap-${process.pid}.json`);

const pool = new GeneratorPool(2);
const ircPort = await freePort();
const handle = await startChatd({
  root: REPO,
  dataDir: chatdData,
  name: "chatd-irc-heap",
  nodeFlags: ["--expose-gc", "--require", join(HERE, "heap-probe.cjs"), ...nodeFlags],
  env: { CHAT_IRC_PORT: String(ircPort), STORM_HEAP_OUT: out },
});
await waitForPort(ircPort);
const server = { ...handle, httpPort: handle.port, port: ircPort };

async function probe() {
  rmSync(out, { force: true });
  process.kill(server.pid, "SIGUSR2");
  for (let i = 0; i < 200 && !existsSync(out); i++) await sleep(50);
  await sleep(100);
  return JSON.parse(readFileSync(out, "utf8"));
}

const kib = (b) => b / 1024;
try {
  const accounts = new Accounts(chatdData);
  await accounts.ensure({ root: REPO, pool, count: n, log: () => {} });
  const ctx = { pool, server, kind: { label: "chatd (IRC port)", dialect: "irc" }, log: (line) => console.error(line), pauseMs: 1000, spec: (user, rooms, extra) => ({ ...accounts.spec(user, rooms, extra), sasl: true }) };
  await sleep(1000);
  const idleRss = kib(treeUsage(server.pid).rssBytes);
  const idle = await probe();
  const p = { name: "irc", conns: n, roomSize: n, sendersPerRoom: 10, sampleEvery: 20 };
  const state = await prepareSweep(ctx, p, "heap");
  if (state.connect.failed > 0) throw new Error(`${state.connect.failed} connections failed`);
  await sleep(1000);
  const joinedRss = kib(treeUsage(server.pid).rssBytes);
  const joined = await probe();
  const per = (a, b) => ((b - a) / n).toFixed(1);
  console.log(`${n} IRC clients joined one channel, KiB per connection:`);
  console.log(`  rss (no GC, as the bench reads it)  ${per(idleRss, joinedRss)}`);
  console.log(`  heap used, no GC                    ${per(kib(idle.raw.heapUsed), kib(joined.raw.heapUsed))}`);
  console.log(`  heap used after full GCs            ${per(kib(idle.collected.heapUsed), kib(joined.collected.heapUsed))}`);
  console.log(`  rss after full GCs                  ${per(kib(idle.collected.rss), kib(joined.collected.rss))}`);
  for (const [name, s] of Object.entries(joined.raw.spaces)) console.log(`  ${name.padEnd(24)} physical ${per(kib(idle.raw.spaces[name].physical), kib(s.physical))}`);
} finally {
  pool.stop();
  await server.stop();
}
