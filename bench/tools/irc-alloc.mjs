/**
 * What an IRC join storm allocates, by chatd function (issue 21): starts the
 * built chatd with the bench config, an IRC port and alloc-probe.cjs
 * preloaded, samples every allocation (V8's sampling heap profiler, one
 * sample per 64 KiB, garbage included) while N IRC clients join one channel
 * by SASL as bench/scenarios/irc.mjs's do, and prints the total and the
 * chatd functions (dist/src, dist/storage, dist/actors) whose calls
 * allocated most, library and runtime code counted to the chatd caller.
 *
 *   node bench/tools/irc-alloc.mjs [N=1000] [--top=25]
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

const HERE = fileURLToPath(new URL(".", import.meta.url));
const REPO = resolve(HERE, "../..");
const args = process.argv.slice(2);
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 1000);
const top = Number(args.find((a) => a.startsWith("--top="))?.slice(6) ?? 25);
const chatdData = join(REPO, "bench/.data/chatd");
if (!existsSync(join(chatdData, "bench-accounts.json"))) throw new Error("no bench accounts: run `npm run bench -- --quick` first");
const out = join(tmpdir(), `chatd-irc-alloc-${process.pid}.json`);

const pool = new GeneratorPool(2);
const ircPort = await freePort();
const handle = await startChatd({
  root: REPO,
  dataDir: chatdData,
  name: "chatd-irc-alloc",
  nodeFlags: ["--require", join(HERE, "alloc-probe.cjs")],
  env: { CHAT_IRC_PORT: String(ircPort), ALLOC_PROBE_OUT: out },
});
await waitForPort(ircPort);
const server = { ...handle, httpPort: handle.port, port: ircPort };
let profile;
try {
  const accounts = new Accounts(chatdData);
  await accounts.ensure({ root: REPO, pool, count: n, log: () => {} });
  const ctx = { pool, server, kind: { label: "chatd (IRC port)", dialect: "irc" }, log: (line) => console.error(line), pauseMs: 1000, spec: (user, rooms, extra) => ({ ...accounts.spec(user, rooms, extra), sasl: true }) };
  await sleep(1000);
  rmSync(out, { force: true });
  process.kill(server.pid, "SIGUSR2");
  await sleep(500);
  const state = await prepareSweep(ctx, { name: "irc", conns: n, roomSize: n, sendersPerRoom: 10, sampleEvery: 20 }, "alloc");
  if (state.connect.failed > 0) throw new Error(`${state.connect.failed} connections failed`);
  process.kill(server.pid, "SIGUSR2");
  for (let i = 0; i < 300 && !existsSync(out); i++) await sleep(100);
  await sleep(500);
  profile = JSON.parse(readFileSync(out, "utf8"));
  rmSync(out, { force: true });
} finally {
  pool.stop();
  await server.stop();
}

const byFunction = new Map();
let total = 0;
(function walk(node, owner) {
  const f = node.callFrame;
  const mine = /dist\/(src|storage|actors)\//.test(f.url) ? `${f.functionName || "(anonymous)"} ${f.url.split("dist/")[1]}:${f.lineNumber + 1}` : owner;
  total += node.selfSize;
  if (node.selfSize) byFunction.set(mine, (byFunction.get(mine) ?? 0) + node.selfSize);
  for (const child of node.children) walk(child, mine);
})(profile.head, "(outside chatd's code)");
const mb = (b) => (b / 2 ** 20).toFixed(1).padStart(6);
console.log(`${n} IRC clients joined one channel: ${mb(total)} MB allocated (${(total / n / 1024).toFixed(0)} KiB per client)`);
for (const [name, bytes] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${mb(bytes)} MB  ${name}`);
