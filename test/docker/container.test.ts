import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, type TestClient } from "../helpers/client.ts";
import { eventually, say } from "../helpers/harness.ts";
import { need } from "../helpers/needs.ts";
import { ROOT } from "../helpers/process.ts";

/**
 * `npm run test:docker`: the project's Dockerfile built and run by a real
 * Docker engine (vitest.docker.config.ts; its global setup brings the engine
 * and the base image). The README's `docker run`, a volume and an admin token.
 */

const TAG = "chatd:test";
const id = randomBytes(4).toString("hex");
const VOLUME = `chatd-test-${id}`;
const TOKEN = `token-${id}`;
const PASSWORD = "correct-horse";
const containers: string[] = [];

function docker(...args: string[]): { code: number; out: string } {
  const r = spawnSync("docker", args, { encoding: "utf8", timeout: 1_200_000 });
  return { code: r.status ?? 1, out: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
}
function ok(...args: string[]): string {
  const r = docker(...args);
  if (r.code !== 0) throw new Error(`docker ${args.join(" ")}: ${r.out}`);
  return r.out;
}

/** Starts a container of the image on the volume; its port 8080 published on a free loopback port. */
function runContainer(name: string): string {
  // The image's own HEALTHCHECK command, checked every second instead of every 30 s.
  const cid = ok("run", "-d", "--name", name, "-p", "127.0.0.1::8080", "-v", `${VOLUME}:/data`, "-e", `CHAT_ADMIN_TOKEN=${TOKEN}`, "--health-interval=1s", "--health-start-period=30s", TAG);
  containers.push(name);
  return cid;
}
const hostPort = (name: string) => Number(ok("port", name, "8080").split("\n")[0]!.split(":").at(-1));
const state = (name: string, field: string) => ok("inspect", "-f", `{{${field}}}`, name);

/** Waits for /healthz; a container that exits meanwhile fails at once, with its output. */
async function healthy(name: string): Promise<number> {
  const port = hostPort(name);
  for (const deadline = Date.now() + 50_000; ; ) {
    if ((await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status === 200) return port;
    if (state(name, ".State.Running") !== "true") throw new Error(`${name} exited (${state(name, ".State.ExitCode")}): ${docker("logs", name).out}`);
    if (Date.now() > deadline) throw new Error(`${name} did not answer /healthz within 50 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const clients: TestClient[] = [];
async function member(port: number, user: string): Promise<{ client: TestClient; history: Array<{ text: string }> }> {
  const { client } = await signIn(`ws://127.0.0.1:${port}/ws`, user, PASSWORD);
  clients.push(client);
  const joined = await client.request({ type: "join", room: "general" }, "joined");
  return { client, history: joined.history as Array<{ text: string }> };
}
async function closeClients(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.close()));
}

beforeAll(() => {
  need("docker");
  // --network host: npm ci inside the build reaches the registry as the host does.
  ok("build", "--network", "host", "-t", TAG, ROOT);
  ok("volume", "create", VOLUME);
});

afterAll(async () => {
  await closeClients();
  for (const name of containers) docker("rm", "-f", name);
  docker("volume", "rm", "-f", VOLUME);
});

describe("the Docker image, run by a Docker engine", () => {
  it("is small: compiled code and production dependencies only (no sources, source maps or dev dependencies)", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
    const listing = ok("run", "--rm", "--entrypoint", "sh", TAG, "-c", "ls /app; ls /app/node_modules; find /app/dist -name '*.map' -o -name '*.ts' -o -name '*.tsbuildinfo'");
    const entries = listing.split("\n");
    expect(entries).toContain("dist");
    expect(entries).not.toContain("src");
    for (const dev of Object.keys(pkg.devDependencies)) expect(entries, dev).not.toContain(dev);
    expect(entries.filter((e) => /\.(map|ts|tsbuildinfo)$/.test(e))).toEqual([]);
    const bytes = Number(ok("image", "inspect", "-f", "{{.Size}}", TAG));
    const base = Number(ok("image", "inspect", "-f", "{{.Size}}", "node:20-bookworm-slim"));
    process.stderr.write(`image ${TAG}: ${(bytes / 1e6).toFixed(1)} MB, of which chatd ${((bytes - base) / 1e6).toFixed(1)} MB over the base image\n`);
    expect(bytes - base, "chatd's layers over the base image").toBeLessThan(30e6);
  });

  it("serves, chats, passes its HEALTHCHECK, answers /admin/uptime, and stops on docker stop with exit 0 in under 2 s", async () => {
    runContainer(`chatd-test-a-${id}`);
    const name = `chatd-test-a-${id}`;
    const port = await healthy(name);
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toMatchObject({ status: "ok" });

    const alice = await member(port, "alice");
    const bob = await member(port, "bob");
    await say(alice.client, "general", ["hello from the container"]);
    expect(await bob.client.next("message")).toMatchObject({ from: "alice", text: "hello from the container" });

    await eventually(() => state(name, ".State.Health.Status") === "healthy", { timeoutMs: 60_000, what: "the HEALTHCHECK status healthy" });

    const uptime = await fetch(`http://127.0.0.1:${port}/admin/uptime`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(uptime.status).toBe(200);
    expect(await uptime.json()).toMatchObject({ uptimeSeconds: expect.any(Number) });
    expect((await fetch(`http://127.0.0.1:${port}/admin/uptime`)).status).toBe(401);
    await closeClients();

    const started = performance.now();
    ok("stop", name);
    const took = performance.now() - started;
    expect(state(name, ".State.ExitCode"), "exit code after docker stop").toBe("0");
    expect(took, "docker stop took (ms)").toBeLessThan(2000);
  });

  it("keeps history and accounts on the volume for a new container", async () => {
    const name = `chatd-test-b-${id}`;
    runContainer(name);
    const port = await healthy(name);
    const { history } = await member(port, "alice");
    expect(history.map((m) => m.text)).toContain("hello from the container");
    // bob's account is kept: a wrong password is refused, not a new account.
    const wrong = await signIn(`ws://127.0.0.1:${port}/ws`, "bob", "not-his-password").then(
      () => "signed in",
      (error: Error) => error.message,
    );
    expect(wrong).toMatch(/sign-in failed/);
    await closeClients();
  });

  it("starts again after docker kill (the lock left behind names PID 1, which is the new process)", async () => {
    const name = `chatd-test-b-${id}`;
    ok("kill", name);
    expect(state(name, ".State.Running")).toBe("false");
    ok("start", name);
    const port = await healthy(name);
    const { history } = await member(port, "alice");
    expect(history.map((m) => m.text)).toContain("hello from the container");
    expect(ok("logs", name)).not.toContain("in use by another chatd");
    await closeClients();
    ok("stop", name);
    expect(state(name, ".State.ExitCode")).toBe("0");
  });

  it("starts a new container after docker kill and docker rm (the lock names another host: taken over once its heartbeat is stale), and refuses a second live one", async () => {
    const old = `chatd-test-c-${id}`;
    runContainer(old);
    await healthy(old);
    ok("kill", old);
    ok("rm", old);
    const name = `chatd-test-d-${id}`;
    runContainer(name);
    const port = await healthy(name);
    const { history } = await member(port, "alice");
    expect(history.map((m) => m.text)).toContain("hello from the container");
    expect(ok("logs", name)).toContain("waiting to see whether its lock is still kept fresh");
    await closeClients();
    // A second container on the volume while that one runs: its lock is kept fresh, so this one is refused.
    const second = `chatd-test-e-${id}`;
    runContainer(second);
    await eventually(() => state(second, ".State.Running") === "false", { timeoutMs: 40_000, what: "the second container to exit" });
    expect(state(second, ".State.ExitCode")).toBe("1");
    expect(docker("logs", second).out).toContain("which keeps its lock fresh");
    ok("stop", name);
    expect(state(name, ".State.ExitCode")).toBe("0");
  }, 120_000);
});
