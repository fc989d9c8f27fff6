/**
 * Start time, as a newcomer meets it: `npm start` (npm, the prestart
 * freshness check of dist/, then node) until GET /healthz answers 200.
 * - cold: an empty data folder, the first start;
 * - restart: the same folder again after a clean stop (SIGTERM), with the
 *   accounts and messages the first run wrote;
 * - node alone: `node dist/src/main.js` as the Docker image runs it (no npm);
 * - config error: `CHAT_PORT=abc npm start` until it exits with code 2.
 * Each measured `runs` times; the median and the slowest are reported, and
 * for the starts the CPU time the process tree had used when /healthz first
 * answered (npm, the check, node): unlike the wall time, it hardly depends on
 * how busy the machine is.
 */
import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import { join } from "node:path";
import { startFlags } from "../servers/chatd.mjs";
import { treeUsage } from "../metrics/proc.mjs";

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.once("error", reject);
  });
}

/** Spawns `command` in its own process group (npm runs sh, which runs node: a group stops them all). */
function launch(command, args, { root, env }) {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, CHAT_CONSOLE: "off", ...env }, detached: true, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return { child, exited, stderr: () => stderr };
}

async function healthzAnswers(port) {
  try {
    return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
  } catch {
    return false;
  }
}

/** Milliseconds (wall, and CPU of the tree) from spawn to the first 200 from /healthz; then stops the daemon (SIGTERM) and waits for its exit. */
async function timeToHealthz(command, args, { root, dataDir, timeoutMs = 120_000 }) {
  const port = await freePort();
  const started = performance.now();
  const p = launch(command, args, { root, env: { CHAT_HOST: "127.0.0.1", CHAT_PORT: String(port), CHAT_DATA_DIR: dataDir } });
  let exited;
  void p.exited.then((e) => (exited = e));
  try {
    while (!(await healthzAnswers(port))) {
      if (exited) throw new Error(`chatd exited (${exited.code ?? exited.signal}) before /healthz answered: ${p.stderr()}`);
      if (performance.now() - started > timeoutMs) throw new Error(`/healthz did not answer within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return { ms: performance.now() - started, cpuMs: treeUsage(p.child.pid).cpuMs };
  } finally {
    if (!exited) process.kill(-p.child.pid, "SIGTERM");
    await p.exited;
  }
}

async function timeToConfigError({ root }) {
  const started = performance.now();
  const p = launch("npm", ["start", "--silent"], { root, env: { CHAT_PORT: "abc" } });
  const { code } = await p.exited;
  if (code !== 2) throw new Error(`CHAT_PORT=abc npm start exited ${code}, not 2: ${p.stderr()}`);
  return performance.now() - started;
}

const summary = (ms) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { medianMs: Math.round(sorted[Math.floor((sorted.length - 1) / 2)]), maxMs: Math.round(sorted.at(-1)), runs: ms.length };
};

export async function startup({ root, dataDir, log }, { runs }) {
  const npmStart = ["npm", ["start", "--silent"]];
  const nodeAlone = [process.execPath, [...startFlags(root), join(root, "dist/src/main.js")]];
  const times = { cold: [], restart: [], node: [], configError: [] };
  const cpu = { cold: [], restart: [], node: [] };
  const start = async (kind, command, args) => {
    const { ms, cpuMs } = await timeToHealthz(command, args, { root, dataDir });
    times[kind].push(ms);
    cpu[kind].push(cpuMs);
  };
  for (let i = 0; i < runs; i++) {
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    await start("cold", ...npmStart);
    await start("restart", ...npmStart);
    await start("node", ...nodeAlone);
    times.configError.push(await timeToConfigError({ root }));
    log(`startup run ${i + 1}/${runs}: cold ${Math.round(times.cold.at(-1))} ms, restart ${Math.round(times.restart.at(-1))} ms, node alone ${Math.round(times.node.at(-1))} ms, CHAT_PORT=abc ${Math.round(times.configError.at(-1))} ms`);
  }
  // The machine's load while measuring: on a shared box start times grow with it.
  const loadAverage = os.loadavg().map((x) => Number(x.toFixed(2)));
  const result = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summary(v)]));
  for (const [k, v] of Object.entries(cpu)) result[k].cpuMedianMs = summary(v).medianMs;
  return { ...result, loadAverage };
}
