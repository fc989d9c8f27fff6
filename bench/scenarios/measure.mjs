/**
 * Shared measuring steps: CPU/RSS snapshots of the server tree and of the
 * generator, and waiting for in-flight deliveries to arrive.
 */
import { machineUsage, treeUsage } from "../metrics/proc.mjs";

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A snapshot of server and generator usage at one instant. */
export function snapshot(ctx) {
  return { at: performance.now(), server: treeUsage(ctx.server.pid), generator: treeUsage(...ctx.pool.pids), machine: machineUsage() };
}

/** CPU used between two snapshots: ms of CPU, % of one core, wall ms. */
export function between(a, b) {
  const wallMs = b.at - a.at;
  const serverCpuMs = b.server.cpuMs - a.server.cpuMs;
  const generatorCpuMs = b.generator.cpuMs - a.generator.cpuMs;
  const machineBusyMs = b.machine.busyMs - a.machine.busyMs;
  return {
    wallMs,
    serverCpuMs,
    serverCpuPct: round((serverCpuMs / wallMs) * 100, 1),
    /** The kernel's share of the server's CPU (system time: syscalls, TCP on loopback). */
    serverKernelShare: serverCpuMs > 0 ? round((b.server.sysMs - a.server.sysMs) / serverCpuMs, 2) : null,
    generatorCpuPct: round((generatorCpuMs / wallMs) * 100, 1),
    /** CPU that neither the server nor the generator used: other tenants of the machine. */
    othersCpuPct: round(((machineBusyMs - serverCpuMs - generatorCpuMs) / wallMs) * 100, 0),
  };
}

/**
 * Polls the generator until `expected` deliveries have arrived, or the count
 * has not moved for `quietMs`, or `maxMs` passed. Returns the last stats.
 */
export async function drain(pool, expected, { quietMs = 1000, maxMs = 15_000 } = {}) {
  const t0 = performance.now();
  let stats = await pool.stats(false);
  let last = stats.deliveries;
  let lastChange = performance.now();
  while (stats.deliveries < expected) {
    const now = performance.now();
    if (now - lastChange > quietMs || now - t0 > maxMs) break;
    await sleep(50);
    stats = await pool.stats(false);
    if (stats.deliveries !== last) {
      last = stats.deliveries;
      lastChange = performance.now();
    }
  }
  return { stats, drainMs: Math.round(performance.now() - t0) };
}

/** Waits until the server's CPU use drops below `pct` % over a window of `ctx.pauseMs` (at most 10 s). */
export async function settle(ctx, { pct = 5, maxMs = 10_000 } = {}) {
  const t0 = performance.now();
  const window = Math.max(100, ctx.pauseMs / 2);
  for (;;) {
    const a = treeUsage(ctx.server.pid).cpuMs;
    await sleep(window);
    const b = treeUsage(ctx.server.pid).cpuMs;
    if (((b - a) / window) * 100 < pct || performance.now() - t0 > maxMs) return;
  }
}

export function round(x, digits = 2) {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Which generator worker holds connection i: alternate within a room and from room to room. */
export function workerOf(i, roomSize, workers) {
  return (i + Math.floor(i / roomSize)) % workers;
}

/** Opens a group and checks it came up whole. */
export async function open(ctx, group, specs, concurrency = 100) {
  const r = await ctx.pool.connect({ group, dialect: ctx.kind.dialect, port: ctx.server.port, specs, concurrency });
  ctx.accounts?.remember(r.tokens);
  if (r.failed > 0) ctx.log(`  ${group}: ${r.failed} of ${specs.length} connections failed: ${r.errors.join("; ")}`);
  return { ready: r.ready, failed: r.failed, ms: Math.round(r.ms), perSec: round(r.ready / (r.ms / 1000), 0) };
}
