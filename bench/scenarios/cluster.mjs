/**
 * Cluster fan-out: chatd in cluster mode with 1, 2 and 3 nodes on one Redis.
 * The `conns` members of one room are spread round-robin over the nodes (and
 * over the generator workers), `senders` of them send, spread the same way. For
 * each node count: start the nodes (fresh Redis key prefix per bench run), join
 * everybody, offer `rate` msg/s for `durationMs`, drain, stop the nodes.
 *
 * CPU per delivery is summed over all node processes; Redis's CPU (the
 * `redis-server` process found by `pgrep -x`, if any) is reported separately.
 * Accounts live in Redis under the prefix: the first node count signs users in
 * with their password (nodes run at bcryptCost 4), later ones resume with the
 * tokens. The prefix's keys are removed at the end (SCAN + UNLINK).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { startChatd, CHATD_CONFIG } from "../servers/chatd.mjs";
import { PASSWORD } from "../chatd-accounts.mjs";
import { machineUsage, treeUsage } from "../metrics/proc.mjs";
import { drain, round, sleep } from "./measure.mjs";

export const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Whether Redis answers a PING within `timeoutMs`. */
export function redisReachable(url = REDIS_URL, timeoutMs = 1000) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = net.connect({ host: u.hostname, port: Number(u.port || 6379) });
    const done = (ok) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.on("error", () => done(false));
    sock.on("connect", () => sock.write(u.password ? `AUTH ${decodeURIComponent(u.password)}\r\nPING\r\n` : "PING\r\n"));
    sock.on("data", (d) => done(d.toString().includes("PONG") || d.toString().startsWith("+OK")));
  });
}

/** The pid of the local redis-server, if there is exactly one to find. */
function redisPid() {
  try {
    const pids = execFileSync("pgrep", ["-x", "redis-server"], { encoding: "utf8" }).trim().split(/\s+/).filter(Boolean);
    return pids.length === 1 ? Number(pids[0]) : undefined;
  } catch {
    return undefined;
  }
}

/** Removes every key of `prefix` (SCAN + UNLINK); returns how many. */
export async function cleanRedis(prefix, url = REDIS_URL) {
  const { Redis } = await import("ioredis");
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let removed = 0;
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) removed += await redis.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
  return removed;
}

function snap(nodePids, poolPids, rPid) {
  return {
    at: performance.now(),
    nodes: treeUsage(...nodePids),
    redis: rPid ? treeUsage(rPid) : null,
    generator: treeUsage(...poolPids),
    machine: machineUsage(),
  };
}

/** Waits until the nodes together use less than `pct` % of a core over a window (at most 10 s). */
async function settle(pids, pauseMs, { pct = 5, maxMs = 10_000 } = {}) {
  const t0 = performance.now();
  const window = Math.max(100, pauseMs / 2);
  for (;;) {
    const a = treeUsage(...pids).cpuMs;
    await sleep(window);
    const b = treeUsage(...pids).cpuMs;
    if (((b - a) / window) * 100 < pct * pids.length || performance.now() - t0 > maxMs) return;
  }
}

export async function cluster(ctx, p) {
  const { root, dataDir, pool, log } = ctx;
  const { nodes: nodeCounts, conns, senders, rate, durationMs, sampleEvery, maxUnacked } = p;
  const prefix = `bench-${Date.now()}:`;
  const room = "cluster-0";
  const workers = pool.workers.length;
  const rPid = redisPid();
  const config = { ...CHATD_CONFIG, bcryptCost: 4 };
  const tokens = {};
  const runs = [];
  log(`  cluster: Redis ${REDIS_URL}, prefix ${prefix}, redis-server pid ${rPid ?? "not found (Redis CPU not measured)"}`);
  try {
    for (const n of nodeCounts) {
      const handles = [];
      try {
        for (let k = 1; k <= n; k++) {
          const dir = join(dataDir, `node-${k}`);
          rmSync(dir, { recursive: true, force: true });
          mkdirSync(dir, { recursive: true });
          handles.push(
            await startChatd({
              root,
              dataDir: dir,
              name: `chatd-cluster-node-${k}`,
              config,
              env: { CHAT_REDIS_URL: REDIS_URL, CHAT_REDIS_PREFIX: prefix, CHAT_NODE_ID: `node-${k}` },
            }),
          );
        }
        const pids = handles.map((h) => h.pid);
        // Member i: node i % n, worker (i + floor(i / n)) % workers, so each
        // node's members (and senders) are split over both workers.
        const every = Math.max(1, Math.floor(conns / senders));
        const specs = [];
        const senderShare = new Array(workers).fill(0);
        let senderCount = 0;
        for (let i = 0; i < conns; i++) {
          const user = `c${i + 1}`;
          const sender = i % every === 0 && senderCount < senders;
          const w = (i + Math.floor(i / n)) % workers;
          if (sender) {
            senderCount++;
            senderShare[w]++;
          }
          specs.push({ user, password: PASSWORD, token: tokens[user], rooms: [room], sender, sample: i % sampleEvery === 0, w, node: i % n });
        }
        for (let w = 0; w < workers; w++) senderShare[w] /= senderCount;
        const group = `cluster-${n}`;
        const c0 = performance.now();
        const answers = await Promise.all(
          handles.map((h, k) => pool.connect({ group, dialect: "chatd", port: h.port, specs: specs.filter((s) => s.node === k), concurrency: 50 })),
        );
        const connectMs = performance.now() - c0;
        const connect = {
          ready: answers.reduce((x, a) => x + a.ready, 0),
          failed: answers.reduce((x, a) => x + a.failed, 0),
          ms: Math.round(connectMs),
        };
        connect.perSec = round(connect.ready / (connectMs / 1000), 0);
        for (const a of answers) Object.assign(tokens, a.tokens);
        if (connect.failed > 0) log(`  cluster ${n} node(s): ${connect.failed} of ${conns} connections failed: ${answers.flatMap((a) => a.errors).slice(0, 5).join("; ")}`);
        await settle(pids, ctx.pauseMs);
        await sleep(ctx.pauseMs);

        await pool.stats(true);
        const a = snap(pids, pool.pids, rPid);
        const { sent, shed } = await pool.offer({ group, rate, durationMs, senderShare, maxUnacked });
        const inWindow = await pool.stats(false);
        const windowMs = performance.now() - a.at;
        const offered = sent + shed;
        const { stats, drainMs } = await drain(pool, sent * conns, { maxMs: Math.max(5000, durationMs * 2) });
        const b = snap(pids, pool.pids, rPid);
        const wallMs = b.at - a.at;
        const nodesCpuMs = b.nodes.cpuMs - a.nodes.cpuMs;
        const redisCpuMs = rPid ? b.redis.cpuMs - a.redis.cpuMs : null;
        const generatorCpuMs = b.generator.cpuMs - a.generator.cpuMs;
        const machineBusyMs = b.machine.busyMs - a.machine.busyMs;
        const run = {
          nodes: n,
          members: conns,
          senders: senderCount,
          connect,
          offeredRate: rate,
          offered,
          shed,
          deliveries: stats.deliveries,
          deliveriesPerSec: round(inWindow.deliveries / (windowMs / 1000), 0),
          share: round(stats.deliveries / (offered * conns), 4),
          latencyMs: stats.lat.summaryMs(),
          cpuUsPerDelivery: round((nodesCpuMs * 1000) / stats.deliveries, 2),
          nodesCpuPct: round((nodesCpuMs / wallMs) * 100, 1),
          nodesKernelShare: nodesCpuMs > 0 ? round((b.nodes.sysMs - a.nodes.sysMs) / nodesCpuMs, 2) : null,
          redisCpuUsPerDelivery: redisCpuMs === null ? null : round((redisCpuMs * 1000) / stats.deliveries, 3),
          redisCpuUsPerMessage: redisCpuMs === null ? null : round((redisCpuMs * 1000) / sent, 1),
          redisCpuPct: redisCpuMs === null ? null : round((redisCpuMs / wallMs) * 100, 1),
          generatorCpuPct: round((generatorCpuMs / wallMs) * 100, 1),
          othersCpuPct: round(((machineBusyMs - nodesCpuMs - (redisCpuMs ?? 0) - generatorCpuMs) / wallMs) * 100, 0),
          drainMs,
          lostConnections: stats.lost,
        };
        runs.push(run);
        log(
          `  cluster ${n} node(s), ${conns} members, ${rate} msg/s: ${run.deliveriesPerSec} deliveries/s, share ${run.share}, ` +
            `p50 ${run.latencyMs.p50} p99 ${run.latencyMs.p99} ms, nodes ${run.cpuUsPerDelivery} µs CPU/delivery (${run.nodesCpuPct}%), ` +
            `redis ${run.redisCpuUsPerDelivery ?? "?"} µs/delivery (${run.redisCpuPct ?? "?"}%), gen ${run.generatorCpuPct}% others ${run.othersCpuPct}%` +
            (stats.lost ? `, ${stats.lost} connections lost` : ""),
        );
        await pool.close(group);
      } finally {
        await Promise.all(handles.map((h) => h.stop()));
      }
    }
  } finally {
    try {
      const removed = await cleanRedis(prefix);
      log(`  cluster: removed ${removed} Redis keys of ${prefix}`);
    } catch (error) {
      log(`  cluster: could not clean Redis keys of ${prefix}: ${error.message}`);
    }
  }
  return { redisUrl: REDIS_URL, redisMeasured: Boolean(rPid), conns, senders, rate, durationMs, phases: runs };
}
