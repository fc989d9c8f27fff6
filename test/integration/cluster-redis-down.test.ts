import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, TestClient } from "../helpers/client.ts";
import { spawnDaemon } from "../helpers/process.ts";
import { startCluster, type TestCluster } from "../helpers/cluster.ts";
import { needBinary } from "../helpers/needs.ts";

/** A Redis of this test's own, so it can be stopped without disturbing other tests. */
const PORT = 6390 + (process.pid % 50);
const URL = `redis://127.0.0.1:${PORT}`;

function redisUp(): void {
  needBinary("redis-server");
  needBinary("redis-cli");
  execFileSync("redis-server", ["--port", String(PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "yes"]);
  for (let i = 0; i < 50; i++) {
    try {
      execFileSync("redis-cli", ["-p", String(PORT), "ping"], { stdio: "pipe" });
      return;
    } catch {
      execFileSync("sleep", ["0.1"]);
    }
  }
}

function redisDown(): void {
  execFileSync("redis-cli", ["-p", String(PORT), "shutdown", "nosave"], { stdio: "pipe" });
}

let cluster: TestCluster;
beforeAll(async () => {
  redisUp();
  cluster = await startCluster(1, { CHAT_REDIS_URL: URL });
});
afterAll(async () => {
  await cluster?.close();
  try {
    redisDown();
  } catch {
    // already stopped
  }
});

async function ready() {
  return (await cluster.nodes[0]!.http("/readyz")).status;
}

async function health() {
  const res = await cluster.nodes[0]!.http("/healthz");
  return { status: res.status, body: await res.json() };
}

describe("a node whose Redis goes away", () => {
  it("answers senders `unavailable` without an ack, reports degraded health, and recovers when Redis returns", async () => {
    const node = cluster.nodes[0]!;
    expect(await health()).toEqual({ status: 200, body: { status: "ok", state: "running", redis: "up", node: "node-1" } });
    // Ready although a cluster node keeps no chat log in its dataDir.
    expect(await ready()).toBe(200);
    const { client } = await signIn(node.wsUrl, "ursula");
    await client.request({ type: "join", room: "general" }, "joined");

    redisDown();
    await expect.poll(async () => (await health()).status).toBe(503);
    expect((await health()).body).toMatchObject({ status: "degraded", redis: "down" });
    expect(await ready()).toBe(503);
    const answer = await client.request({ type: "say", room: "general", text: "into the void", ref: 7 }, "ack", "error");
    expect(answer).toMatchObject({ type: "error", code: "unavailable", ref: 7 });
    expect(client.frames.filter((f) => f.type === "message" || f.type === "ack")).toEqual([]);
    const newcomer = await TestClient.connect(node.wsUrl);
    expect(await newcomer.request({ type: "hello", user: "nadia", password: "correct-horse" }, "welcome", "error")).toMatchObject({ code: "unavailable" });
    await newcomer.close();

    redisUp();
    await expect.poll(async () => (await health()).status, { timeout: 10_000 }).toBe(200);
    expect(await ready()).toBe(200);
    // Events may have been missed meanwhile, so the node had its clients reconnect and resync.
    expect((await client.closed).code).toBe(1012);
    const again = await signIn(node.wsUrl, "ursula");
    await again.client.request({ type: "join", room: "general" }, "joined");
    expect(await again.client.request({ type: "say", room: "general", text: "back", ref: 8 }, "ack", "error")).toMatchObject({ type: "ack", ref: 8 });
    await again.client.close();
  }, 30_000);
});

describe("a node started while its Redis is down", () => {
  it("exits with code 1 and says it cannot reach Redis, without printing the password", async () => {
    const p = await spawnDaemon({ CHAT_PORT: "0", CHAT_REDIS_URL: "redis://user:s3cret@127.0.0.1:1", CHAT_DATA_DIR: "/tmp/chatd-never" }, { waitListening: false });
    expect((await p.exited).code).toBe(1);
    expect(p.output()).toMatch(/cannot connect to Redis at redis:\/\/127\.0\.0\.1:1/);
    expect(p.output()).not.toContain("s3cret");
  });
});
