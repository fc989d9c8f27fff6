/**
 * Idle: `conns` connections signed in (chatd: token resume) and joined, in
 * rooms of `roomSize`. Reports connections/s (connect + upgrade + sign-in +
 * join), RSS per connection (server tree RSS after minus before, over N) and
 * the CPU the server burns holding them idle.
 */
import { between, open, round, settle, sleep, snapshot } from "./measure.mjs";

export async function idle(ctx, { conns, roomSize, idleMs }) {
  await settle(ctx);
  await sleep(ctx.pauseMs);
  const before = snapshot(ctx);
  const specs = [];
  for (let i = 0; i < conns; i++) specs.push(ctx.spec(`u${i + 1}`, [`idle-${Math.floor(i / roomSize)}`]));
  const connect = await open(ctx, "idle", specs);
  await settle(ctx);
  await sleep(ctx.pauseMs);
  const after = snapshot(ctx);
  await sleep(idleMs);
  const quiet = between(after, snapshot(ctx));
  await ctx.pool.close("idle");
  const out = {
    conns,
    roomSize,
    connect,
    rssBeforeMiB: round(before.server.rssBytes / 2 ** 20, 1),
    rssAfterMiB: round(after.server.rssBytes / 2 ** 20, 1),
    rssPerConnKiB: round((after.server.rssBytes - before.server.rssBytes) / 1024 / connect.ready, 2),
    idleCpuPct: quiet.serverCpuPct,
  };
  ctx.log(`  idle: ${connect.ready} connections at ${connect.perSec}/s, ${out.rssPerConnKiB} KiB RSS each (${out.rssBeforeMiB} -> ${out.rssAfterMiB} MiB), idle CPU ${out.idleCpuPct}%`);
  return out;
}
