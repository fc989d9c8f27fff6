import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn } from "../helpers/client.ts";
import { startCluster, type TestCluster } from "../helpers/cluster.ts";

/** docs/cluster.md, checked from outside against two nodes on one Redis. */

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(2);
});
afterAll(() => cluster?.close());

describe("a cluster node", () => {
  it("answers /healthz with the Redis state and its node id", async () => {
    const res = await cluster.nodes[0]!.http("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", state: "running", redis: "up", node: "node-1" });
  });

  it("lists every node in /admin/nodes, marking itself", async () => {
    const res = await cluster.nodes[1]!.http("/admin/nodes", { admin: true });
    const body = (await res.json()) as { nodes: Array<{ id: string; self: boolean; startedAt: string; uptimeSeconds: number }> };
    expect(body.nodes.map((n) => [n.id, n.self])).toEqual([
      ["node-1", false],
      ["node-2", true],
    ]);
    for (const n of body.nodes) expect(n).toEqual({ id: n.id, self: n.self, startedAt: expect.any(String), uptimeSeconds: expect.any(Number) });
  });

  it("names itself in the listening log line", () => {
    expect(cluster.nodes[0]!.output()).toMatch(/"msg":"listening".*"node":"node-1"/);
  });

  it("that stops cleanly has its users leave the rooms on the other nodes at once", async () => {
    const extra = await cluster.add("node-3");
    const { client: watcher } = await signIn(cluster.nodes[0]!.wsUrl, "watcher");
    await watcher.request({ type: "join", room: "lobby" }, "joined");
    const { client: leaver } = await signIn(extra.wsUrl, "leaver");
    await leaver.request({ type: "join", room: "lobby" }, "joined");
    expect(await watcher.next("presence")).toMatchObject({ user: "leaver", event: "join" });
    extra.child.kill("SIGTERM");
    expect(await extra.exited).toEqual({ code: 0, signal: null });
    // Its connections close (a `quit` leave) as the node leaves the cluster: whichever tells first, the room hears it once.
    expect(await watcher.next("presence")).toMatchObject({ type: "presence", room: "lobby", user: "leaver", event: "leave" });
    await watcher.close();
  });
});
