/**
 * Results: the JSON of a run (bench/results/*.json) and, for a full run, the
 * Markdown of docs/benchmarks.md. Anything below the NOTES marker in that file
 * is kept across runs (hand-written analysis, profiles).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { cpuInfo } from "./metrics/proc.mjs";

const NOTES = "<!-- notes below this line are kept when the bench rewrites this file -->";
const PEERS = ["plain", "corked", "socketio"];
const DURABILITY = {
  chatd: "append + fsync (group commit), then ack",
  "chatd-nofsync": "append without fsync, then ack",
  plain: "none: ack right after the broadcast",
  corked: "none: ack right after the broadcast",
  socketio: "none: ack right after the broadcast",
};

const fmt = (v, digits = 2) => (v === null || v === undefined || Number.isNaN(v) ? "–" : typeof v === "number" ? String(Number(v.toFixed(digits))) : String(v));
const int = (v) => (v === null || v === undefined ? "–" : Math.round(v).toLocaleString("en-US"));
const pct = (v) => (v === null || v === undefined ? "–" : `${fmt(v * 100, 1)}%`);
const ratio = (a, b) => (a == null || b == null || !(a > 0) || !(b > 0) ? "–" : `${fmt(a / b, 2)}×`);

function table(head, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

function best(phases, key) {
  return phases?.length ? Math.max(...phases.map((p) => p[key] ?? 0)) : null;
}

function summaryRows(json) {
  const r = json.results;
  const p = json.params;
  const [f0, fN] = [p.fanout.rates[0], p.fanout.rates.at(-1)];
  const [m0, mN] = [p.rooms.rates[0], p.rooms.rates.at(-1)];
  const fan = (s) => r[s]?.fanout;
  const rooms = (s) => r[s]?.rooms;
  return [
    [`fan-out: server CPU per delivery at ${f0} msg/s, µs (lower is better)`, (s) => fan(s)?.phases[0]?.cpuUsPerDelivery],
    [`fan-out: server CPU per delivery at ${fN} msg/s, µs`, (s) => fan(s)?.phases.at(-1)?.cpuUsPerDelivery],
    ["fan-out: most deliveries/s reached in the sweep (higher is better)", (s) => best(fan(s)?.phases, "deliveriesPerSec"), int],
    [`fan-out: p99 latency at ${f0} msg/s, ms`, (s) => fan(s)?.phases[0]?.latencyMs.p99],
    ...p.fanout.rates
      .filter((rate) => rate === 400)
      .map((rate) => [`fan-out: p99 latency at ${rate} msg/s, ms`, (s) => fan(s)?.phases.find((ph) => ph.offeredRate === rate)?.latencyMs.p99]),
    [`fan-out: joining ${int(p.fanout.conns)} members into one room, connections/s`, (s) => fan(s)?.connect.perSec, int],
    [`many rooms: server CPU per delivery at ${m0} msg/s, µs`, (s) => rooms(s)?.phases[0]?.cpuUsPerDelivery],
    [`many rooms: server CPU per delivery at ${mN} msg/s, µs`, (s) => rooms(s)?.phases.at(-1)?.cpuUsPerDelivery],
    ["many rooms: most deliveries/s reached in the sweep", (s) => best(rooms(s)?.phases, "deliveriesPerSec"), int],
    [`many rooms: p99 latency at ${m0} msg/s, ms`, (s) => rooms(s)?.phases[0]?.latencyMs.p99],
    [`idle: RSS per connection, KiB (${int(p.idle.conns)} connections)`, (s) => r[s]?.idle?.rssPerConnKiB, (v) => fmt(v, 1)],
    ["idle: connections/s (TCP + upgrade + sign-in + join)", (s) => r[s]?.idle?.connect.perSec, int],
    ["durable: acknowledged messages/s (peers: no durability)", (s) => r[s]?.durable?.acksPerSec, int],
    ["durable: ack latency p99, ms", (s) => r[s]?.durable?.ackLatencyMs.p99],
  ];
}

export function summaryTable(json) {
  const names = ["chatd", ...PEERS].filter((s) => json.servers[s]);
  const peers = PEERS.filter((s) => json.servers[s]);
  const head = ["metric", ...names.map((s) => json.servers[s]), ...(json.servers.chatd ? peers.map((s) => `chatd ÷ ${json.servers[s]}`) : [])];
  const rows = summaryRows(json).map(([label, get, show = fmt]) => [
    label,
    ...names.map((s) => show(get(s))),
    ...(json.servers.chatd ? peers.map((s) => ratio(get("chatd"), get(s))) : []),
  ]);
  return table(head, rows);
}

function sweepTable(json, scenario) {
  const rows = [];
  for (const [s, label] of Object.entries(json.servers)) {
    for (const ph of json.results[s]?.[scenario]?.phases ?? []) {
      rows.push([
        label,
        int(ph.offeredRate),
        int(ph.deliveriesPerSec),
        pct(ph.share),
        fmt(ph.latencyMs.p50),
        fmt(ph.latencyMs.p99),
        fmt(ph.latencyMs.max),
        fmt(ph.cpuUsPerDelivery),
        pct(ph.serverKernelShare),
        `${fmt(ph.serverCpuPct, 0)}%`,
        `${fmt(ph.generatorCpuPct, 0)}%`,
        `${fmt(ph.othersCpuPct, 0)}%`,
      ]);
    }
  }
  return table(["server", "offered msg/s", "deliveries/s", "delivered", "p50 ms", "p99 ms", "max ms", "CPU µs/delivery", "of it kernel", "server CPU", "generator CPU", "other tenants' CPU"], rows);
}

function durableTable(json) {
  const rows = Object.entries(json.servers)
    .filter(([s]) => json.results[s]?.durable)
    .map(([s, label]) => {
      const d = json.results[s].durable;
      return [label, DURABILITY[s] ?? "", int(d.acksPerSec), fmt(d.ackLatencyMs.p50), fmt(d.ackLatencyMs.p99), fmt(d.ackLatencyMs.max), fmt(d.cpuUsPerAck, 1), pct(d.serverKernelShare), `${fmt(d.serverCpuPct, 0)}%`];
    });
  return table(["server", "durability", "acks/s", "ack p50 ms", "ack p99 ms", "ack max ms", "CPU µs/ack", "of it kernel", "server CPU"], rows);
}

function idleTable(json) {
  const rows = Object.entries(json.servers)
    .filter(([s]) => json.results[s]?.idle)
    .map(([s, label]) => {
      const d = json.results[s].idle;
      return [label, int(d.connect.ready), int(d.connect.failed), int(d.connect.perSec), fmt(d.rssBeforeMiB, 1), fmt(d.rssAfterMiB, 1), fmt(d.rssPerConnKiB, 1), `${fmt(d.idleCpuPct, 1)}%`];
    });
  return table(["server", "connections", "failed", "connections/s", "RSS before MiB", "RSS after MiB", "KiB/connection", "idle CPU"], rows);
}

function signinTable(json) {
  const d = json.results.chatd?.signin;
  if (!d) return "(not run)";
  const lag = (l) => `${fmt(l.p50)} / ${fmt(l.p99)} / ${fmt(l.max)}`;
  return table(
    ["measure", "chatd"],
    [
      [`password sign-ins/s (${d.users} at once, bcrypt cost ${json.chatdConfig.bcryptCost})`, fmt(d.signinsPerSec, 1)],
      ["server CPU per password sign-in, ms", fmt(d.cpuMsPerSignin, 1)],
      [`token resumes/s (${int(d.resumes)} connections, connect + hello{token}), the daemon's first`, int(d.resumesPerSec)],
      ["server CPU per resume (connect + hello{token}), µs", int(d.cpuUsPerResume)],
      [`token resumes/s (connect + hello{token}) after the rounds below (steady state)`, int(d.warmConnectResumesPerSec)],
      ["… server CPU per resume, µs", int(d.cpuUsPerWarmConnectResume)],
      [`token resumes/s on connections already open (hello{token} → welcome, 100 in flight), first round`, int(d.openResumesPerSec)],
      ["… hello{token} → welcome p50 / p99 / max, ms", d.openResumeMs ? lag(d.openResumeMs) : "–"],
      ["… server CPU per resume, µs", int(d.cpuUsPerOpenResume)],
      [`token resumes/s on connections already open, second round (steady state)`, int(d.warmResumesPerSec)],
      ["… hello{token} → welcome p50 / p99 / max, ms", d.warmResumeMs ? lag(d.warmResumeMs) : "–"],
      ["… server CPU per resume, µs", int(d.cpuUsPerWarmResume)],
      ["ping round trip p50 / p99 / max, ms: idle", lag(d.lagIdleMs)],
      ["… during the password sign-in storm", lag(d.lagDuringSigninMs)],
      ["… during the token resumes (connect + hello{token}, the daemon's first)", lag(d.lagDuringResumeMs)],
      ["… during the token resumes (connect + hello{token}, steady state)", d.lagDuringWarmConnectResumeMs ? lag(d.lagDuringWarmConnectResumeMs) : "–"],
    ],
  );
}

function clusterTable(json) {
  const d = json.results["chatd-cluster"]?.cluster;
  if (!d) return "(not run)";
  const rows = d.phases.map((ph) => [
    int(ph.nodes),
    int(ph.offeredRate),
    int(ph.deliveriesPerSec),
    pct(ph.share),
    fmt(ph.latencyMs.p50),
    fmt(ph.latencyMs.p99),
    fmt(ph.latencyMs.max),
    fmt(ph.cpuUsPerDelivery),
    pct(ph.nodesKernelShare),
    `${fmt(ph.nodesCpuPct, 0)}%`,
    fmt(ph.redisCpuUsPerDelivery, 3),
    fmt(ph.redisCpuUsPerMessage, 0),
    ph.redisCpuPct === null ? "–" : `${fmt(ph.redisCpuPct, 0)}%`,
    `${fmt(ph.generatorCpuPct, 0)}%`,
    `${fmt(ph.othersCpuPct, 0)}%`,
  ]);
  return table(
    ["nodes", "offered msg/s", "deliveries/s", "delivered", "p50 ms", "p99 ms", "max ms", "nodes CPU µs/delivery", "of it kernel", "nodes CPU", "Redis CPU µs/delivery", "Redis CPU µs/message", "Redis CPU", "generator CPU", "other tenants' CPU"],
    rows,
  );
}

function clusterSection(json) {
  const c = json.params.cluster;
  const d = json.results["chatd-cluster"]?.cluster;
  const head = c ? `1 room × ${int(c.conns)} members spread round-robin over the nodes, ${c.senders} senders spread the same way, ${c.rate} msg/s for ${c.durationMs / 1000} s` : "";
  const when = json.meta.merged?.cluster ? ` Measured on ${json.meta.merged.cluster.slice(0, 10)} by \`npm run bench -- --scenarios=cluster --merge\`.` : "";
  return `## Cluster (${c ? c.nodes.join(", ") : "1, 2, 3"} nodes)

${head}. Every node is a chatd in cluster mode on one Redis (${d?.redisUrl ?? "127.0.0.1:6379"}, a fresh key
prefix per run, removed afterwards), all on the same 2-core machine as the generator and
Redis, so more nodes means more processes sharing the same cores, not more hardware: the
table shows what the cluster machinery costs, not how it scales out. **nodes CPU** is summed
over all node processes; **Redis CPU** is the redis-server process's (from /proc, when
\`pgrep -x redis-server\` finds it), per delivery and per message sent.${when}

${clusterTable(json)}`;
}

function historySection(json) {
  const c = json.params.history;
  const d = json.results["chatd-history"]?.history;
  const when = json.meta.merged?.history ? ` Measured on ${json.meta.merged.history.slice(0, 10)} by \`npm run bench -- --scenarios=history --merge\`.` : "";
  const mib = (b) => (b == null ? "–" : fmt(b / 1024 / 1024, 1));
  const rows = d
    ? [
        ["started on an empty data dir", "–", mib(d.fresh.rssBytes), mib(d.fresh.heapBytes), `${fmt(d.emptyStartSeconds, 1)} s to listening`],
        [`after ${int(d.rooms)} rooms (join, one message, leave)`, "–", mib(d.afterRooms.rssBytes), mib(d.afterRooms.heapBytes), `${fmt(d.roomsSeconds, 1)} s`],
        [`after ${mib(d.logBytes)} MiB of messages (${int(d.messages)} × 4000 characters, ${int(d.perRoom)} a room)`, mib(d.logBytes), mib(d.afterBytes.rssBytes), mib(d.afterBytes.heapBytes), `${fmt(d.bytesSeconds, 1)} s`],
        ["restarted on that data", mib(d.logBytes), mib(d.afterRestart.rssBytes), mib(d.afterRestart.heapBytes), `${fmt(d.restartSeconds, 1)} s to listening; then a cold \`join\` (${int(d.coldJoinMessages)} messages read from the files) ${fmt(d.coldJoinMs, 0)} ms`],
      ]
    : [];
  return `## History memory (chatd only)

One client fills chatd's history as the many-rooms attack did: ${c ? `${int(c.rooms)} rooms, then ${fmt(c.bytes / 1024 ** 3, 2)} GiB of messages of 4000 characters, ${int(c.perRoom)} in each room` : ""}; then chatd is
stopped and started again on the same data. chatd runs with the default
\`limits.historyMemoryBytes\` (64 MiB: the messages held in memory across all rooms, the rest read
back from the log files) and \`limits.historyPerRoom\` (1000). RSS is the process's (from /proc),
heap is \`process_heap_bytes\` from /metrics, each read after 10 s of quiet (V8 may still hold
garbage it has not collected then). Besides the 64 MiB, history costs an index of 32 bytes per
kept message (at most \`limits.historyPerRoom\` a room) and about 300 bytes per room (measured in-process:
100,000 rooms of one message cost history about 30 MiB, plus 25 MiB while each room's message
is held; the rest of that heap is the chat's other state and garbage). Start-up reads the log once, streaming, into the index and holds no message: the
restart row is the index of the whole log. Compare its time with the empty start's, measured
in the same run on the same (shared, often loaded) machine.${when}

${d ? table(["after", "log on disk MiB", "RSS MiB", "heap MiB", "time"], rows) : "(not run)"}`;
}

function startupSection(json) {
  const d = json.results["chatd-startup"]?.startup;
  const when = json.meta.merged?.startup ? ` Measured on ${json.meta.merged.startup.slice(0, 10)} by \`npm run bench -- --scenarios=startup --merge\`.` : "";
  const row = (what, r) => [what, r ? int(r.medianMs) : "–", r ? int(r.maxMs) : "–", r?.cpuMedianMs === undefined ? "–" : int(r.cpuMedianMs)];
  const rows = d
    ? table(
        ["start", "median ms", "slowest ms", "CPU time used by then, median ms"],
        [
          row("`npm start`, empty data folder (cold), to `/healthz` answering 200", d.cold),
          row("`npm start` again on the same folder after a clean stop (restart)", d.restart),
          row("`node dist/src/main.js` alone (as the Docker image runs it), to `/healthz`", d.node),
          row("`CHAT_PORT=abc npm start` to its exit with code 2", d.configError),
        ],
      )
    : "(not run)";
  return `## Start time

From spawning the command to the first \`200\` from \`GET /healthz\` (polled every 5 ms),
${d ? `${d.cold.runs} run(s) of each` : "each"}, on the machine above${d?.loadAverage ? ` (load average ${d.loadAverage.join(", ")} at the end of these runs: the more other processes want the 2 cores, the longer a start takes)` : ""}. \`npm start\` includes npm itself and the
\`prestart\` check that dist/ was built from the current sources (a hash of them; a rebuild,
when they changed, is not part of these numbers: \`npm ci\` builds once). The CPU time is what the
process tree (npm, the check, node) had used when \`/healthz\` first answered: on a quiet
2-core machine the wall time comes close to it, on a busy one the wall time grows with the load.${when}

${rows}`;
}

function floodsSection(json) {
  const d = json.results["chatd-floods"]?.floods;
  const p = json.params.floods;
  const when = json.meta.merged?.floods ? ` Measured on ${json.meta.merged.floods.slice(0, 10)} by \`npm run bench:floods\` (\`npm run bench -- --scenarios=floods --merge\`).` : "";
  const row = (what, r, flood) => [what, fmt(r?.p50Ms, 1), fmt(r?.p99Ms, 1), fmt(r?.maxMs, 1), int(r?.pings), flood];
  const { baseline: b, typing: t, historyPage: hp, history: h, rooms: r } = d ?? {};
  const rows = d
    ? table(
        ["phase", "another user's ping p50 (ms)", "p99 (ms)", "max (ms)", "pings", "the flood"],
        [
          row("no flood", b, "–"),
          row("typing flood", t, `${int(t.typingSent)} \`typing\` frames into a ${t.members}-member room; each member got ${int(t.deliveredPerMember)} notice(s); the flooder was closed for abuse (1008) ${t.abuseCloses} times and reconnected`),
          row("one history page at a time", hp, `${hp.pages} connections, one after another, each asking \`history {limit: 1000}\` of ${int(p.historyMessages)} messages of 4,000 characters (${fmt(hp.pageBytes / 1024 ** 2, 1)} MB a page) and waiting for it (${int(hp.floodMs)} ms)`),
          row("history flood", h, `${h.readers} connections × ${int(h.requests / h.readers)} such requests at once: ${int(h.served)} served, ${int(h.refused)} refused \`rate_limited\` before reading, ${h.closedForAbuse} of the ${h.readers} closed by the server (abuse 1008 or slow consumer 4001) (${int(h.floodMs)} ms)`),
          row("rooms flood", r, `30 \`rooms\` requests (3 connections) with ${int(r.rooms)} rooms in the directory: ${int(r.roomsReplyBytes)} bytes an answer (a page), a newcomer's \`welcome\` ${int(r.welcomeBytes)} bytes, server RSS then ${fmt(r.rssMiB, 1)} MiB (${int(r.floodMs)} ms)`),
        ],
      )
    : "(not run)";
  return `## Floods: another user's ping while one floods (chatd only)

A signed-in client pings every 20 ms while another floods chatd (issue 22): with \`typing\`, with
big history pages (one at a time, then many at once) and with \`rooms\` requests, the room directory
seeded with ${p ? int(p.rooms) : "many"} rooms before the start (so every phase runs with them). RSS after 100,000 rooms
and after 1 GiB of messages: "History memory" above.
chatd runs with the bench config but its \`typing\` and history limits at their defaults: what is
measured is the defence as shipped. A history page is encoded a slice at a time (256 KiB of JSON a
turn of the event loop, for all pages together), so the pings are answered between the slices.
The pinger has a thread of its own, so the flooders' big replies arriving in the bench process do
not delay its pongs.${when}${d?.loadAverage ? ` Load average at the end of the run: ${d.loadAverage.join(", ")} (2 cores).` : ""}

${rows}`;
}

function searchSection(json) {
  const d = json.results["chatd-search"]?.search;
  const when = json.meta.merged?.search ? ` Measured on ${json.meta.merged.search.slice(0, 10)} by \`npm run bench -- --scenarios=search --merge\`.` : "";
  const kinds = ["one-word", "two-word", "prefix", "phrase"];
  const row = (name, r) => [name, int(r.buildMs), fmt(r.indexMB, 1), `${fmt(r.ratio, 2)}×`, ...kinds.map((k) => `${fmt(r.latencyMs[k].p50, 1)} / ${fmt(r.latencyMs[k].p95, 1)} / ${fmt(r.latencyMs[k].p99, 1)}`)];
  const rows = d ? table(["index", "build ms", "index MiB", "÷ text", ...kinds.map((k) => `${k} p50 / p95 / p99 ms`)], [row("chatd (src/search)", d.chatd), row("minisearch 7", d.minisearch)]) : "(not run)";
  const ratios = d ? `\n\nchatd ÷ minisearch in this run: memory ${fmt(d.chatd.indexMB / d.minisearch.indexMB, 2)}×, build time ${fmt(d.chatd.buildMs / d.minisearch.buildMs, 2)}×, p95 ${kinds.map((k) => `${k} ${fmt(d.chatd.latencyMs[k].p95 / d.minisearch.latencyMs[k].p95, 2)}×`).join(", ")}.` : "";
  return `## Search

${d ? `${int(d.messages)} messages over ${int(d.rooms)} rooms and ${int(d.conversations)} conversations (${fmt(d.textMB, 1)} MiB of text, UTF-8)` : "Generated messages over rooms and conversations"}, written as a
chat log and indexed twice in one process (\`bench/scenarios/search.mjs\`): by chatd's index (a scan of
the log as at start-up; no text in memory, each candidate read back from the file) and by
minisearch (the records kept in memory, as a minisearch index needs them). Memory: heap and
array buffers grown by the build, after GC, and that ÷ the text indexed. Latency: 200 queries
of each kind over one user's scope (5 rooms and their conversations), limit 20, while messages
are appended and indexed at ${d ? int(d.rate) : 200} msg/s and, on the same two cores, a chatd of its own
fans ${d ? int(d.rate) : 200} msg/s out${d?.fanout?.members ? ` to ${int(d.fanout.members)} WebSocket members (${int(d.fanout.deliveriesPerSecond)} deliveries/s measured)` : ""} (\`bench/scenarios/search-fanout.mjs\`, in a child process).${when}

${rows}${ratios}`;
}

export function markdown(json) {
  const { meta, params } = json;
  const f = params.fanout;
  const m = params.rooms;
  return `# Benchmarks

Generated by \`npm run bench\` (bench/run.mjs) on ${meta.date.slice(0, 10)}; raw numbers in
\`bench/results/latest.json\`. Re-run it on your machine before quoting any number.

| | |
| --- | --- |
| CPU | ${meta.cpu}, ${meta.cores} cores |
| Node.js | ${meta.node} |
| kernel | ${meta.kernel} |
| run | ${meta.mode}, ${meta.totalSeconds} s; load average at the end ${meta.loadAverage.join(", ")} |
| load generator | ${meta.generator} |
| chatd config | \`${JSON.stringify(json.chatdConfig)}\` (rest default) |

## How to read this

- Every server ran as its own child process on the same machine as the load generator
  (2 generator processes on a 2-core box, so server and generator compete for CPU). The
  machine is shared and noisy: compare the **ratios** between servers measured in the
  same run, not absolute numbers across runs. In the fan-out and many-rooms sweeps all
  servers are up and connected at once and take turns rate by rate (chatd at 25 msg/s,
  then each peer at 25 msg/s, then 50, ...), so each ratio compares phases seconds apart.
- **CPU per delivery** is the server's process-tree CPU time (utime+stime from /proc)
  during a phase and its drain, divided by the messages delivered to clients. A delivery
  is one \`message\` frame to one member. Lower is better. **of it kernel** is the system-time
  share: on loopback a write syscall also runs the receiving side of TCP, so one write per
  recipient per message (plain ws, chatd) shows up there. A server that batches (corked ws)
  gets cheaper per delivery as the rate grows, and also when it is starved of CPU, since
  more messages then share one write.
- **deliveries/s** is what arrived during the sending window; **delivered** is the share
  of offered messages × members that arrived at all. A server is saturated when the
  share drops below 100% or the latency climbs. Senders stop sending (the message counts
  as offered but shed) while ${f.maxUnacked} of their messages are unacknowledged, so an
  overloaded server's backlog stays bounded.
- **other tenants' CPU** is the machine's busy time used by neither the server nor the
  generator (other people's builds and tests), out of 200% for 2 cores. When it is high the
  server gets less CPU: throughput and latency of that phase understate the server, CPU per
  delivery much less so.
- **latency** is from the generator writing a \`say\` to a member reading the \`message\`
  (timestamp carried in the text, monotonic clock shared by the generator processes;
  1 in ${f.sampleEvery} fan-out members and 1 in ${m.sampleEvery} many-rooms members sampled).
- **ratio chatd ÷ peer**: above 1× means chatd needs more (CPU, memory, latency) or
  reaches more (throughput, connections/s); read the row's direction.
- The peers are not chat servers: no accounts, no storage, no history, no presence, no
  validation. Plain ws and corked ws are the floor chatd's fan-out could reach on Node
  with \`ws\`; corked ws (one write syscall per socket per event-loop turn) is the ceiling.
  Socket.IO is the popular reference. The durable row compares chatd's fsynced acks with
  peers that acknowledge without writing anything.
- chatd is driven through its documented protocol: bench users sign in once with a
  password (accounts created once with bcryptCost 4, tokens cached in bench/.data) and
  every later connection resumes with \`hello {token}\`. chatd also acks every \`say\`
  and sends presence on join; the peers send \`ack\` too, to do the same work per message.

## Summary

${summaryTable(json)}

## Fan-out: 1 room × ${int(f.conns)} members, ${f.sendersPerRoom} senders, ${f.durationMs / 1000} s per rate

${sweepTable(json, "fanout")}

## Many rooms: ${int(m.conns)} connections in ${int(m.conns / m.roomSize)} rooms of ${m.roomSize}, ${int(m.conns / m.roomSize)} senders, ${m.durationMs / 1000} s per rate

${sweepTable(json, "rooms")}

## Durable send: ${params.durable.conns} senders, each alone in a room, ${params.durable.window} messages in flight each, ${params.durable.durationMs / 1000} s

${durableTable(json)}

## Idle: ${int(params.idle.conns)} connections signed in and joined (rooms of ${params.idle.roomSize})

${idleTable(json)}

## Sign-in (chatd only)

Event-loop lag is measured from outside: an already signed-in client pings every 10 ms and
the round trip is recorded, before and during a storm of concurrent sign-ins (bcrypt on
\`bcryptThreads\` worker threads, the default 1). Token resumes are measured each on a new
connection (TCP connect and WebSocket upgrade included: the daemon's first connections ever,
as in a reconnect storm after a restart, while V8 runs that code unoptimised), then as
\`hello {token}\` alone on connections opened beforehand, in two rounds of the same users: the
first comes right after the daemon's first resumes ever, while V8 is still optimising that
code; the second is the steady state a daemon that has run for a while is in. Last, the same
users resume on new connections again, in that steady state.

${signinTable(json)}

${clusterSection(json)}

${historySection(json)}

${startupSection(json)}

${floodsSection(json)}

${searchSection(json)}

## Run it

\`\`\`sh
npm run bench                 # full run (several minutes), rewrites this file
npm run bench -- --quick      # smoke test under a minute: bench/results/quick.json only
npm run bench -- --servers=chatd,corked --scenarios=fanout
npm run bench -- --profile    # chatd with --cpu-prof during fan-out; prints top self time
npm run bench -- --scenarios=cluster --merge   # cluster only (needs Redis), merged into latest.json and this file
npm run bench -- --scenarios=history --merge   # history memory only, merged into latest.json and this file

npm run bench -- --scenarios=startup --merge   # start time only, merged the same way
npm run bench:floods          # floods only (--scenarios=floods --merge), merged the same way
npm run bench -- --scenarios=search --merge    # search index against minisearch, merged the same way
node bench/scenarios/search.mjs --quick        # the same alone, 20,000 messages (--messages=N)
ERGO_BIN=/path/to/ergo node bench/scenarios/irc.mjs   # IRC fan-out against Ergo: bench/results/irc.json and its section below
\`\`\`
`;
}

export function writeReport({ root, quick, params, results, servers, chatdConfig, totalSeconds, writeDocs, jsonName, merge = false }) {
  const meta = {
    date: new Date().toISOString(),
    cpu: cpuInfo(),
    cores: os.availableParallelism?.() ?? os.cpus().length,
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    mode: quick ? "quick" : "full",
    totalSeconds,
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
    generator: "2 worker processes, raw node:net sockets, own WebSocket handshake and frame parser",
  };
  let json = { meta, servers, chatdConfig, params, results };
  if (merge) json = mergeInto(join(root, "bench", "results", "latest.json"), json);
  const jsonPath = join(root, "bench", "results", merge ? "latest.json" : jsonName);
  writeFileSync(jsonPath, JSON.stringify(json, null, 2) + "\n");
  let docsPath;
  if (writeDocs) {
    docsPath = join(root, "docs", "benchmarks.md");
    const old = existsSync(docsPath) ? readFileSync(docsPath, "utf8") : "";
    const at = old.indexOf(NOTES);
    const notes = at >= 0 ? old.slice(at) : `${NOTES}\n`;
    writeFileSync(docsPath, `${markdown(json)}\n${notes}`);
  }
  return { jsonPath, docsPath, table: summaryTable(json) };
}

/** `--render`: rewrites docs/benchmarks.md from latest.json as it is (after a change to this report). */
export function renderDocs(root) {
  const json = JSON.parse(readFileSync(join(root, "bench", "results", "latest.json"), "utf8"));
  const docsPath = join(root, "docs", "benchmarks.md");
  const old = existsSync(docsPath) ? readFileSync(docsPath, "utf8") : "";
  const at = old.indexOf(NOTES);
  writeFileSync(docsPath, `${markdown(json)}\n${at >= 0 ? old.slice(at) : `${NOTES}\n`}`);
  return docsPath;
}

/**
 * `--merge`: the results of a partial run replace the same server × scenario
 * results in latest.json (and their scenarios' params); everything else, and
 * the full run's meta, stay. meta.merged records when each scenario was merged.
 */
function mergeInto(latestPath, part) {
  if (!existsSync(latestPath)) return part;
  const old = JSON.parse(readFileSync(latestPath, "utf8"));
  const merged = { ...old, servers: { ...old.servers, ...part.servers }, params: { ...old.params }, results: { ...old.results }, meta: { ...old.meta, merged: { ...old.meta.merged } } };
  for (const [server, byScenario] of Object.entries(part.results)) {
    merged.results[server] = { ...merged.results[server], ...byScenario };
    for (const sc of Object.keys(byScenario)) {
      if (part.params[sc]) merged.params[sc] = part.params[sc];
      merged.meta.merged[sc] = part.meta.date;
    }
  }
  return merged;
}
