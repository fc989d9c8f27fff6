import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, type Frame, type TestClient } from "../helpers/client.ts";
import { startCluster, type TestCluster } from "../helpers/cluster.ts";
import { ask as askPipelined, eventually, settle } from "../helpers/harness.ts";

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(2);
});
afterAll(() => cluster?.close());

async function member(i: number, user: string): Promise<TestClient> {
  const { client } = await signIn(cluster.nodes[i]!.wsUrl, user);
  await client.request({ type: "join", room: "changes" }, "joined");
  return client;
}

async function ask(client: TestClient, frame: Record<string, unknown>): Promise<Frame> {
  const ref = `r${Math.random().toString(36).slice(2)}`;
  client.send({ ...frame, ref });
  for (;;) {
    const f = await client.next();
    if ((f.type === "ack" || f.type === "error") && f.ref === ref) return f;
  }
}

describe("message changes in a cluster (issue 19)", () => {
  it("carries edit, react and delete across nodes; every node's history folds them; a node started later rebuilds them", async () => {
    const ann = await member(0, "cann");
    const ben = await member(1, "cben");
    const a = (await ask(ann, { type: "say", room: "changes", text: "one" })).id as string;
    const b = (await ask(ann, { type: "say", room: "changes", text: "two" })).id as string;
    expect(await ask(ann, { type: "edit", id: a, text: "one!" })).toMatchObject({ type: "ack", id: a });
    expect(await ben.next("edited")).toMatchObject({ id: a, room: "changes", text: "one!" });
    expect(await ask(ben, { type: "react", id: a, emoji: "👍" })).toMatchObject({ type: "ack", id: a });
    expect(await ann.next("reaction")).toMatchObject({ id: a, emoji: "👍", user: "cben", on: true });
    expect(await ask(ben, { type: "edit", id: b, text: "x" })).toMatchObject({ type: "error", code: "forbidden" });
    expect(await ask(ann, { type: "delete", id: b })).toMatchObject({ type: "ack", id: b });
    expect(await ben.next("deleted")).toEqual({ type: "deleted", id: b, room: "changes" });
    const expected = [
      { type: "message", id: a, room: "changes", from: "cann", text: "one!", ts: expect.any(Number), editedAt: expect.any(Number), reactions: { "👍": ["cben"] } },
      { type: "message", id: b, room: "changes", from: "cann", ts: expect.any(Number), deleted: true },
    ];
    for (const c of [ann, ben]) expect((await c.request({ type: "history", room: "changes" }, "history")).messages).toEqual(expected);
    // A node that starts now reads the changes from Redis.
    const late = await cluster.add("node-late");
    const { client } = await signIn(late.wsUrl, "clate");
    const joined = await client.request({ type: "join", room: "changes" }, "joined");
    expect(joined.history).toEqual(expected);
  });

  it("a change sent right behind a deletion, before it is stored, finds the message gone", async () => {
    const ann = await member(0, "pann");
    const gone = (await askPipelined(ann, { type: "say", room: "changes", text: "soon gone" })).id as string;
    // Sent together (answers found by ref): each is handled before the deletion comes back from Redis.
    const answers = await Promise.all([
      askPipelined(ann, { type: "delete", id: gone }),
      askPipelined(ann, { type: "edit", id: gone, text: "too late" }),
      askPipelined(ann, { type: "react", id: gone, emoji: "👍" }),
      askPipelined(ann, { type: "delete", id: gone }),
    ]);
    expect(answers.map((a) => a.code ?? a.type)).toEqual(["ack", "not_found", "not_found", "not_found"]);
  });

  it("a change another node stores at the instant of a deletion is told to nobody, live or after a join with since", async () => {
    const ann = await member(0, "rann");
    const ann2 = await member(1, "rann");
    const watcher = await member(1, "rwatch");
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await askPipelined(ann, { type: "say", room: "changes", text: `race ${i}` })).id as string);
    const since = (await askPipelined(ann, { type: "say", room: "changes", text: "before the changes" })).id as string;
    // Deletions on node 1, edits of the same messages on node 2, all at once: some edits pass before node 2 hears of the deletion.
    const [deletes, edits] = await Promise.all([
      Promise.all(ids.map((id) => askPipelined(ann, { type: "delete", id }))),
      Promise.all(ids.map((id) => askPipelined(ann2, { type: "edit", id, text: "edited in the race" }))),
    ]);
    expect(deletes.every((d) => d.type === "ack")).toBe(true);
    const raced = ids.filter((_, i) => edits[i]!.type === "ack");
    expect(raced.length).toBeGreaterThan(0);
    // Told live: each message's deletion, and no edit after it.
    const late = (frames: Frame[]) => ids.filter((id) => frames.findIndex((f) => f.type === "edited" && f.id === id) > frames.findIndex((f) => f.type === "deleted" && f.id === id));
    await askPipelined(ann, { type: "say", room: "changes", text: "after them" });
    for (const c of [ann, watcher]) {
      await eventually(() => c.frames.some((f) => f.type === "message" && f.text === "after them"));
      expect(late(c.frames)).toEqual([]);
    }
    // A join with `since` before them tells what was told live, no more.
    const { client } = await signIn(cluster.nodes[0]!.wsUrl, "rwatch");
    client.send({ type: "join", room: "changes", since });
    await client.next("joined");
    await settle(client);
    expect(late(client.frames)).toEqual([]);
    expect(client.frames.filter((f) => f.type === "deleted").map((f) => f.id)).toEqual(ids);
  });
});
