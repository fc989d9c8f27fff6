// Black-box checks of docs/cluster.md: what a node that starts later rebuilds from Redis
// (edits, reactions, deletions, the room directory, search), and the history cap per stream.
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { ask, World } from "../../helpers/harness.ts";
import type { ClusterNode } from "../../helpers/cluster.ts";
import { REDIS_URL } from "../../helpers/redis.ts";
import type { Frame, TestClient } from "../../helpers/client.ts";

type Json = Record<string, unknown>;

/** Sends `search` until the node's index is built (`unavailable` with retryAfterMs meanwhile). */
async function search(client: TestClient, q: string): Promise<Frame> {
  for (let i = 0; i < 100; i++) {
    const f = await client.request({ type: "search", q }, "results", "error");
    if (f.type === "results") return f;
    expect(f.code).toBe("unavailable");
    await new Promise((r) => setTimeout(r, Math.min(Number(f.retryAfterMs) || 50, 200)));
  }
  throw new Error("search never became available");
}

describe("a node that starts after the others", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("rebuilds edits, reactions, deletions and topics from the streams, and searches what was said before it started", async () => {
    const cluster = await world.cluster(1);
    const a = cluster.nodes[0]!;
    const alice = await world.member(a, "alice", "den");
    const bob = await world.member(a, "bob", "den");
    const m1 = await ask(alice.client, { type: "say", room: "den", text: "original wombat" });
    const m2 = await ask(bob.client, { type: "say", room: "den", text: "doomed" });
    expect((await ask(alice.client, { type: "edit", id: m1.id, text: "edited wombat" })).type).toBe("ack");
    expect((await ask(bob.client, { type: "react", id: m1.id, emoji: "👍" })).type).toBe("ack");
    expect((await ask(bob.client, { type: "delete", id: m2.id })).type).toBe("ack");
    expect((await ask(alice.client, { type: "topic", room: "den", text: "burrows" })).type).toBe("ack");
    expect((await ask(alice.client, { type: "mode", room: "den", mode: "voice", on: true, user: "bob" })).type).toBe("ack");
    const onA = await alice.client.request({ type: "history", room: "den" }, "history");

    const b: ClusterNode = await cluster.add("node-late");
    const carol = await world.member(b, "carol", "den");
    const onB = await carol.client.request({ type: "history", room: "den" }, "history");
    expect(onB.messages).toEqual(onA.messages);
    const [first, second] = onB.messages as Json[];
    expect(first).toMatchObject({ id: m1.id, text: "edited wombat" });
    expect(JSON.stringify(first)).toContain("👍");
    expect(second).toMatchObject({ id: m2.id, deleted: true });
    expect(JSON.stringify(carol.joined)).toContain("burrows");
    const rooms = await carol.client.request({ type: "rooms" }, "rooms");
    expect(JSON.stringify(rooms)).toContain("burrows");
    // The late node's own index finds the edited text, not the original.
    const found = await search(carol.client, "wombat");
    expect((found.messages as Json[]).map((m) => [m.id, m.text])).toEqual([[m1.id, "edited wombat"]]);
    expect((await search(carol.client, "original")).messages).toEqual([]);
  });

  it("sees a room made on another node in its directory at once, with its creator as operator", async () => {
    const cluster = await world.cluster(2);
    const [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
    const alice = await world.member(a, "alice", "newroom");
    const bob = await world.signIn(b, "bob");
    const rooms = await bob.client.request({ type: "rooms" }, "rooms");
    expect(JSON.stringify(rooms)).toContain("newroom");
    const joined = await bob.client.request({ type: "join", room: "newroom" }, "joined");
    expect(JSON.stringify(joined)).toContain("alice");
    // The creator acts as operator on the other node too: bob (no operator) is refused, alice's change lands.
    expect((await ask(bob.client, { type: "mode", room: "newroom", mode: "secret", on: true })).type).toBe("error");
    expect((await ask(alice.client, { type: "mode", room: "newroom", mode: "voice", on: true, user: "bob" })).type).toBe("ack");
  });
});

describe("history in Redis", () => {
  const world = new World();
  let redis: Redis | undefined;
  afterEach(async () => {
    await world.cleanup();
    redis?.disconnect();
  });

  it("caps each room's stream at limits.historyPerRoom", async () => {
    const dir = await world.tempDir();
    const config = join(dir, "server.json");
    await writeFile(config, JSON.stringify({ bcryptCost: 4, host: "127.0.0.1", limits: { historyPerRoom: 5 } }));
    world.onCleanup(() => rm(config, { force: true }));
    const cluster = await world.cluster(1, { CHAT_CONFIG: config });
    const alice = await world.member(cluster.nodes[0]!, "alice");
    for (let i = 0; i < 12; i++) expect((await ask(alice.client, { type: "say", room: "general", text: `m${i}` })).type).toBe("ack");
    redis = new Redis(REDIS_URL);
    expect(await redis.xlen(`${cluster.prefix}room:general`)).toBe(5);
    const history = await alice.client.request({ type: "history", room: "general" }, "history");
    expect((history.messages as Json[]).map((m) => m.text)).toEqual(["m7", "m8", "m9", "m10", "m11"]);
  });
});
