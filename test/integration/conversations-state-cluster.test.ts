import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, type TestClient } from "../helpers/client.ts";
import { startCluster, type TestCluster } from "../helpers/cluster.ts";

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(3);
});
afterAll(() => cluster?.close());

const node = (i: number) => cluster.nodes[i]!;
const clients: TestClient[] = [];
const connect = async (i: number, user: string, password?: string) => {
  const s = await signIn(node(i).wsUrl, user, password);
  clients.push(s.client);
  return s;
};
afterAll(() => {
  for (const c of clients) c.ws.terminate();
});

describe("conversation state in a cluster of three", () => {
  it("sends a read marker to the user's sessions on other nodes, and keeps membership everywhere", async () => {
    const { client: a0 } = await connect(0, "reader");
    await a0.request({ type: "join", room: "readroom" }, "joined");
    const { client: a1 } = await connect(1, "reader");
    const { client: w } = await connect(2, "writer");
    await w.request({ type: "join", room: "readroom" }, "joined");
    const ack = await w.request({ type: "say", room: "readroom", text: "read me", ref: 1 }, "ack");
    a0.send({ type: "read", room: "readroom", id: ack.id });
    expect(await a1.next("read")).toEqual({ type: "read", room: "readroom", id: ack.id });
    const { welcome } = await connect(2, "reader");
    expect(welcome.rooms).toContain("readroom");
    expect(welcome.unread).toContainEqual({ room: "readroom", count: 0, mentions: 0 });
  });

  it("tells a topic to the room's members on every node and lists it in rooms everywhere", async () => {
    const { client: t0 } = await connect(0, "topicsetter");
    await t0.request({ type: "join", room: "topical" }, "joined");
    const { client: t2 } = await connect(2, "topicfan");
    await t2.request({ type: "join", room: "topical" }, "joined");
    t0.send({ type: "topic", room: "topical", text: "cluster wide" });
    expect(await t2.next("topic")).toMatchObject({ room: "topical", text: "cluster wide", by: "topicsetter" });
    const { client: other } = await connect(1, "browser");
    await expect
      .poll(async () => ((await other.request({ type: "rooms", query: "topical" }, "rooms")).rooms as unknown[]))
      .toContainEqual({ name: "topical", members: 2, topic: "cluster wide" });
    expect((await other.request({ type: "join", room: "topical" }, "joined")).topic).toBe("cluster wide");
  });

  it("closes the user's sessions on every node with 4002 when the password changes", async () => {
    const { client: p0 } = await connect(0, "changer");
    const { client: p1, welcome } = await connect(1, "changer");
    const { client: p2 } = await connect(2, "changer");
    const closes = [p1, p2].map((c) => new Promise<[number, string]>((resolve) => c.ws.once("close", (code, reason) => resolve([code, reason.toString()]))));
    const changed = await p0.request({ type: "password", old: "correct-horse", new: "new-cluster-pw" }, "password_changed", "error");
    expect(changed.type).toBe("password_changed");
    expect(await Promise.all(closes)).toEqual([
      [4002, "password changed"],
      [4002, "password changed"],
    ]);
    const old = await signIn(node(2).wsUrl, "changer", "correct-horse").catch((e: Error) => e);
    expect(old).toBeInstanceOf(Error);
    const again = await connect(1, "changer", "new-cluster-pw");
    expect(again.welcome.user).toBe("changer");
    expect(welcome.token).not.toBe(changed.token);
  });
});
