/**
 * Fan-out and many-rooms: `conns` connections in rooms of `roomSize`, the first
 * `sendersPerRoom` members of each room send. For each offered rate (messages/s
 * in total), an open-loop phase of `durationMs`, then the stragglers are
 * drained; CPU per delivery covers the phase and its drain. A full run
 * interleaves the servers rate by rate (see run.mjs), so each comparison is
 * between phases a few seconds apart, under the same background noise.
 */
import { between, drain, open, round, settle, snapshot, workerOf } from "./measure.mjs";

const pct = (share) => (share === null ? "?" : `${Math.round(share * 100)}%`);

/** One server's whole sweep: connect, every rate, disconnect. */
export async function sweep(ctx, p) {
  const state = await prepareSweep(ctx, p);
  for (const rate of p.rates) await sweepPhase(ctx, p, state, rate);
  return finishSweep(ctx, p, state);
}

/** Connects the scenario's members (group `<name>` or `<name>:<tag>`) and lets the server settle. */
export async function prepareSweep(ctx, p, tag) {
  const { name, conns, roomSize, sendersPerRoom, sampleEvery } = p;
  const group = tag ? `${name}:${tag}` : name;
  const workers = ctx.pool.workers.length;
  const specs = [];
  const senderShare = new Array(workers).fill(0);
  let senders = 0;
  for (let i = 0; i < conns; i++) {
    const sender = i % roomSize < sendersPerRoom;
    const w = workerOf(i, roomSize, workers);
    if (sender) {
      senders++;
      senderShare[w]++;
    }
    specs.push(ctx.spec(`u${i + 1}`, [`${name}-${Math.floor(i / roomSize)}`], { sender, sample: i % sampleEvery === 0, w }));
  }
  for (let w = 0; w < workers; w++) senderShare[w] /= senders;
  const connect = await open(ctx, group, specs);
  await settle(ctx);
  return { group, senders, senderShare, connect, phases: [] };
}

/** One offered rate: an open-loop phase of `durationMs`, then the stragglers are drained. */
export async function sweepPhase(ctx, p, state, rate) {
  const { name, roomSize, durationMs, maxUnacked } = p;
  await ctx.pool.stats(true);
  const a = snapshot(ctx);
  const { sent, shed } = await ctx.pool.offer({ group: state.group, rate, durationMs, senderShare: state.senderShare, maxUnacked });
  const inWindow = await ctx.pool.stats(false);
  const windowMs = performance.now() - a.at;
  const offered = sent + shed;
  const { stats, drainMs } = await drain(ctx.pool, sent * roomSize, { maxMs: Math.max(5000, durationMs * 2) });
  const use = between(a, snapshot(ctx));
  const phase = {
    offeredRate: rate,
    offered,
    shed,
    deliveries: stats.deliveries,
    deliveriesPerSec: round(inWindow.deliveries / (windowMs / 1000), 0),
    share: round(stats.deliveries / (offered * roomSize), 4),
    latencyMs: stats.lat.summaryMs(),
    cpuUsPerDelivery: round((use.serverCpuMs * 1000) / stats.deliveries, 2),
    serverCpuPct: use.serverCpuPct,
    serverKernelShare: use.serverKernelShare,
    generatorCpuPct: use.generatorCpuPct,
    othersCpuPct: use.othersCpuPct,
    drainMs,
    lostConnections: stats.lost,
    otherFrames: stats.other,
  };
  state.phases.push(phase);
  ctx.log(
    `  ${ctx.kind.label} ${name} ${rate} msg/s: ${phase.deliveriesPerSec} deliveries/s, share ${phase.share}, p50 ${phase.latencyMs.p50} p99 ${phase.latencyMs.p99} max ${phase.latencyMs.max} ms, ` +
      `${phase.cpuUsPerDelivery} µs CPU/delivery (kernel ${pct(use.serverKernelShare)}), server ${use.serverCpuPct}% gen ${use.generatorCpuPct}% others ${use.othersCpuPct}%` +
      (stats.lost ? `, ${stats.lost} connections lost` : ""),
  );
  return phase;
}

export async function finishSweep(ctx, p, state) {
  await ctx.pool.close(state.group);
  const { conns, roomSize, durationMs } = p;
  return { conns, roomSize, senders: state.senders, durationMs, connect: state.connect, phases: state.phases };
}
