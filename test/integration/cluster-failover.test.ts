import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, TestClient, type Frame } from "../helpers/client.ts";
import { startCluster, type TestCluster } from "../helpers/cluster.ts";

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(3);
});
afterAll(() => cluster?.close());

const ids = (frames: Frame[]) => frames.filter((f) => f.type === "message").map((f) => String(f.id));

async function member(wsUrl: string, user: string, room: string) {
  const { client, welcome } = await signIn(wsUrl, user);
  await client.request({ type: "join", room }, "joined");
  return { client, token: String(welcome.token) };
}

describe("a node killed with -9", () => {
  it("loses no acknowledged message, and a client that moves to another node misses nothing and sees nothing twice", async () => {
    const [victim, survivor, other] = cluster.nodes as [typeof cluster.nodes[0], typeof cluster.nodes[0], typeof cluster.nodes[0]];
    const room = "crash";
    const doomed = await member(victim.wsUrl, "dora", room);
    const mover = await member(victim.wsUrl, "moe", room);
    const steady = await member(survivor.wsUrl, "stan", room);

    // Both senders keep talking while the victim dies (under the rate limit of 10 a second).
    let n = 0;
    const talk = setInterval(() => {
      n += 1;
      doomed.client.send({ type: "say", room, text: `d${n}`, ref: n });
      steady.client.send({ type: "say", room, text: `s${n}`, ref: n });
    }, 110);
    await expect.poll(() => ids(steady.client.frames).length, { timeout: 8000 }).toBeGreaterThan(20);
    victim.child.kill("SIGKILL");
    await victim.exited;
    await doomed.client.closed;
    await mover.client.closed;
    await new Promise((r) => setTimeout(r, 100));
    clearInterval(talk);

    // The mover resumes on another node from the last message it saw.
    const seenBefore = ids(mover.client.frames);
    const back = await TestClient.connect(other.wsUrl);
    expect(await back.request({ type: "hello", token: mover.token }, "welcome", "error")).toMatchObject({ type: "welcome" });
    const joined = await back.request({ type: "join", room, since: seenBefore.at(-1) }, "joined");
    expect(joined.recovered).toBe(true);
    const late = await member(survivor.wsUrl, "lateo", room);
    for (let i = 1; i <= 5; i++) await late.client.request({ type: "say", room, text: `after ${i}`, ref: `a${i}` }, "ack");
    await expect.poll(() => ids(back.frames).length).toBeGreaterThanOrEqual(5);

    const history = await back.request({ type: "history", room, limit: 1000 }, "history");
    const stored = (history.messages as Frame[]).map((m) => String(m.id));
    // Every acknowledged message is stored, on whichever node it was sent.
    const acked = [...doomed.client.frames, ...steady.client.frames, ...late.client.frames].filter((f) => f.type === "ack").map((f) => String(f.id));
    for (const id of acked) expect(stored).toContain(id);
    // What the mover saw, before and after moving, is the room's history: no gap, no duplicate.
    const moverSaw = [...seenBefore, ...(joined.history as Frame[]).map((m) => String(m.id)), ...ids(back.frames)];
    expect(new Set(moverSaw).size).toBe(moverSaw.length);
    expect(moverSaw).toEqual(stored.filter((id) => id >= moverSaw[0]!));
    expect(acked.length).toBeGreaterThan(20);
    await back.close();
  }, 30_000);

  it("has its users removed from presence by the others, announced to the room", async () => {
    const [, survivor, other] = cluster.nodes;
    const node4 = await cluster.add("node-4");
    const ghost = await member(node4.wsUrl, "ghost", "haunted");
    const witness = await member(survivor!.wsUrl, "wit", "haunted");
    await expect.poll(async () => (await witness.client.request({ type: "rooms" }, "rooms")).rooms).toContainEqual({ name: "haunted", members: 2 });
    node4.child.kill("SIGKILL");
    await ghost.client.closed;
    // Its connection was dropped with the node: a quit (IRC shows QUIT, not PART).
    expect(await witness.client.next("presence", 15_000)).toMatchObject({ room: "haunted", user: "ghost", event: "leave", quit: true });
    const nodes = (await (await other!.http("/admin/nodes", { admin: true })).json()) as { nodes: Array<{ id: string }> };
    expect(nodes.nodes.map((n) => n.id)).not.toContain("node-4");
    await witness.client.close();
  }, 30_000);
});
