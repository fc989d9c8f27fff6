#!/usr/bin/env node
/**
 * `npm run bench [-- --quick] [--servers=chatd,plain,corked,socketio]
 *  [--scenarios=idle,fanout,rooms,durable,signin,cluster,history,startup,floods,search,irc] [--profile] [--no-docs] [--merge]`
 * (`--render` only rewrites docs/benchmarks.md from bench/results/latest.json)
 *
 * Starts each server as its own child process, drives it with the same raw
 * WebSocket load generator (2 worker processes), measures the server's process
 * tree from /proc, and writes bench/results/latest.json + docs/benchmarks.md
 * (full run of everything), or quick.json / partial.json / profile.json
 * (quick run, a subset, or --profile; docs untouched). `--merge` with a subset
 * merges its results into latest.json and rewrites docs/benchmarks.md from it.
 * The `cluster` scenario starts its own chatd nodes on Redis (BENCH_REDIS_URL,
 * default redis://127.0.0.1:6379); it is skipped when Redis does not answer.
 * The `history` scenario starts its own chatd too (history memory, issue 22.1).
 * The `startup` scenario times `npm start` to /healthz itself (no load generator).
 * The `floods` scenario starts its own chatd and measures another user's ping
 * during typing, history and rooms floods (issue 22).
 * The `search` scenario measures chatd's search index against minisearch in this
 * process (dist/src/search; --quick: 20,000 messages, full: 1,000,000).
 * The `irc` scenario runs chatd's IRC port against Ergo (ERGO_BIN; said when
 * missing) on its own, as `node bench/scenarios/irc.mjs` does.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GeneratorPool } from "./gen/pool.mjs";
import { startServer } from "./servers/spawn.mjs";
import { startChatd, CHATD_CONFIG } from "./servers/chatd.mjs";
import { Accounts } from "./chatd-accounts.mjs";
import { FULL, QUICK, usersNeeded } from "./params.mjs";
import { finishSweep, prepareSweep, sweep, sweepPhase } from "./scenarios/sweep.mjs";
import { durable } from "./scenarios/durable.mjs";
import { idle } from "./scenarios/idle.mjs";
import { signin } from "./scenarios/signin.mjs";
import { cluster, redisReachable, REDIS_URL } from "./scenarios/cluster.mjs";
import { history } from "./scenarios/history.mjs";
import { startup } from "./scenarios/startup.mjs";
import { floods } from "./scenarios/floods.mjs";
import { searchBench } from "./scenarios/search.mjs";
import { ircFanout, ircMeta, writeIrcDocs } from "./scenarios/irc.mjs";
import { renderDocs, writeReport } from "./report.mjs";
import { topSelfTime } from "./metrics/cpuprofile.mjs";
import { settle } from "./scenarios/measure.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BENCH = join(ROOT, "bench");
const DATA = join(BENCH, ".data");
const CHATD_DATA = join(DATA, "chatd");

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const quick = flag("quick");
const profile = flag("profile");
/** A run of some servers or scenarios only: its JSON goes to partial.json and the docs stay. */
const partial = Boolean(option("servers") || option("scenarios"));
const params = quick ? QUICK : FULL;
const started = performance.now();
const log = (line) => console.log(`${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s ${line}`);

const NOFSYNC_CONFIG = { ...CHATD_CONFIG, chatLog: { fsync: false } };
const profDir = join(BENCH, "results", "prof");

/** A second chatd cannot share the data dir (it is locked): it gets a copy of the same accounts. */
function twinDataDir() {
  const dir = `${CHATD_DATA}-twin`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(CHATD_DATA, "users"), join(dir, "users"), { recursive: true });
  return dir;
}
const node = (file) => ({ start: (name) => startServer({ name, args: [join(BENCH, "servers", file)], cwd: ROOT }) });
const SERVERS = {
  chatd: { label: "chatd", dialect: "chatd", start: (name) => startChatd({ root: ROOT, dataDir: CHATD_DATA, name, cpuProfDir: profile ? profDir : undefined }) },
  "chatd-nofsync": { label: "chatd (fsync off)", dialect: "chatd", only: ["durable"], start: (name) => startChatd({ root: ROOT, dataDir: twinDataDir(), name, config: NOFSYNC_CONFIG }) },
  plain: { label: "plain ws (pre-framed)", dialect: "ws-rooms", ...node("plain-ws.mjs") },
  corked: { label: "corked ws (ceiling)", dialect: "ws-rooms", ...node("corked-ws.mjs") },
  socketio: { label: "Socket.IO 4", dialect: "socket.io", ...node("socketio.mjs") },
};
// Idle first: in a quick run (one server process for all scenarios) it then
// measures RSS on a fresh process.
const SCENARIOS = {
  idle: (ctx) => idle(ctx, params.idle),
  fanout: (ctx) => sweep(ctx, params.fanout),
  rooms: (ctx) => sweep(ctx, params.rooms),
  durable: (ctx) => durable(ctx, params.durable),
  signin: (ctx) => signin(ctx, params.signin),
  cluster: null, // not per server: run once after the others (its own chatd nodes on Redis)
  history: null, // not per server: run once, its own chatd (restarted on the same data)
  startup: null, // not per server: `npm start` timed on its own, after the others
  floods: null, // not per server: its own chatd, flooded
  search: null, // not per server: the search index (and minisearch's) in this process, run once at the end
  irc: null, // not per server: chatd's IRC port against Ergo, on its own, last
};
/** Scenarios run once, not per server (their own chatd, or none). */
const OWN_SERVER = new Set(["cluster", "history", "startup", "floods", "search", "irc"]);
const CHATD_ONLY = new Set(["signin"]);
const SWEEPS = { fanout: params.fanout, rooms: params.rooms };

const defaultServers = profile ? "chatd" : quick ? "chatd,plain,corked,socketio" : "chatd,chatd-nofsync,plain,corked,socketio";
const serverNames = (option("servers") ?? defaultServers).split(",");
const scenarioNames = (option("scenarios") ?? (profile ? "fanout" : Object.keys(SCENARIOS).join(","))).split(",");
for (const s of serverNames) if (!SERVERS[s]) throw new Error(`unknown server ${s}; one of ${Object.keys(SERVERS)}`);
for (const s of scenarioNames) if (!(s in SCENARIOS)) throw new Error(`unknown scenario ${s}; one of ${Object.keys(SCENARIOS)}`);

const runs = (server, scenario) =>
  !OWN_SERVER.has(scenario) &&
  (!CHATD_ONLY.has(scenario) || server === "chatd") &&
  // A server limited to some scenarios runs the others only when named in --servers.
  (!SERVERS[server].only || SERVERS[server].only.includes(scenario) || Boolean(option("servers")));

/** Rebuilds dist/ when the sources changed since the last build (scripts/build.mjs). */
function ensureBuilt() {
  execFileSync(process.execPath, [join(ROOT, "scripts", "build.mjs"), "--if-stale"], { cwd: ROOT, stdio: "inherit" });
}

async function main() {
  const t0 = performance.now();
  if (serverNames.some((s) => s.startsWith("chatd")) || scenarioNames.some((sc) => OWN_SERVER.has(sc))) ensureBuilt();
  mkdirSync(join(BENCH, "results"), { recursive: true });
  const pool = new GeneratorPool(2);
  const accounts = new Accounts(CHATD_DATA);
  const results = {};
  const skipped = [];
  try {
    if (serverNames.some((s) => s.startsWith("chatd")) && scenarioNames.some((sc) => !OWN_SERVER.has(sc))) await accounts.ensure({ root: ROOT, pool, count: usersNeeded(params), log });
    const contextFor = (server, handle) => {
      const kind = SERVERS[server];
      return {
        pool,
        server: handle,
        kind,
        log,
        pauseMs: params.pauseMs,
        accounts: kind.dialect === "chatd" ? accounts : undefined,
        spec: kind.dialect === "chatd" ? (user, rooms, extra) => accounts.spec(user, rooms, extra) : (user, rooms, extra = {}) => ({ user, rooms, ...extra }),
      };
    };
    // Full run: a fresh server for every scenario. The sweeps (fanout, rooms)
    // run every server at once and take turns rate by rate, so each ratio
    // compares phases seconds apart, under the same background noise; the
    // other scenarios run the servers back to back. Quick: one start per server.
    const plan = quick
      ? serverNames.map((server) => ({ server, scenarios: scenarioNames.filter((sc) => runs(server, sc)) }))
      : scenarioNames.flatMap((sc) => {
          const servers = serverNames.filter((server) => runs(server, sc));
          if (SWEEPS[sc] && servers.length > 1) return [{ sweep: sc, servers }];
          return servers.map((server) => ({ server, scenarios: [sc] }));
        });
    for (const step of plan) {
      if (step.sweep) {
        await interleavedSweep(step.sweep, step.servers, contextFor, results);
        continue;
      }
      const { server, scenarios } = step;
      if (scenarios.length === 0) continue;
      const kind = SERVERS[server];
      log(`${kind.label}: ${scenarios.join(", ")}`);
      const handle = await kind.start(server);
      const ctx = contextFor(server, handle);
      try {
        for (const sc of scenarios) (results[server] ??= {})[sc] = await SCENARIOS[sc](ctx);
      } finally {
        await handle.stop();
      }
    }
    if (scenarioNames.includes("cluster")) {
      if (await redisReachable()) {
        log(`chatd cluster (${params.cluster.nodes.join(", ")} nodes): cluster`);
        results["chatd-cluster"] = { cluster: await cluster({ root: ROOT, dataDir: join(DATA, "cluster"), pool, log, pauseMs: params.pauseMs }, params.cluster) };
      } else {
        log(`chatd cluster: skipped, no Redis at ${REDIS_URL}`);
        if (option("scenarios")) skipped.push(`cluster: no Redis at ${REDIS_URL}`);
      }
    }
    if (scenarioNames.includes("history")) {
      log(`chatd history memory (${params.history.rooms} rooms, ${Math.round(params.history.bytes / 1024 ** 2)} MiB of messages): history`);
      results["chatd-history"] = { history: await history({ root: ROOT, dataDir: join(DATA, "history"), log }, params.history) };
    }
    if (scenarioNames.includes("startup")) {
      log(`chatd start time: npm start to /healthz, ${params.startup.runs} run(s)`);
      results["chatd-startup"] = { startup: await startup({ root: ROOT, dataDir: join(DATA, "startup"), log }, params.startup) };
    }
    if (scenarioNames.includes("floods")) {
      log(`chatd floods: another user's ping during typing, history and rooms floods`);
      results["chatd-floods"] = { floods: await floods({ root: ROOT, dataDir: join(DATA, "floods"), log }, params.floods) };
    }
    if (scenarioNames.includes("search")) {
      const size = quick ? { messages: 20_000, conversations: 500, fanoutMembers: 50 } : {};
      log(`search index, chatd and minisearch: ${size.messages ?? 1_000_000} messages`);
      results["chatd-search"] = { search: await searchBench({ ...size, dir: join(DATA, "search") }) };
      log(`search: ${JSON.stringify(results["chatd-search"].search)}`);
    }
    if (scenarioNames.includes("irc")) {
      log(`IRC fan-out: chatd's IRC port against Ergo (${params.irc.conns} clients in one channel): irc`);
      await accounts.ensure({ root: ROOT, pool, count: params.irc.conns, log });
      results.irc = { irc: await ircFanout({ root: ROOT, dataDir: join(DATA, "irc"), chatdDataDir: CHATD_DATA, pool, accounts, log, pauseMs: params.pauseMs }, params.irc) };
    }
  } finally {
    pool.stop();
  }
  const totalSeconds = Math.round((performance.now() - t0) / 1000);
  const out = writeReport({
    root: ROOT,
    quick,
    params,
    results,
    servers: Object.fromEntries(serverNames.filter((s) => results[s]).map((s) => [s, SERVERS[s].label])),
    chatdConfig: CHATD_CONFIG,
    totalSeconds,
    writeDocs: !quick && !profile && (!partial || flag("merge")) && !flag("no-docs"),
    merge: partial && flag("merge") && !quick && !profile,
    jsonName: profile ? "profile.json" : quick ? "quick.json" : partial ? "partial.json" : "latest.json",
  });
  console.log(out.table);
  if (results.irc && out.docsPath) writeIrcDocs(ROOT, { meta: ircMeta({ quick, command: "npm run bench" }), params: params.irc, results: results.irc.irc });
  const problems = [...check(results), ...skipped];
  for (const p of problems) log(`PROBLEM: ${p}`);
  if (problems.length > 0) process.exitCode = 1;
  log(`results: ${out.jsonPath}${out.docsPath ? `, ${out.docsPath}` : ""} (${totalSeconds} s)`);
  if (profile) {
    const files = readdirSync(profDir).filter((f) => f.endsWith(".cpuprofile")).map((f) => join(profDir, f));
    const latest = files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    if (latest) console.log(`\nchatd CPU profile ${latest}\n${topSelfTime(latest, 25)}`);
  }
}

/** Every server up and connected, then each rate on each server in turn. */
async function interleavedSweep(sc, servers, contextFor, results) {
  const p = SWEEPS[sc];
  log(`${sc}: ${servers.map((s) => SERVERS[s].label).join(", ")}, interleaved rate by rate`);
  const running = [];
  try {
    for (const server of servers) {
      const ctx = contextFor(server, await SERVERS[server].start(server));
      running.push({ server, ctx, state: await prepareSweep(ctx, p, server) });
    }
    for (const rate of p.rates) {
      for (const { ctx, state } of running) {
        await settle(ctx);
        await sweepPhase(ctx, p, state, rate);
      }
    }
    for (const { server, ctx, state } of running) (results[server] ??= {})[sc] = await finishSweep(ctx, p, state);
  } finally {
    for (const { ctx } of running) await ctx.server.stop();
  }
}

/**
 * What makes the run fail (the CI smoke test): connections that could not be
 * opened, or a scenario that delivered or acknowledged nothing. Never timings.
 */
function check(results) {
  const problems = [];
  for (const [server, byScenario] of Object.entries(results)) {
    for (const [scenario, r] of Object.entries(byScenario)) {
      if (r.connect?.failed > 0) problems.push(`${server} ${scenario}: ${r.connect.failed} connections failed`);
      for (const ph of r.phases ?? []) if (ph.connect?.failed > 0) problems.push(`${server} ${scenario}${ph.nodes ? ` ${ph.nodes} node(s)` : ""}: ${ph.connect.failed} connections failed`);
      for (const ph of r.phases ?? []) if (!(ph.deliveries > 0)) problems.push(`${server} ${scenario} at ${ph.offeredRate} msg/s: nothing delivered`);
      if (scenario === "irc") {
        for (const [name, x] of Object.entries(r.servers)) {
          if (x.connect?.failed > 0) problems.push(`irc ${name}: ${x.connect.failed} connections failed`);
          for (const ph of x.phases ?? []) if (!(ph.deliveries > 0)) problems.push(`irc ${name} at ${ph.offeredRate} msg/s: nothing delivered`);
        }
      }
      if (scenario === "history" && !(r.coldJoinMessages > 0)) problems.push("history: no history after the restart");
      if (scenario === "floods" && !(r.historyPage?.pageBytes > 0 && r.history?.served > 0 && r.rooms?.answered > 0 && r.baseline?.pings > 0)) problems.push("floods: no history page or `rooms` answer served, or no ping answered");
      if (scenario === "durable" && !(r.acked > 0)) problems.push(`${server} durable: nothing acknowledged`);
      if (scenario === "signin" && (r.signinFailed > 0 || r.resumeFailed > 0 || r.openResumeFailed > 0 || r.warmResumeFailed > 0 || r.warmConnectResumeFailed > 0 || !(r.resumesPerSec > 0))) problems.push(`${server} signin: sign-ins failed`);
    }
  }
  return problems;
}

if (flag("render")) {
  console.log(`rewrote ${renderDocs(ROOT)} from bench/results/latest.json`);
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
