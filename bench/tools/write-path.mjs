/**
 * What one socket write per recipient costs in user CPU (issue 21's IRC
 * delivery at low rates): N loopback TCP connections (read by a child
 * process), the same line written to each of them RATE times a second,
 * through `socket.write` and through chatd's direct write
 * (src/runtime/node/direct-write.ts, built into dist/), taking turns round by
 * round in one process so both see the same machine. Prints user and kernel
 * µs per write for each path.
 *
 *   node bench/tools/write-path.mjs [N=1000] [--rate=50] [--seconds=4] [--rounds=3]
 *
 * Needs `npm run build`.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const REPO = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
const args = process.argv.slice(2);
const option = (name, fallback) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 1000);
const rate = option("rate", 50);
const seconds = option("seconds", 4);
const rounds = option("rounds", 3);
const { writeDirect, directWrites } = await import(pathToFileURL(resolve(REPO, "dist/src/runtime/node/direct-write.js")).href);
if (!directWrites) throw new Error("this Node offers no direct writes");

// The reader: connects n times and drops what arrives.
const SINK = `
const net = require("node:net");
const [port, n] = process.argv.slice(1).map(Number);
let open = 0;
for (let i = 0; i < n; i++) {
  const s = net.connect(port, "127.0.0.1", () => { if (++open === n) console.log("ready"); });
  s.on("data", () => {});
}`;

const sockets = [];
const server = createServer((s) => {
  s.setNoDelay(true);
  sockets.push(s);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const sink = spawn(process.execPath, ["-e", SINK, String(server.address().port), String(n)], { stdio: ["ignore", "pipe", "inherit"] });
await new Promise((r) => sink.stdout.once("data", r));
while (sockets.length < n) await new Promise((r) => setTimeout(r, 10));

const line = Buffer.from(`:someone!someone@chatd PRIVMSG #bench :${"x".repeat(60)}\r\n`);
const paths = {
  "socket.write": (bytes) => {
    for (const s of sockets) s.write(bytes);
  },
  writeDirect: (bytes) => {
    for (const s of sockets) if (writeDirect(s, bytes) === "refused") s.write(bytes);
  },
  // As the IRC stream writes while nothing it wrote waits: the socket is not asked (src/runtime/node/stream.ts).
  "writeDirect (idle)": (bytes) => {
    for (const s of sockets) if (writeDirect(s, bytes, true) === "refused") s.write(bytes);
  },
};
if (process.env.OLD_DIRECT) {
  const old = (await import(pathToFileURL(process.env.OLD_DIRECT).href)).writeDirect;
  paths["old writeDirect"] = (bytes) => {
    for (const s of sockets) if (old(s, bytes) === "refused") s.write(bytes);
  };
}
const results = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, write] of Object.entries(paths)) {
    let writes = 0;
    const before = process.cpuUsage();
    // A new Buffer per message, as a fan-out has.
    const timer = setInterval(() => {
      write(Buffer.from(line));
      writes += n;
    }, 1000 / rate);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    clearInterval(timer);
    const used = process.cpuUsage(before);
    results[name].push({ user: used.user / writes, system: used.system / writes });
  }
}
const fmt = (xs, key) => xs.map((x) => x[key].toFixed(2)).join(", ");
console.log(`${n} sockets, ${rate} writes/s each, ${seconds} s per round, ${rounds} rounds taking turns; µs per write:`);
for (const [name, xs] of Object.entries(results)) console.log(`  ${name.padEnd(13)} user ${fmt(xs, "user")}   kernel ${fmt(xs, "system")}`);
sink.kill();
server.close();
for (const s of sockets) s.destroy();
