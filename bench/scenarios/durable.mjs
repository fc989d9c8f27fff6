/**
 * Durable send: `conns` senders, each alone in its own room, each keeping
 * `window` says in flight (closed loop: a new one on every ack) for
 * `durationMs`. chatd acks after the group-committed append (+ fsync when on);
 * the peers ack straight after the broadcast, with no durability at all.
 */
import { between, open, round, settle, snapshot } from "./measure.mjs";

export async function durable(ctx, { conns, window, durationMs }) {
  const specs = [];
  for (let i = 0; i < conns; i++) specs.push(ctx.spec(`u${i + 1}`, [`durable-${i}`], { sender: true }));
  const connect = await open(ctx, "durable", specs);
  await settle(ctx);
  await ctx.pool.stats(true);
  const a = snapshot(ctx);
  const r = await ctx.pool.closedLoop({ group: "durable", durationMs, window });
  const stats = await ctx.pool.stats(false);
  const use = between(a, snapshot(ctx));
  await ctx.pool.close("durable");
  const out = {
    conns,
    window,
    durationMs,
    connect,
    acked: r.acked,
    acksPerSec: round(r.acked / (r.ms / 1000), 0),
    ackLatencyMs: stats.ackLat.summaryMs(),
    cpuUsPerAck: round((use.serverCpuMs * 1000) / stats.acks, 1),
    serverCpuPct: use.serverCpuPct,
    serverKernelShare: use.serverKernelShare,
    generatorCpuPct: use.generatorCpuPct,
    othersCpuPct: use.othersCpuPct,
    unanswered: r.unanswered,
  };
  ctx.log(`  durable: ${out.acksPerSec} acks/s, ack p50 ${out.ackLatencyMs.p50} p99 ${out.ackLatencyMs.p99} ms, ${out.cpuUsPerAck} µs CPU/ack`);
  return out;
}
