import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";

/**
 * What the tests need besides npm packages, brought by the test command itself
 * (vitest's global setup) so `npm ci && npm test` is all the set-up: Deno 2
 * from npm into a cache of its own, Debian's Chromium when it is missing and
 * installable, a private redis-server when nothing answers on 6379. What
 * cannot be had is recorded in the environment the test workers inherit
 * (`CHAT_TEST_MISSING_<TOOL>`, one line saying what to install); the tests
 * that need it fail with that line (test/helpers/needs.ts).
 */

export type Tool = "deno" | "chromium" | "redis" | "docker";
/** Binaries some tests run themselves, and how to get each. */
export const BINARIES: Record<string, string> = {
  "redis-server": "sudo apt-get install redis-server",
  "redis-cli": "sudo apt-get install redis-server",
  // The real IRC clients of test/integration/irc/clients.
  tmux: "sudo apt-get install tmux",
  irssi: "sudo apt-get install irssi",
  weechat: "sudo apt-get install weechat-curses",
  "weechat-headless": "sudo apt-get install weechat-headless",
};
export const missingVar = (tool: Tool) => `CHAT_TEST_MISSING_${tool.toUpperCase()}`;

const say = (line: string) => process.stderr.write(`test setup: ${line}\n`);
const isRoot = () => process.getuid?.() === 0;
/** Records what is missing for the workers, and says it once here. */
function missing(tool: Tool, line: string): void {
  process.env[missingVar(tool)] = line;
  say(`MISSING ${line} (the tests that need it fail)`);
}

export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function isDeno2(bin: string): boolean {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8", timeout: 30_000 });
  return r.status === 0 && /^deno 2\./.test(r.stdout);
}

/**
 * Outside node_modules on purpose: a deno in node_modules/.bin breaks
 * `deno task` (it runs that file as a script).
 */
export const DENO_CACHE = join(homedir(), ".cache", "chatd-deno");

/** DENO_BIN, a deno 2 on PATH, or the cache (filled from npm on first use). */
export function provideDeno(): void {
  if (process.env.DENO_BIN) return;
  const cached = join(DENO_CACHE, "node_modules", ".bin", "deno");
  const found = [onPath("deno"), existsSync(cached) ? cached : undefined].find((bin) => bin && isDeno2(bin));
  if (!found) {
    say(`installing Deno 2 from npm into ${DENO_CACHE} ...`);
    const r = spawnSync("npm", ["install", "--prefix", DENO_CACHE, "--no-audit", "--no-fund", "--no-save", "deno@2"], { encoding: "utf8", timeout: 300_000 });
    if (r.status !== 0 || !existsSync(cached) || !isDeno2(cached)) {
      const why = (r.stderr || r.error?.message || "").trim().split("\n").at(-1);
      missing("deno", `Deno 2 is missing and \`npm install --prefix ${DENO_CACHE} deno@2\` failed (${why}): install Deno 2 (https://deno.com) or set DENO_BIN`);
      return;
    }
  }
  const bin = found ?? cached;
  process.env.DENO_BIN = bin;
  process.env.PATH = `${join(bin, "..")}${delimiter}${process.env.PATH ?? ""}`;
}

/** CHROMIUM_PATH or /usr/bin/chromium; Debian's package installed when missing and we are root. */
export function provideChromium(): void {
  const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (existsSync(path)) return;
  if (!process.env.CHROMIUM_PATH && isRoot() && onPath("apt-get")) {
    say("installing Debian's chromium (apt-get install chromium) ...");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    spawnSync("apt-get", ["update", "-qq"], { stdio: "ignore", env, timeout: 300_000 });
    spawnSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "ignore", env, timeout: 600_000 });
    if (existsSync(path)) return;
  }
  missing("chromium", `Chromium not found at ${path}: install Debian's chromium (sudo apt-get install chromium) or set CHROMIUM_PATH`);
}

/** Debian packages of the terminal programs the IRC client tests drive, by the binary each brings. */
const TERMINAL_PACKAGES: Record<string, string> = { tmux: "tmux", irssi: "irssi", weechat: "weechat-curses", "weechat-headless": "weechat-headless" };

/**
 * tmux, irssi and WeeChat for the IRC client tests: Debian's packages
 * installed when missing and we are root, as for Chromium; otherwise those
 * tests fail with the line saying what to install (needs.ts).
 */
export function provideTerminalClients(): void {
  const lacking = Object.keys(TERMINAL_PACKAGES).filter((bin) => !onPath(bin));
  if (lacking.length === 0 || !isRoot() || !onPath("apt-get")) return;
  const packages = lacking.map((bin) => TERMINAL_PACKAGES[bin]!);
  say(`installing ${packages.join(", ")} for the IRC client tests (apt-get install) ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update", "-qq"], { stdio: "ignore", env, timeout: 300_000 });
  spawnSync("apt-get", ["install", "-y", "-qq", ...packages], { stdio: "ignore", env, timeout: 600_000 });
}

/** Whether a Redis answers PING on host:port. */
export function redisAnswers(port: number, host = "127.0.0.1", timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (d) => done(d.toString().startsWith("+PONG")));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once("error", reject);
  });
}

/**
 * CHAT_TEST_REDIS_URL when set; else the Redis on 127.0.0.1:6379
 * (CHAT_TEST_REDIS_PORT names another port to look at); else a private
 * redis-server on a free port, stopped by the returned function.
 */
export async function provideRedis(): Promise<() => void> {
  const nothing = () => {};
  if (process.env.CHAT_TEST_REDIS_URL) return nothing;
  const port = Number(process.env.CHAT_TEST_REDIS_PORT || 6379);
  if (await redisAnswers(port)) {
    process.env.CHAT_TEST_REDIS_URL = `redis://127.0.0.1:${port}`;
    return nothing;
  }
  if (!onPath("redis-server")) {
    missing("redis", `nothing answers on 127.0.0.1:${port} and redis-server is not installed: install it (sudo apt-get install redis-server) or set CHAT_TEST_REDIS_URL`);
    return nothing;
  }
  const privatePort = await freePort();
  const child: ChildProcess = spawn("redis-server", ["--port", String(privatePort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  let up = false;
  for (let i = 0; i < 100 && !up; i++) {
    up = await redisAnswers(privatePort);
    if (!up) await new Promise((r) => setTimeout(r, 100));
  }
  if (!up) {
    child.kill("SIGKILL");
    missing("redis", `nothing answers on 127.0.0.1:${port} and a private redis-server did not start: try \`redis-server --port ${privatePort}\``);
    return nothing;
  }
  say(`nothing answers on 127.0.0.1:${port}: a private redis-server on 127.0.0.1:${privatePort} for this run`);
  process.env.CHAT_TEST_REDIS_URL = `redis://127.0.0.1:${privatePort}`;
  return () => {
    child.kill("SIGTERM");
  };
}

/** dist/ as `npm start` runs it: built by `npm ci` (prepare); rebuilt here only if the sources changed since. */
export function provideBuild(root: string): void {
  execFileSync(process.execPath, [join(root, "scripts", "build.mjs"), "--if-stale"], { stdio: "inherit" });
}
