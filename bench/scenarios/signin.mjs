/**
 * chatd sign-in: a storm of `users` concurrent password sign-ins (bcrypt
 * compare at the accounts' cost, 10), then `resumes` token resumes. Event-loop
 * lag is measured from outside: one already signed-in client pings every 10 ms
 * and the ping/pong round trip is recorded before and during each storm.
 * Resumes are measured with a new connection each (TCP connect + WebSocket
 * upgrade + hello{token}: the daemon's first ever, code V8 has not optimised
 * yet, as in a reconnect storm after a restart), then as hello{token} alone on
 * connections opened beforehand, in two rounds: the first right after those
 * first resumes (V8 still optimising), the second the same again (steady
 * state, what a daemon that has run for a while pays), and last with a new
 * connection each again, in that steady state.
 */
import { PASSWORD } from "../chatd-accounts.mjs";
import { between, open, round, settle, sleep, snapshot } from "./measure.mjs";

async function withPings(ctx, run) {
  await ctx.pool.stats(true);
  await ctx.pool.ping("pinger", "start", 10);
  const a = snapshot(ctx);
  const result = await run();
  const use = between(a, snapshot(ctx));
  await ctx.pool.ping("pinger", "stop");
  const stats = await ctx.pool.stats(false);
  return { result, use, lagMs: stats.pongLat.summaryMs() };
}

export async function signin(ctx, { users, resumes, baselineMs }) {
  const accounts = ctx.accounts;
  await open(ctx, "pinger", [ctx.spec("u1", [])]);
  const signinSpecs = () => Array.from({ length: users }, (_, i) => ({ user: `s${i + 1}`, password: PASSWORD, rooms: [] }));
  if ((accounts.data.signinUsers ?? 0) < users) {
    // First run: create the sign-in users at the configured cost (not measured).
    const r = await open(ctx, "prime", signinSpecs(), users);
    await ctx.pool.close("prime");
    if (r.failed === 0) {
      accounts.data.signinUsers = users;
      accounts.save();
    }
  }
  await settle(ctx);

  const baseline = await withPings(ctx, () => sleep(baselineMs));
  const storm = await withPings(ctx, () => open(ctx, "storm", signinSpecs(), users));
  await ctx.pool.close("storm");
  await settle(ctx);
  const resumeSpecs = Array.from({ length: resumes }, (_, i) => ctx.spec(`u${i + 2}`, []));
  const resume = await withPings(ctx, () => open(ctx, "resume", resumeSpecs, 100));
  await ctx.pool.close("resume");
  await settle(ctx);
  // The same resumes on connections already open: hello{token} -> welcome alone.
  const resumeOnOpen = async () => {
    await open(ctx, "resume-open", resumeSpecs.map((spec) => ({ ...spec, deferHello: true })), 100);
    // A short pause, not settle(): these connections must say hello within limits.authTimeoutMs.
    await sleep(ctx.pauseMs);
    const r = await withPings(ctx, () => ctx.pool.hellos({ group: "resume-open", concurrency: 100 }));
    await ctx.pool.close("resume-open");
    if (r.result.failed > 0) ctx.log(`  resume-open: ${r.result.failed} of ${resumes} hellos failed: ${r.result.errors.join("; ")}`);
    await settle(ctx);
    return r;
  };
  const onOpen = await resumeOnOpen();
  const warm = await resumeOnOpen();
  const resumeWarm = await withPings(ctx, () => open(ctx, "resume-warm", resumeSpecs, 100));
  await ctx.pool.close("resume-warm");
  await settle(ctx);
  await ctx.pool.close("pinger");
  const out = {
    users,
    signinsPerSec: round(storm.result.ready / (storm.result.ms / 1000), 1),
    signinFailed: storm.result.failed,
    cpuMsPerSignin: round(storm.use.serverCpuMs / users, 1),
    lagIdleMs: baseline.lagMs,
    lagDuringSigninMs: storm.lagMs,
    resumes,
    resumesPerSec: resume.result.perSec,
    resumeFailed: resume.result.failed,
    lagDuringResumeMs: resume.lagMs,
    cpuUsPerResume: round((resume.use.serverCpuMs * 1000) / resumes, 0),
    warmConnectResumesPerSec: resumeWarm.result.perSec,
    warmConnectResumeFailed: resumeWarm.result.failed,
    cpuUsPerWarmConnectResume: round((resumeWarm.use.serverCpuMs * 1000) / resumes, 0),
    lagDuringWarmConnectResumeMs: resumeWarm.lagMs,
    openResumesPerSec: round(onOpen.result.ok / (onOpen.result.ms / 1000), 0),
    openResumeFailed: onOpen.result.failed,
    openResumeMs: onOpen.result.lat.summaryMs(),
    cpuUsPerOpenResume: round((onOpen.use.serverCpuMs * 1000) / resumes, 0),
    openResumeKernelShare: onOpen.use.serverKernelShare,
    warmResumesPerSec: round(warm.result.ok / (warm.result.ms / 1000), 0),
    warmResumeFailed: warm.result.failed,
    warmResumeMs: warm.result.lat.summaryMs(),
    cpuUsPerWarmResume: round((warm.use.serverCpuMs * 1000) / resumes, 0),
    warmResumeKernelShare: warm.use.serverKernelShare,
  };
  ctx.log(
    `  sign-in: ${out.signinsPerSec} bcrypt sign-ins/s, ${out.resumesPerSec} resumes/s; ping lag p99 idle ${out.lagIdleMs.p99} ms, ` +
      `during sign-ins ${out.lagDuringSigninMs.p99} ms (max ${out.lagDuringSigninMs.max}), during resumes ${out.lagDuringResumeMs.p99} ms; ` +
      `server CPU ${out.cpuUsPerResume} µs per resume; on open connections ${out.openResumesPerSec} resumes/s, ` +
      `p99 ${out.openResumeMs.p99} ms, ${out.cpuUsPerOpenResume} µs CPU each (kernel ${Math.round((out.openResumeKernelShare ?? 0) * 100)}%); ` +
      `second round ${out.warmResumesPerSec} resumes/s, p99 ${out.warmResumeMs.p99} ms, ${out.cpuUsPerWarmResume} µs CPU each; ` +
      `new connections again ${out.warmConnectResumesPerSec} resumes/s, ${out.cpuUsPerWarmConnectResume} µs CPU each`,
  );
  return out;
}
