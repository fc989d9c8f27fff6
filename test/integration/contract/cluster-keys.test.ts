// Black-box checks of docs/cluster.md: where a cluster keeps what in Redis, that a node keeps
// nothing in its data folder, that prefixes separate clusters, and files across nodes
// (docs/files.md#in-a-cluster). Real node processes on the Redis of the test run.
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { ask, eventually, World } from "../../helpers/harness.ts";
import { startCluster, type ClusterNode, type TestCluster } from "../../helpers/cluster.ts";
import { REDIS_URL } from "../../helpers/redis.ts";
import { put, upload } from "../../helpers/files.ts";

type Json = Record<string, unknown>;

describe("a cluster in Redis", () => {
  const world = new World();
  const clusters: TestCluster[] = [];
  let redis: Redis | undefined;
  let shared: string | undefined;
  afterEach(async () => {
    await world.cleanup();
    for (const c of clusters.splice(0)) await c.close();
    redis?.disconnect();
    if (shared) await rm(shared, { recursive: true, force: true });
  });

  it("keeps streams, the room and dm sets, accounts and the room directory under its prefix, and nothing in the data folder", async () => {
    const dataDir = join(await world.tempDir(), "data");
    const cluster = await startCluster(2, { CHAT_DATA_DIR: dataDir });
    clusters.push(cluster);
    const [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
    const alice = await world.member(a, "Alice");
    const bob = await world.member(b, "bob");
    expect((await ask(alice.client, { type: "say", room: "general", text: "hello" })).type).toBe("ack");
    expect((await ask(bob.client, { type: "dm", to: "alice", text: "psst" })).type).toBe("ack");
    expect((await ask(alice.client, { type: "topic", room: "general", text: "t" })).type).toBe("ack");
    redis = new Redis(REDIS_URL);
    const p = cluster.prefix;
    expect(await redis.type(`${p}room:general`)).toBe("stream");
    expect(await redis.type(`${p}room:dm:alice:bob`)).toBe("stream");
    expect(await redis.sismember(`${p}rooms`, "general")).toBe(1);
    expect(await redis.sismember(`${p}dms`, "dm:alice:bob")).toBe(1);
    expect(await redis.exists(`${p}user:alice`, `${p}user:bob`)).toBe(2);
    expect(await redis.type(`${p}room-state`)).toBe("hash");
    expect(await redis.hexists(`${p}room-state`, "general")).toBe(1);
    const channels = await redis.pubsub("CHANNELS", `${p}*`);
    expect(channels).toContain(`${p}bus`);
    // A cluster node keeps nothing in its data folder but uploads (files.dir left at <dataDir>/files): no lock, no users, no log.
    expect(await readdir(dataDir)).toEqual(["files"]);
  });

  it("keeps two clusters on one Redis apart by CHAT_REDIS_PREFIX", async () => {
    const one = await startCluster(1);
    const two = await startCluster(1);
    clusters.push(one, two);
    const first = await world.member(one.nodes[0]!, "alice");
    expect((await ask(first.client, { type: "say", room: "general", text: "only in one" })).type).toBe("ack");
    // The same name is a new account with its own password in the other cluster.
    const other = await world.signIn(two.nodes[0]!, "alice", "another-password");
    expect(other.welcome.created).toBe(true);
    const joined = await other.client.request({ type: "join", room: "general" }, "joined");
    expect(joined.history).toEqual([]);
  });

  it("shares one daily allowance per user across nodes, and a deletion on one node removes a file uploaded through another", async () => {
    shared = await mkdtemp(join(tmpdir(), "chatd-shared-files-"));
    const config = join(shared, "..", `${shared.split("/").pop()}.json`);
    await writeFile(config, JSON.stringify({ bcryptCost: 4, host: "127.0.0.1", limits: { fileBytesPerUserPerDay: 3000 } }));
    world.onCleanup(() => rm(config, { force: true }));
    const cluster = await startCluster(2, { CHAT_FILES_DIR: shared, CHAT_CONFIG: config });
    clusters.push(cluster);
    const [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
    const urlA = `http://127.0.0.1:${a.port}`;
    const urlB = `http://127.0.0.1:${b.port}`;
    const alice = await world.member(a, "alice");
    const token = alice.welcome.token as string;
    expect((await upload(urlA, token, new Uint8Array(2000), "a.bin")).status).toBe(201);
    const over = await upload(urlB, token, new Uint8Array(1001), "b.bin");
    expect(over.status).toBe(429);
    expect(((await over.json()) as Json).error).toBe("quota_exceeded");
    const file = await put(urlA, token, "shared", "s.txt");
    const onB = await world.member(b, "alice");
    const ack = await ask(onB.client, { type: "say", room: "general", text: "look", files: [file.id] });
    expect(ack.type).toBe("ack");
    expect((await ask(alice.client, { type: "delete", id: ack.id })).type).toBe("ack");
    await eventually(async () => (await fetch(`${urlB}${file.url}`)).status === 404, { what: "the file removed" });
  });
});
