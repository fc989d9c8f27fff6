/**
 * Starts Ergo (https://ergo.chat, the reference IRC server; issue 21's peer)
 * from ERGO_BIN, never built or shipped by this repository (docs/irc.md says
 * how to build v2.11.1). Its config is Ergo's own default.yaml (next to the
 * binary, or ERGO_DEFAULT_CONFIG) with only what a bench needs changed: one
 * plaintext listener on 127.0.0.1, files in a scratch directory, and the
 * limits a 1,000-client run from one address hits raised (fakelag off, no
 * per-IP connection limits, a sendQ as large as chatd's `maxBufferedBytes`).
 * `history` turns Ergo's in-memory history on or off.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { stopChild } from "./spawn.mjs";

/** The Ergo binary, or undefined with the reason. */
export function findErgo() {
  const bin = process.env.ERGO_BIN;
  if (!bin) return { missing: "ERGO_BIN is not set (build Ergo v2.11.1 as docs/irc.md says, then ERGO_BIN=/path/to/ergo)" };
  if (!existsSync(bin)) return { missing: `ERGO_BIN=${bin} does not exist` };
  const defaults = process.env.ERGO_DEFAULT_CONFIG ?? join(dirname(resolve(bin)), "default.yaml");
  if (!existsSync(defaults)) return { missing: `Ergo's default.yaml not found at ${defaults} (set ERGO_DEFAULT_CONFIG)` };
  let version = "?";
  try {
    version = execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
  } catch {}
  return { bin: resolve(bin), defaults, version };
}

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
    server.once("error", reject);
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port, { timeoutMs = 30_000, alive = () => true } = {}) {
  const t0 = Date.now();
  for (;;) {
    const ok = await new Promise((r) => {
      const s = createConnection({ host: "127.0.0.1", port });
      s.once("connect", () => (s.destroy(), r(true)));
      s.once("error", () => r(false));
    });
    if (ok) return;
    if (!alive()) throw new Error(`nothing listens on ${port}: the process exited`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Ergo's default.yaml as an object (PyYAML, Debian's python3-yaml: Node has no YAML parser here). */
function loadDefaults(path) {
  const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  const out = execFileSync(python, ["-c", "import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", path], { encoding: "utf8" });
  return JSON.parse(out);
}

export function ergoConfig({ defaults, dir, port, history, sendq = "4M" }) {
  const c = loadDefaults(defaults);
  const ergoDir = dirname(defaults);
  c.server.listeners = { [`127.0.0.1:${port}`]: null };
  c.server.motd = join(ergoDir, "ergo.motd");
  c.server["max-sendq"] = sendq;
  c.server["ip-limits"] = { ...c.server["ip-limits"], count: false, throttle: false };
  c.server.sts = { ...c.server.sts, enabled: false };
  c.languages = { ...c.languages, path: join(ergoDir, "languages") };
  c.datastore.path = join(dir, "ircd.db");
  c["lock-file"] = join(dir, "ircd.lock");
  c.fakelag = { ...c.fakelag, enabled: false };
  c.history = { ...c.history, enabled: history };
  c.logging = [{ method: "stderr", type: "* -userinput -useroutput", level: "warn" }];
  return c;
}

/** Starts Ergo on a free port; the handle is shaped like spawn.mjs's (pid, port, stop). */
export async function startErgo({ ergo, dataDir, name = "ergo", history = true }) {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const configPath = join(dataDir, "ircd.json"); // JSON is YAML: Ergo reads it as is
  writeFileSync(configPath, JSON.stringify(ergoConfig({ defaults: ergo.defaults, dir: dataDir, port, history }), null, 2));
  execFileSync(ergo.bin, ["initdb", "--conf", configPath, "--quiet"], { cwd: dataDir, stdio: "ignore" });
  const child = spawn(ergo.bin, ["run", "--conf", configPath, "--quiet"], { cwd: dataDir, stdio: ["ignore", "ignore", "pipe"] });
  const tail = [];
  createInterface({ input: child.stderr }).on("line", (line) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
  });
  const exited = new Promise((r) => child.once("exit", (code, signal) => r({ code, signal })));
  try {
    await waitForPort(port, { alive: () => child.exitCode === null && child.signalCode === null });
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${name}: ${error.message}\n${tail.join("\n")}`);
  }
  return { name, pid: child.pid, port, stop: () => stopChild(child, exited), exited, tail };
}
