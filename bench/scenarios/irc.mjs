#!/usr/bin/env node
/**
 * IRC fan-out (issue 21, "faster than Ergo"): `conns` IRC clients in one
 * channel, `sendersPerRoom` of them sending, at rising rates, against chatd's
 * IRC port and Ergo (ERGO_BIN; its default config with limits raised, in-memory
 * history on and off), all up at once and taking turns rate by rate as the
 * other sweeps do (run.mjs). Every client asks for echo-message: the sender's
 * echo is its ack (chatd echoes once the message is durable). chatd's clients
 * sign in with SASL PLAIN (the bench accounts in bench/.data/chatd, see
 * ../chatd-accounts.mjs; chatd runs on that data directory); Ergo's
 * connect without an account. Measured per server: CPU per delivery, the most
 * deliveries/s reached, p99 latency per rate, RSS per connection (the server's
 * RSS after the clients joined minus before, over the clients).
 *
 * Part of `npm run bench` (`--scenarios=irc`), or alone:
 * `node bench/scenarios/irc.mjs [--quick] [--no-docs] [--servers=chatd,ergo,ergo-nohistory] [--rates=25,50]` writes
 * bench/results/irc.json (irc-quick.json) and the IRC section of
 * docs/benchmarks.md (kept below the notes marker across full runs).
 * `CHATD_BASE=<another checkout, built>` adds that build of chatd as server
 * `chatd-base`, taking turns with this one: an A/B of a change under the
 * same load (`--servers=chatd,chatd-base`). `IRC_CPU_PROF=<dir>` runs chatd
 * with --cpu-prof into that folder.
 */
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startChatd, CHATD_CONFIG } from "../servers/chatd.mjs";
import { findErgo, freePort, startErgo, waitForPort } from "../servers/ergo.mjs";
import { prepareSweep, sweepPhase, finishSweep } from "./sweep.mjs";
import { round, settle, sleep } from "./measure.mjs";
import { treeUsage, cpuInfo } from "../metrics/proc.mjs";

const IRC_KIND = (label) => ({ label, dialect: "irc" });

/** Each server's RSS when idle, then after the clients joined: the difference per client. */
function rssKiB(handle) {
  return treeUsage(handle.pid).rssBytes / 1024;
}

async function startChatdIrc({ root, dataDir, name = "chatd-irc" }) {
  const ircPort = await freePort();
  const handle = await startChatd({ root, dataDir, name, cpuProfDir: process.env.IRC_CPU_PROF, env: { CHAT_IRC_PORT: String(ircPort) } });
  await waitForPort(ircPort);
  return { ...handle, httpPort: handle.port, port: ircPort };
}

/** CHATD_BASE's data directory: the bench accounts copied from `chatdDataDir` (a data directory is one daemon's). */
function baseData(chatdDataDir) {
  const dir = `${chatdDataDir}-base`;
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(chatdDataDir, "users"), join(dir, "users"), { recursive: true });
  return dir;
}

/**
 * The sweep on every server: `{ servers: { key: { label, connect, rssIdleKiB,
 * rssPerConnKiB, phases } }, ergo: { version } | { missing } }`.
 */
export async function ircFanout({ root, dataDir, chatdDataDir, pool, accounts, log, pauseMs, only }, p) {
  const ergo = findErgo();
  if (ergo.missing) log(`irc: Ergo not measured: ${ergo.missing}`);
  const base = process.env.CHATD_BASE;
  const servers = [
    { key: "chatd", label: "chatd (IRC port)", start: () => startChatdIrc({ root, dataDir: chatdDataDir }), sasl: true },
    // Another build of chatd beside this one (an A/B of a change, taking turns under the same load), on a copy of the bench accounts.
    ...(base ? [{ key: "chatd-base", label: `chatd at ${base}`, start: () => startChatdIrc({ root: base, dataDir: baseData(chatdDataDir), name: "chatd-base" }), sasl: true }] : []),
    ...(ergo.missing
      ? []
      : [
          { key: "ergo", label: "Ergo, history on", start: () => startErgo({ ergo, dataDir: join(dataDir, "ergo"), history: true }) },
          { key: "ergo-nohistory", label: "Ergo, history off", start: () => startErgo({ ergo, dataDir: join(dataDir, "ergo-nohistory"), name: "ergo-nohistory", history: false }) },
        ]),
  ];
  if (only) servers.splice(0, servers.length, ...servers.filter((s) => only.includes(s.key)));
  const running = [];
  const out = {};
  try {
    for (const s of servers) {
      const handle = await s.start();
      const ctx = {
        pool,
        server: handle,
        kind: IRC_KIND(s.label),
        log,
        pauseMs,
        spec: s.sasl ? (user, rooms, extra) => ({ ...accounts.spec(user, rooms, extra), sasl: true }) : (user, rooms, extra = {}) => ({ user, rooms, ...extra }),
      };
      await settle(ctx);
      await sleep(pauseMs);
      const rssIdleKiB = rssKiB(handle);
      log(`irc: ${s.label} up on ${handle.port}, connecting ${p.conns} clients`);
      const state = await prepareSweep(ctx, p, s.key);
      await sleep(pauseMs);
      const rssConnectedKiB = rssKiB(handle);
      running.push({ s, ctx, state, rssIdleKiB, rssConnectedKiB });
    }
    for (const rate of p.rates) {
      for (let turn = 0; turn < turnsAt(p, rate); turn++) {
        for (const { ctx, state } of running) {
          await settle(ctx);
          await sweepPhase(ctx, p, state, rate);
        }
      }
    }
    for (const { s, ctx, state, rssIdleKiB, rssConnectedKiB } of running) {
      const r = await finishSweep(ctx, p, state);
      out[s.key] = { label: s.label, ...r, rssIdleKiB: round(rssIdleKiB, 0), rssConnectedKiB: round(rssConnectedKiB, 0), rssPerConnKiB: round((rssConnectedKiB - rssIdleKiB) / p.conns, 1) };
    }
  } finally {
    for (const { ctx } of running) await ctx.server.stop();
  }
  return { servers: out, ergo: ergo.missing ? { missing: ergo.missing } : { version: ergo.version } };
}

const fmt = (v, digits = 2) => (v === null || v === undefined || Number.isNaN(v) ? "–" : String(Number(v.toFixed(digits))));
const int = (v) => (v === null || v === undefined ? "–" : Math.round(v).toLocaleString("en-US"));
const ratio = (a, b) => (a == null || b == null || !(a > 0) || !(b > 0) ? "–" : `${fmt(a / b, 2)}×`);
const best = (phases, key) => (phases?.length ? Math.max(...phases.map((ph) => ph[key] ?? 0)) : null);

/** How many turns each server takes at `rate` (see params.mjs: low rates are repeated). */
export function turnsAt(p, rate) {
  return rate <= (p.repeatUpTo ?? 0) ? Math.max(1, p.turns ?? 1) : 1;
}

function median(xs) {
  const v = xs.filter((x) => typeof x === "number").sort((a, b) => a - b);
  if (v.length === 0) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

/** The summary rows: [label, get(server result)]. A repeated rate reads the median of its turns. */
function rows(p, servers) {
  const at = (rate, get) => (x) => median((x?.phases ?? []).filter((ph) => ph.offeredRate === rate).map(get));
  const taken = (rate) => Math.max(0, ...servers.map((x) => x.phases.filter((ph) => ph.offeredRate === rate).length));
  const turns = (rate) => (taken(rate) > 1 ? ` (median of ${taken(rate)} turns)` : "");
  const rates = [...new Set(p.rates)];
  return [
    ...rates.map((rate, i) => [`server CPU per delivery at ${rate} msg/s, µs${turns(rate)}${i === 0 ? " (lower is better)" : ""}`, at(rate, (ph) => ph.cpuUsPerDelivery)]),
    ["most deliveries/s reached in the sweep (saturation; higher is better)", (x) => best(x?.phases, "deliveriesPerSec"), int],
    ...rates.map((rate) => [`p99 latency at ${rate} msg/s, ms${turns(rate)}`, at(rate, (ph) => ph.latencyMs.p99)]),
    [`RSS per connection, KiB (${int(p.conns)} clients joined)`, (x) => x?.rssPerConnKiB, (v) => fmt(v, 1)],
    ["joining the channel, clients/s (TCP + registration + JOIN)", (x) => x?.connect.perSec, int],
  ];
}

export function ircMarkdown(json) {
  const { meta, params: p, results } = json;
  const s = results.servers;
  const peers = ["chatd-base", "ergo", "ergo-nohistory"].filter((k) => s[k]);
  const head = ["metric", ...["chatd", ...peers].filter((k) => s[k]).map((k) => s[k].label), ...peers.map((k) => `chatd ÷ ${s[k].label}`)];
  const line = (cells) => `| ${cells.join(" | ")} |`;
  const summary = rows(p, Object.values(s)).map(([label, get, show = fmt]) => line([label, ...["chatd", ...peers].filter((k) => s[k]).map((k) => show(get(s[k]))), ...peers.map((k) => ratio(get(s.chatd), get(s[k])))]));
  const phases = [];
  for (const k of ["chatd", ...peers]) {
    for (const ph of s[k]?.phases ?? []) {
      phases.push(line([s[k].label, int(ph.offeredRate), int(ph.deliveriesPerSec), `${fmt(ph.share * 100, 1)}%`, fmt(ph.latencyMs.p50), fmt(ph.latencyMs.p99), fmt(ph.cpuUsPerDelivery), `${fmt(ph.serverCpuPct, 0)}%`, `${fmt(ph.othersCpuPct, 0)}%`]));
    }
  }
  return [
    `Measured ${meta.date} by \`${meta.command}\` (bench/scenarios/irc.mjs), ${meta.mode} run: ${int(p.conns)} IRC clients in one channel, ${p.sendersPerRoom} senders, ${p.durationMs / 1000} s per turn, the servers taking turns rate by rate${p.repeatUpTo && (p.turns ?? 1) > 1 ? ` (${p.turns} turns each at rates up to ${p.repeatUpTo} msg/s)` : ""}. ${meta.cpu}, ${meta.cores} cores shared with other work (load average at the end ${meta.loadAverage.join(", ")}; "others" below is the CPU neither the server nor the generator used). Ergo: ${results.ergo.version ?? `not measured (${results.ergo.missing})`}, built from its public source with Debian's Go, its default.yaml with fakelag off, per-IP limits off, sendQ 4 MiB. chatd: the bench config (bench/servers/chatd.mjs), fsync on: every message is on disk before its echo.`,
    "",
    line(head),
    line(head.map(() => "---")),
    ...summary,
    "",
    line(["server", "offered msg/s", "deliveries/s", "delivered", "p50 ms", "p99 ms", "CPU µs/delivery", "server CPU", "others"]),
    line(["---", "---", "---", "---", "---", "---", "---", "---", "---"]),
    ...phases,
  ].join("\n");
}

export function writeIrcDocs(root, json) {
  const path = join(root, "docs", "benchmarks.md");
  const start = "<!-- irc:start -->";
  const end = "<!-- irc:end -->";
  let doc = readFileSync(path, "utf8");
  const section = `${start}\n${ircMarkdown(json)}\n${end}`;
  if (doc.includes(start)) doc = doc.replace(new RegExp(`${start}[\\s\\S]*?${end}`), () => section);
  else doc += `\n## IRC fan-out: chatd's IRC port against Ergo (issue 21)\n\n${section}\n`;
  writeFileSync(path, doc);
  return path;
}

export function ircMeta({ quick, command }) {
  return {
    date: new Date().toISOString(),
    command,
    mode: quick ? "quick" : "full",
    cpu: cpuInfo(),
    cores: os.availableParallelism?.() ?? os.cpus().length,
    node: process.version,
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

async function main() {
  const { GeneratorPool } = await import("../gen/pool.mjs");
  const { Accounts } = await import("../chatd-accounts.mjs");
  const { FULL, QUICK } = await import("../params.mjs");
  const ROOT = fileURLToPath(new URL("../..", import.meta.url));
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const rates = args.find((a) => a.startsWith("--rates="))?.split("=")[1].split(",").map(Number);
  const params = { ...(quick ? QUICK : FULL) };
  if (rates) params.irc = { ...params.irc, rates };
  const started = performance.now();
  const log = (line) => console.log(`${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s ${line}`);
  execFileSync(process.execPath, [join(ROOT, "scripts", "build.mjs"), "--if-stale"], { cwd: ROOT, stdio: "inherit" });
  const chatdData = join(ROOT, "bench", ".data", "chatd");
  const pool = new GeneratorPool(2);
  let results;
  try {
    const accounts = new Accounts(chatdData);
    const only = args.find((a) => a.startsWith("--servers="))?.split("=")[1].split(",");
    if (!only || only.includes("chatd")) await accounts.ensure({ root: ROOT, pool, count: params.irc.conns, log });
    results = await ircFanout({ root: ROOT, dataDir: join(ROOT, "bench", ".data", "irc"), chatdDataDir: chatdData, pool, accounts, log, pauseMs: params.pauseMs, only }, params.irc);
  } finally {
    pool.stop();
  }
  const json = { meta: ircMeta({ quick, command: `node bench/scenarios/irc.mjs${quick ? " --quick" : ""}` }), params: params.irc, results };
  mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
  const file = join(ROOT, "bench", "results", quick ? "irc-quick.json" : "irc.json");
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(ircMarkdown(json));
  if (!args.includes("--no-docs")) log(`wrote ${writeIrcDocs(ROOT, json)}`);
  log(`results: ${file}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
