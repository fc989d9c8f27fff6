import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, TestClient, type Frame } from "../helpers/client.ts";
import { startCluster, type ClusterNode, type TestCluster } from "../helpers/cluster.ts";
import { daemonCommand } from "../helpers/runtimes.ts";

/**
 * Cluster mode across runtimes: one node on Node, one on Deno, one Redis. The
 * README promises both runtimes from the same code, and several daemons on one
 * Redis; this holds them to both at once (ioredis under Deno's npm support).
 */
let cluster: TestCluster;
let onNode: ClusterNode;
let onDeno: ClusterNode;
beforeAll(async () => {
  cluster = await startCluster(1);
  onNode = cluster.nodes[0]!;
  onDeno = await cluster.add("deno-1", {}, daemonCommand("deno"));
}, 60_000);
afterAll(() => cluster?.close());

async function joined(wsUrl: string, user: string, room: string): Promise<{ client: TestClient; joined: Frame }> {
  const { client } = await signIn(wsUrl, user);
  return { client, joined: await client.request({ type: "join", room }, "joined") };
}

describe("a cluster of a Node daemon and a Deno daemon on one Redis", () => {
  it("says which runtime each node runs on", () => {
    expect(onNode.output()).toContain('"runtime":"node"');
    expect(onDeno.output()).toContain('"runtime":"deno"');
  });

  it("carries messages both ways with one id sequence, and the members of both nodes", async () => {
    const a = await joined(onNode.wsUrl, "nadia", "mixed");
    const b = await joined(onDeno.wsUrl, "dario", "mixed");
    await expect.poll(async () => (await a.client.request({ type: "join", room: "mixed" }, "joined")).members).toEqual(["dario", "nadia"]);

    a.client.send({ type: "say", room: "mixed", text: "from node", ref: 1 });
    const fromNode = await Promise.all([a.client.next("message"), b.client.next("message")]);
    expect(fromNode[1]).toEqual(fromNode[0]);
    expect(fromNode[0]).toMatchObject({ room: "mixed", from: "nadia", text: "from node" });

    b.client.send({ type: "say", room: "mixed", text: "from deno", ref: 2 });
    const fromDeno = await Promise.all([a.client.next("message"), b.client.next("message")]);
    expect(fromDeno[0]).toEqual(fromDeno[1]);
    expect(fromDeno[0]).toMatchObject({ from: "dario", text: "from deno" });
    expect(String(fromDeno[0]!.id) > String(fromNode[0]!.id)).toBe(true);

    // History is shared: a newcomer on the Deno node gets both, in order.
    const c = await joined(onDeno.wsUrl, "carla", "mixed");
    expect((c.joined.history as Frame[]).map((m) => m.text)).toEqual(["from node", "from deno"]);
    for (const x of [a, b, c]) await x.client.close();
  });

  it("shares accounts: one made on the Node daemon resumes by token on the Deno daemon", async () => {
    const first = await signIn(onNode.wsUrl, "ramona", "pass-word-1");
    await first.client.close();
    const resumed = await TestClient.connect(onDeno.wsUrl);
    expect(await resumed.request({ type: "hello", token: first.welcome.token }, "welcome", "error")).toMatchObject({ type: "welcome", user: "ramona" });
    await resumed.close();
  });

  it("lists both nodes in /admin/nodes on either", async () => {
    for (const n of [onNode, onDeno]) {
      await expect
        .poll(async () => ((await (await n.http("/admin/nodes", { admin: true })).json()) as { nodes: Array<{ id: string }> }).nodes.map((x) => x.id).sort())
        .toEqual(["deno-1", "node-1"]);
    }
  });
});
