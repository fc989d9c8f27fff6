import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestClient, type Frame } from "./client.ts";
import { startCluster, type TestCluster } from "./cluster.ts";
import { startDaemon, type TestDaemon } from "./daemon.ts";
import { MAIN, ROOT, spawnDaemon, type DaemonProcess } from "./process.ts";

export const PASSWORD = "correct-horse";

/**
 * Everything a test starts (daemons, clients, processes, temp dirs), so one
 * `afterEach(() => world.cleanup())` closes it all even when the test failed.
 */
export class World {
  #daemons: TestDaemon[] = [];
  #clients: TestClient[] = [];
  #processes: DaemonProcess[] = [];
  #dirs: string[] = [];
  #cleanups: Array<() => unknown> = [];

  async daemon(...args: Parameters<typeof startDaemon>): Promise<TestDaemon> {
    const d = await startDaemon(...args);
    this.#daemons.push(d);
    return d;
  }

  async connect(d: { wsUrl: string } | string): Promise<TestClient> {
    const client = await TestClient.connect(typeof d === "string" ? d : d.wsUrl);
    this.#clients.push(client);
    return client;
  }

  /** Connects and signs in with a password; fails the test if sign-in fails. */
  async signIn(d: { wsUrl: string } | string, user: string, password = PASSWORD): Promise<{ client: TestClient; welcome: Frame }> {
    const client = await this.connect(d);
    const welcome = await client.request({ type: "hello", user, password }, "welcome", "error");
    if (welcome.type !== "welcome") throw new Error(`sign-in of ${user} failed: ${JSON.stringify(welcome)}`);
    return { client, welcome };
  }

  /** Connects and signs in with a resume token. */
  async resume(d: { wsUrl: string } | string, token: unknown): Promise<{ client: TestClient; welcome: Frame }> {
    const client = await this.connect(d);
    const welcome = await client.request({ type: "hello", token }, "welcome", "error");
    if (welcome.type !== "welcome") throw new Error(`resume failed: ${JSON.stringify(welcome)}`);
    return { client, welcome };
  }

  /** Signs in and joins `room`; returns the client with its `joined` frame. */
  async member(d: { wsUrl: string }, user: string, room = "general"): Promise<{ client: TestClient; welcome: Frame; joined: Frame }> {
    const { client, welcome } = await this.signIn(d, user);
    const joined = await client.request({ type: "join", room }, "joined");
    return { client, welcome, joined };
  }

  async spawn(...args: Parameters<typeof spawnDaemon>): Promise<DaemonProcess> {
    const p = await spawnDaemon(...args);
    this.#processes.push(p);
    return p;
  }

  async tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "chatd-it-"));
    this.#dirs.push(dir);
    return dir;
  }

  /** Daemons on one Redis (helpers/cluster.ts), closed at cleanup once the clients are gone. */
  async cluster(...args: Parameters<typeof startCluster>): Promise<TestCluster> {
    const cluster = await startCluster(...args);
    this.onCleanup(() => cluster.close());
    return cluster;
  }

  onCleanup(fn: () => unknown): void {
    this.#cleanups.push(fn);
  }

  async cleanup(): Promise<void> {
    for (const c of this.#clients.splice(0)) c.ws.terminate();
    for (const fn of this.#cleanups.splice(0)) await fn();
    for (const p of this.#processes.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
      await p.exited;
    }
    await Promise.all(
      this.#daemons.splice(0).map(async (d) => {
        // A stop is only accepted once a start or restart in progress is done.
        if (d.daemon.state === "starting" || d.daemon.state === "restarting") await d.daemon.settled();
        await d.close();
      }),
    );
    await Promise.all(this.#dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

let pingSeq = 0;

/**
 * Round-trips a ping and returns every frame that arrived before the pong
 * (consuming them). Frames already written to this client's socket when the
 * ping is answered come before the pong, so this is a barrier: what it does
 * not return was not sent.
 */
export async function settle(client: TestClient): Promise<Frame[]> {
  const ref = `settle-${++pingSeq}`;
  client.send({ type: "ping", ref });
  const seen: Frame[] = [];
  for (;;) {
    const f = await client.next();
    if (f.type === "pong" && f.ref === ref) return seen;
    seen.push(f);
  }
}

/** Reads the next `n` frames of `type`. */
export async function take(client: TestClient, type: string, n: number, timeoutMs = 5000): Promise<Frame[]> {
  const out: Frame[] = [];
  for (let i = 0; i < n; i++) out.push(await client.next(type, timeoutMs));
  return out;
}

/** Polls until `check` returns a truthy value (or stops throwing). */
export async function eventually<T>(check: () => T | Promise<T>, { timeoutMs = 5000, what = "condition" } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Rejects if `promise` does not settle within `ms`. */
export function within<T>(ms: number, promise: Promise<T>, what = "promise"): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
    }),
  ]);
}

/**
 * Sends `say` frames and waits for their acks; returns the acked ids in order.
 * Looks the acks up without consuming frames, so `next` still sees them.
 */
export async function say(client: TestClient, room: string, texts: string[]): Promise<string[]> {
  const refs = texts.map(() => `say-${++saySeq}`);
  texts.forEach((text, i) => client.send({ type: "say", room, text, ref: refs[i] }));
  const ids: string[] = [];
  for (const [i, ref] of refs.entries()) {
    const answer = await nextAnswer(client, ref);
    if (answer.type !== "ack") throw new Error(`say ${JSON.stringify(texts[i]!.slice(0, 40))} failed: ${JSON.stringify(answer)}`);
    ids.push(answer.id as string);
  }
  return ids;
}
let saySeq = 0;

/** Sends the frame with a fresh `ref` and resolves its `ack` or `error` (other frames stay readable). */
export async function ask(client: TestClient, frame: Frame): Promise<Frame> {
  const ref = `ask-${++saySeq}`;
  client.send({ ...frame, ref });
  return nextAnswer(client, ref);
}

/** The next `ack` or `error` with this ref (other frames stay readable by type). */
async function nextAnswer(client: TestClient, ref: string): Promise<Frame> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const hit = client.frames.find((f) => (f.type === "ack" || f.type === "error") && f.ref === ref);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no answer for ${ref}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

// ---------------------------------------------------------------------------
// Raw sockets, for what a well-behaved client library will not send.

/**
 * A WebSocket opened by hand over TCP, so a test can send frames `ws` would
 * refuse to (invalid UTF-8). Resolves the close code the server sends.
 */
export async function rawWebSocket(port: number): Promise<{ sendFrame(opcode: number, payload: Buffer): void; closeCode: Promise<number>; socket: Socket }> {
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const key = randomBytes(16).toString("base64");
  socket.write(
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  let buffer = Buffer.alloc(0);
  let upgraded = false;
  let onUpgrade: () => void = () => {};
  const upgradedP = new Promise<void>((resolve) => (onUpgrade = resolve));
  const closeCode = new Promise<number>((resolve, reject) => {
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString();
        if (!head.startsWith("HTTP/1.1 101")) return reject(new Error(`handshake refused: ${head}`));
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        onUpgrade();
      }
      // Server frames are unmasked; read them until a close frame.
      while (buffer.length >= 2) {
        const opcode = buffer[0]! & 0x0f;
        let len = buffer[1]! & 0x7f;
        let offset = 2;
        if (len === 126) {
          if (buffer.length < 4) return;
          len = buffer.readUInt16BE(2);
          offset = 4;
        } else if (len === 127) {
          if (buffer.length < 10) return;
          len = Number(buffer.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffer.length < offset + len) return;
        const payload = buffer.subarray(offset, offset + len);
        buffer = buffer.subarray(offset + len);
        if (opcode === 0x8) {
          resolve(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
          socket.end();
          return;
        }
      }
    });
    socket.on("close", () => resolve(1006));
    socket.on("error", () => {});
  });
  await upgradedP;
  return {
    socket,
    closeCode,
    sendFrame(opcode, payload) {
      if (payload.length > 125) throw new Error("rawWebSocket: short frames only");
      const mask = randomBytes(4);
      const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
      socket.write(Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]));
    },
  };
}

/**
 * Sends several complete HTTP requests on separate connections at the same
 * moment (all connected first, then all written in one go), so the server
 * has them all in hand before it handles the first. Resolves each response.
 */
export async function simultaneousRequests(
  port: number,
  requests: Array<{ method: string; path: string; token?: string }>,
): Promise<Array<{ status: number; body: Record<string, unknown> } | { error: string }>> {
  const sockets = await Promise.all(
    requests.map(
      () =>
        new Promise<Socket>((resolve, reject) => {
          const s = connect(port, "127.0.0.1");
          s.once("connect", () => resolve(s)).once("error", reject);
        }),
    ),
  );
  const answers = sockets.map(
    (s) =>
      new Promise<{ status: number; body: Record<string, unknown> } | { error: string }>((resolve) => {
        let data = "";
        s.on("data", (chunk) => (data += chunk.toString()));
        s.on("error", () => {});
        s.on("close", () => {
          const status = /^HTTP\/1\.1 (\d{3})/.exec(data);
          if (!status) return resolve({ error: `no response (${JSON.stringify(data)})` });
          const body = data.slice(data.indexOf("\r\n\r\n") + 4);
          resolve({ status: Number(status[1]), body: JSON.parse(body.slice(body.indexOf("{"), body.lastIndexOf("}") + 1)) });
        });
      }),
  );
  requests.forEach((r, i) => {
    const auth = r.token === undefined ? "" : `Authorization: Bearer ${r.token}\r\n`;
    sockets[i]!.write(`${r.method} ${r.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Length: 0\r\nConnection: close\r\n\r\n`);
  });
  return Promise.all(answers);
}

// ---------------------------------------------------------------------------
// Processes.

/** A config file for process tests: cheap bcrypt and whatever `extra` sets. */
export async function writeConfig(dir: string, config: Record<string, unknown>, name = "server.json"): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(config));
  return path;
}

/**
 * Runs the built daemon until it exits, keeping stdout and stderr apart. For
 * daemons that are expected to refuse to start.
 */
export function runToExit(env: Record<string, string>, timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { ...process.env, CHAT_CONSOLE: "off", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
