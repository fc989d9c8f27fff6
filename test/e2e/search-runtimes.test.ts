import { afterEach, describe, expect, it } from "vitest";
import { signIn } from "../helpers/client.ts";
import { startCluster } from "../helpers/cluster.ts";
import { eventually, World, writeConfig } from "../helpers/harness.ts";
import { daemonCommand, type RuntimeName } from "../helpers/runtimes.ts";
import type { Frame } from "../helpers/client.ts";

/**
 * Search against the daemon as a process on each runtime: the index is built
 * from the log files at start (a scan through the log's own open files) and
 * candidates are read back from them, which must work on Node and on Deno.
 */
describe.each<RuntimeName>(["node", "deno"])("search on %s", (runtime) => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("finds what was said before a restart, read back from the log, and what is said after", async () => {
    const dir = await world.tempDir();
    const configPath = await writeConfig(dir, { bcryptCost: 4, limits: { searchesPerSecond: 50, searchBurst: 50 } });
    const env = { CHAT_CONFIG: configPath, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_DATA_DIR: dir };
    const first = await world.spawn(env, { command: daemonCommand(runtime) });
    await (await world.signIn(`ws://127.0.0.1:${first.port}/ws`, "bob")).client.close();
    const a = (await world.signIn(`ws://127.0.0.1:${first.port}/ws`, "alice")).client;
    await a.request({ type: "join", room: "ops" }, "joined");
    await a.request({ type: "say", room: "ops", text: "Le Café déploie la version 2", ref: 1 }, "ack");
    await a.request({ type: "dm", to: "bob", text: "note: café receipts", ref: 2 }, "ack");
    await a.close();
    first.child.kill("SIGTERM");
    await first.exited;

    const second = await world.spawn(env, { command: daemonCommand(runtime) });
    const b = (await world.signIn(`ws://127.0.0.1:${second.port}/ws`, "alice")).client;
    await b.request({ type: "join", room: "ops" }, "joined");
    await b.request({ type: "say", room: "ops", text: "cafe closed today", ref: 3 }, "ack");
    const found = await eventually(
      async () => {
        const r = await b.request({ type: "search", q: "CAFE" }, "results", "error");
        if (r.type === "results" && (r.messages as Frame[]).length === 3) return r;
        await new Promise((done) => setTimeout(done, 100));
        return undefined;
      },
      { timeoutMs: 15_000, what: "search results after the rebuild" },
    );
    expect((found!.messages as Frame[]).map((m) => [m.text, m.highlights])).toEqual([
      ["cafe closed today", [[0, 4]]],
      ["note: café receipts", [[6, 10]]],
      ["Le Café déploie la version 2", [[3, 7]]],
    ]);
    const phrase = await b.request({ type: "search", q: '"cafe deplo" in:ops' }, "results");
    expect((phrase.messages as Frame[]).map((m) => m.text)).toEqual(["Le Café déploie la version 2"]);
    await b.close();
  }, 60_000);
});

describe("search in a cluster, on a Deno node started later", () => {
  it("builds its index from the Redis streams and reads results back from them", async () => {
    const cluster = await startCluster(1);
    try {
      const a = (await signIn(cluster.nodes[0]!.wsUrl, "nadia")).client;
      await a.request({ type: "join", room: "mixed" }, "joined");
      await a.request({ type: "say", room: "mixed", text: "Kubernetes rollout done", ref: 1 }, "ack");
      await a.request({ type: "say", room: "mixed", text: "rollback plan ready", ref: 2 }, "ack");
      await a.close();
      const onDeno = await cluster.add("deno-1", {}, daemonCommand("deno"));
      const b = (await signIn(onDeno.wsUrl, "nadia")).client;
      await b.request({ type: "join", room: "mixed" }, "joined");
      await expect
        .poll(async () => {
          const r = await b.request({ type: "search", q: "roll" }, "results", "error");
          return r.type === "results" ? (r.messages as Frame[]).map((m) => [m.text, m.highlights]) : r.code;
        }, { timeout: 20_000, interval: 600 })
        .toEqual([
          ["rollback plan ready", [[0, 4]]],
          ["Kubernetes rollout done", [[11, 15]]],
        ]);
      await b.close();
    } finally {
      await cluster.close();
    }
  }, 90_000);
});
