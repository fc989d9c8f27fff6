/**
 * Connection setup on a fresh server, round by round: `rounds` groups of
 * `per` new connections (chatd: TCP + upgrade + hello{token}, no room), each
 * group closed before the next, with the server's CPU per connection. Shows
 * what the first connections of a daemon cost (a reconnect storm after a
 * restart) against the steady state, and against plain ws.
 *   node bench/tools/connect-rounds.mjs [chatd|plain|corked|socketio] [rounds=6] [per=1000] [roomSize=0]
 * Each round takes new users unless SAME=1 (the same users every round: from the
 * third round on, chatd answers them from its user-file cache). NODE_FLAGS adds
 * node flags to chatd's; PROF_DIR takes a CPU profile. Needs the bench accounts
 * (run `npm run bench` once).
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GeneratorPool } from "../gen/pool.mjs";
import { startServer } from "../servers/spawn.mjs";
import { startChatd } from "../servers/chatd.mjs";
import { Accounts } from "../chatd-accounts.mjs";
import { readdirSync, readFileSync } from "node:fs";
import { between, open, settle, snapshot } from "../scenarios/measure.mjs";

/** CPU ms per thread name of one process (from /proc/<pid>/task/<tid>/stat). */
function threads(pid) {
  const out = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = `${stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"))}#${tid === String(pid) ? "main" : tid}`;
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out[name] = (out[name] ?? 0) + ((Number(f[11]) + Number(f[12])) * 1000) / 100;
    } catch {}
  }
  return out;
}

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const [server = "chatd", rounds = "6", per = "1000", rooms = "0"] = process.argv.slice(2);
const chatd = server === "chatd";
const accounts = chatd ? new Accounts(join(ROOT, "bench/.data/chatd")) : undefined;
const handle = chatd
  ? await startChatd({ root: ROOT, dataDir: join(ROOT, "bench/.data/chatd"), name: "chatd", cpuProfDir: process.env.PROF_DIR, nodeFlags: (process.env.NODE_FLAGS ?? "").split(" ").filter(Boolean) })
  : await startServer({ name: server, args: [join(ROOT, "bench/servers", { plain: "plain-ws.mjs", corked: "corked-ws.mjs", socketio: "socketio.mjs" }[server])], cwd: ROOT });
const pool = new GeneratorPool(2);
const dialect = chatd ? "chatd" : server === "socketio" ? "socket.io" : "ws-rooms";
const ctx = { pool, server: handle, kind: { dialect }, accounts, pauseMs: 300, log: console.log };
const spec = (user, r) => (chatd ? accounts.spec(user, r) : { user, rooms: r });
try {
  for (let k = 0; k < Number(rounds); k++) {
    const specs = Array.from({ length: Number(per) }, (_, i) => {
      const n = process.env.SAME ? i : k * Number(per) + i;
      return spec(`u${n + 1}`, Number(rooms) > 0 ? [`r-${k}-${Math.floor(i / Number(rooms))}`] : []);
    });
    await settle(ctx);
    const a = snapshot(ctx);
    const ta = threads(handle.pid);
    const r = await open(ctx, `round${k}`, specs, 100);
    const use = between(a, snapshot(ctx));
    console.log(`round ${k + 1}: ${r.ready} at ${r.perSec}/s, ${Math.round((use.serverCpuMs * 1000) / r.ready)} µs server CPU each (kernel ${Math.round(use.serverKernelShare * 100)}%)${r.failed ? `, ${r.failed} failed` : ""}`);
    const tb = threads(handle.pid);
    console.log("   per thread, µs each: " + Object.keys(tb).map((t) => `${t} ${Math.round(((tb[t] - (ta[t] ?? 0)) * 1000) / r.ready)}`).filter((x) => !x.endsWith(" 0")).join(", "));
    await pool.close(`round${k}`);
  }
} finally {
  pool.stop();
  await handle.stop();
}
