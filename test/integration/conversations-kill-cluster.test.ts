import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, type Frame, type TestClient } from "../helpers/client.ts";
import { startCluster, type ClusterNode, type TestCluster } from "../helpers/cluster.ts";
import { daemonCommand, type RuntimeName } from "../helpers/runtimes.ts";
import { World, writeConfig } from "../helpers/harness.ts";

// Issue 19's "Done when": three nodes, kill -9 of one, and no acknowledged edit, delete,
// reaction, read marker or topic lost, on the survivors and on the node once restarted.
// The node killed runs on Node, then on Deno; and the same for one embedded daemon.

const clients: TestClient[] = [];
afterAll(() => {
  for (const c of clients) c.ws.terminate();
});
async function connect(node: Node, user: string) {
  const s = await signIn(node.wsUrl, user);
  clients.push(s.client);
  return s;
}

/** Sends a request and waits for its ack, waiting out a rate limit (setup only). */
async function ask(client: TestClient, frame: Record<string, unknown>): Promise<Frame> {
  for (;;) {
    const ref = `s${Math.random().toString(36).slice(2)}`;
    client.send({ ...frame, ref });
    let answer: Frame;
    do answer = await client.next();
    while (!((answer.type === "ack" || answer.type === "error") && answer.ref === ref));
    if (answer.type === "ack") return answer;
    if (answer.code !== "rate_limited") throw new Error(`refused: ${JSON.stringify(answer)}`);
    await new Promise((r) => setTimeout(r, Number(answer.retryAfterMs)));
  }
}

type Op = { ref: string; frame: Record<string, unknown> };
/** One client's stream: a frame every 110 ms (under the 10 a second of every rate limit). */
function stream(client: TestClient, ops: Op[]): { stop(): void; acked(): Set<string> } {
  let i = 0;
  const timer = setInterval(() => {
    const op = ops[i++];
    if (!op) return clearInterval(timer);
    client.send({ ...op.frame, ref: op.ref });
  }, 110);
  return {
    stop: () => clearInterval(timer),
    acked: () => new Set(client.frames.filter((f) => f.type === "ack").map((f) => String(f.ref))),
  };
}

const ROOM = "killroom";
type Node = { wsUrl: string };
const after = (ids: string[], marker: string | null) => ids.filter((id) => marker === null || id > marker).length;

describe.each<RuntimeName>(["node", "deno"])("conversation changes when a node of three (on %s) is killed with -9 (issue 19)", (runtime) => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster(2);
    await cluster.add("node-3", {}, daemonCommand(runtime));
  });
  afterAll(() => cluster?.close());

  it("takes the operators' deletion and password change, and the live directory, to every node", async () => {
    const [A, B, C] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
    const { client: poster } = await connect(A, "opposter");
    await poster.request({ type: "join", room: "oproom" }, "joined");
    const { client: onC } = await connect(C, "opwitness");
    await onC.request({ type: "join", room: "oproom" }, "joined");
    const id = String((await ask(poster, { type: "say", room: "oproom", text: "remove me" })).id);
    const res = await B.http(`/admin/messages/${id}`, { method: "DELETE", admin: true });
    expect([res.status, await res.json()]).toEqual([200, { deleted: id }]);
    expect(await onC.next("deleted")).toEqual({ type: "deleted", id, room: "oproom" });

    const { client: watcher } = await connect(B, "opwatch");
    await poster.request({ type: "join", room: "opnew" }, "joined");
    await expect.poll(() => watcher.frames.some((f) => f.type === "rooms" && (f.rooms as Frame[]).some((r) => r.name === "opnew"))).toBe(true);

    const { client: victim } = await connect(C, "opvictim");
    const set = await A.http("/admin/users/opvictim/password", { method: "POST", admin: true, body: JSON.stringify({ password: "set by an operator" }) });
    expect(set.status).toBe(200);
    expect(await victim.closed).toEqual({ code: 4002, reason: "password changed" });
    expect((await signIn(B.wsUrl, "opvictim", "set by an operator")).welcome.user).toBe("opvictim");
  });

  it("loses no acknowledged edit, delete, reaction, read marker or topic", async () => {
    const [A, B, C] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
    await killMidStream(C, [A, B], () => cluster.add("node-3", {}, daemonCommand(runtime)));
  }, 60_000);
});

describe.each<RuntimeName>(["node", "deno"])("conversation changes when an embedded daemon (on %s) is killed with -9 (issue 19)", (runtime) => {
  const world = new World();
  afterAll(() => world.cleanup());

  it("loses no acknowledged edit, delete, reaction, read marker or topic", async () => {
    const dir = await world.tempDir();
    const env = { CHAT_CONFIG: await writeConfig(dir, { bcryptCost: 4 }), CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_DATA_DIR: dir };
    const start = async () => {
      const p = await world.spawn(env, { command: daemonCommand(runtime) });
      return Object.assign(p, { wsUrl: `ws://127.0.0.1:${p.port}/ws` });
    };
    // (On Deno the restart waits up to 15 s for the dead daemon's data lock: docs/runtimes.md.)
    await killMidStream(await start(), [], start);
  }, 60_000);
});

/**
 * Everyone who changes things is on `C`; witnesses are on the `survivors` (none in embedded
 * mode). `C` is killed with -9 once about half of the changes are acknowledged; then every
 * survivor, and `C` restarted, must show each acknowledged change, all alike.
 */
async function killMidStream(C: Node & { child: ChildProcess; exited: Promise<unknown> }, survivors: Node[], restart: () => Promise<Node>) {
  const witness = async (i: number, user: string) => (survivors[i] ? (await connect(survivors[i]!, user)).client : undefined);
  const watcherA = await witness(0, "kwatcha");
  await watcherA?.request({ type: "join", room: ROOM }, "joined");
  const peerB = await witness(1, "kpeer");
  const { client: author } = await connect(C, "kauthor");
  const { client: peerC } = await connect(C, "kpeer");
  const streamers: Record<string, TestClient> = {};
  for (const user of ["kfanone", "kfantwo", "kreader", "ktopic"]) {
    streamers[user] = (await connect(C, user)).client;
    await streamers[user]!.request({ type: "join", room: ROOM }, "joined");
  }
  await author.request({ type: "join", room: ROOM }, "joined");

  const m: string[] = [];
  for (let i = 0; i < 24; i++) m.push(String((await ask(author, { type: "say", room: ROOM, text: `m${i}` })).id));
  const d: string[] = [];
  for (let i = 0; i < 8; i++) d.push(String((await ask(author, { type: "dm", to: "kpeer", text: `d${i}` })).id));

  // Each message is changed at most once per kind, so an acknowledged change has one outcome.
  const edits = [...m.slice(0, 12), ...d.slice(0, 4)];
  const deletes = [...m.slice(12, 18), ...d.slice(4, 6)];
  const authorOps: Op[] = [];
  for (let i = 0; i < 6; i++) {
    authorOps.push({ ref: `edit|${edits[2 * i]}`, frame: { type: "edit", id: edits[2 * i], text: `edited ${edits[2 * i]}` } });
    authorOps.push({ ref: `edit|${edits[2 * i + 1]}`, frame: { type: "edit", id: edits[2 * i + 1], text: `edited ${edits[2 * i + 1]}` } });
    authorOps.push({ ref: `delete|${deletes[i]}`, frame: { type: "delete", id: deletes[i] } });
  }
  for (const id of [...edits.slice(12), ...deletes.slice(6)]) {
    authorOps.push(edits.includes(id) ? { ref: `edit|${id}`, frame: { type: "edit", id, text: `edited ${id}` } } : { ref: `delete|${id}`, frame: { type: "delete", id } });
  }
  for (const id of d.slice(6)) authorOps.push({ ref: `react|🎉|${id}`, frame: { type: "react", id, emoji: "🎉" } });
  const reacted = [...m.slice(0, 12), ...m.slice(18)];
  const fanOps = (emoji: string): Op[] => reacted.map((id) => ({ ref: `react|${emoji}|${id}`, frame: { type: "react", id, emoji } }));
  const readOps: Op[] = m.map((id) => ({ ref: `read|${id}`, frame: { type: "read", room: ROOM, id } }));
  const dmReadOps: Op[] = d.map((id) => ({ ref: `read|${id}`, frame: { type: "read", with: "kauthor", id } }));
  const topicOps: Op[] = Array.from({ length: 20 }, (_, i) => ({ ref: `topic|${i}`, frame: { type: "topic", room: ROOM, text: `topic ${String(i).padStart(2, "0")}` } }));

  const streams = {
    author: stream(author, authorOps),
    fan1: stream(streamers.kfanone!, fanOps("👍")),
    fan2: stream(streamers.kfantwo!, fanOps(":tada:")),
    reader: stream(streamers.kreader!, readOps),
    peer: stream(peerC, dmReadOps),
    topic: stream(streamers.ktopic!, topicOps),
  };
  const ackCount = () => Object.values(streams).reduce((n, s) => n + s.acked().size, 0);
  // Kill C mid-stream: about half of the 110 changes acknowledged, the rest in flight or unsent.
  await expect.poll(ackCount, { timeout: 10_000, interval: 20 }).toBeGreaterThanOrEqual(50);
  C.child.kill("SIGKILL");
  await C.exited;
  for (const s of Object.values(streams)) s.stop();
  const acked = new Set(Object.values(streams).flatMap((s) => [...s.acked()]));
  expect(acked.size).toBeGreaterThanOrEqual(50);
  expect(acked.size).toBeLessThan(110);

  const lastAcked = (ops: Op[]) => ops.filter((o) => acked.has(o.ref)).at(-1);
  const roomRead = lastAcked(readOps)?.frame.id as string;
  const dmRead = lastAcked(dmReadOps)?.frame.id as string;
  const topic = lastAcked(topicOps)?.frame.text as string;
  expect(roomRead && dmRead && topic).toBeTruthy();

  /** What one node says, for the record of every message and marker. */
  async function view(node: Node) {
    const { client: reader, welcome: readerWelcome } = await connect(node, "kreader");
    const joined = await reader.request({ type: "join", room: ROOM }, "joined");
    const history = (await reader.request({ type: "history", room: ROOM, limit: 1000 }, "history")).messages as Frame[];
    const { client: peer, welcome: peerWelcome } = await connect(node, "kpeer");
    const dms = (await peer.request({ type: "dm_history", with: "kauthor", limit: 1000 }, "dm_history")).messages as Frame[];
    const rooms = (await reader.request({ type: "rooms", query: ROOM }, "rooms")).rooms as Frame[];
    return { joined, history, readerWelcome, dms, peerWelcome, rooms };
  }

  function check(v: Awaited<ReturnType<typeof view>>) {
    const byId = new Map([...v.history, ...v.dms].map((r) => [String(r.id), r]));
    for (const ref of acked) {
      const [kind, a, b] = ref.split("|");
      if (kind === "edit") expect(byId.get(a!), ref).toMatchObject({ text: `edited ${a}`, editedAt: expect.any(Number) });
      if (kind === "delete") {
        expect(byId.get(a!), ref).toMatchObject({ id: a, deleted: true });
        expect(byId.get(a!), ref).not.toHaveProperty("text");
      }
      if (kind === "react") {
        const user = a === "👍" ? "kfanone" : a === ":tada:" ? "kfantwo" : "kauthor";
        expect((byId.get(b!)?.reactions as Record<string, string[]> | undefined)?.[a!], ref).toContain(user);
      }
    }
    // Read markers only move forward, so an acknowledged one is the floor of what is stored.
    expect(v.joined.lastRead as string >= roomRead, `room marker ${String(v.joined.lastRead)} < ${roomRead}`).toBe(true);
    const live = v.history.filter((r) => !r.deleted).map((r) => String(r.id));
    const roomUnread = after(live, v.joined.lastRead as string);
    expect(v.joined.unread).toBe(roomUnread);
    expect(v.readerWelcome.unread).toContainEqual({ room: ROOM, count: roomUnread, mentions: 0 });
    const dmUnread = (v.peerWelcome.unread as Frame[]).find((u) => u.with === "kauthor");
    const liveDms = v.dms.filter((r) => !r.deleted).map((r) => String(r.id));
    expect(dmUnread?.count ?? 0).toBeLessThanOrEqual(after(liveDms, dmRead));
    expect(v.peerWelcome.conversations).toContainEqual({ with: "kauthor", lastId: d.at(-1), ts: expect.any(Number) });
    // Topics are numbered in the order sent: the stored one is the last acknowledged or a later one.
    expect(String(v.joined.topic) >= topic, `topic ${String(v.joined.topic)} < ${topic}`).toBe(true);
    expect(v.rooms).toContainEqual(expect.objectContaining({ name: ROOM, topic: v.joined.topic }));
  }

  // The live frames reached the witnesses on the other nodes too.
  const seen = (client: TestClient, type: string) => client.frames.filter((f) => f.type === type).map((f) => String(f.id));
  const ackedIds = (kind: string, ids: string[]) => ids.filter((id) => acked.has(`${kind}|${id}`));
  if (watcherA) {
    await expect.poll(() => seen(watcherA, "edited")).toEqual(expect.arrayContaining(ackedIds("edit", m)));
    await expect.poll(() => seen(watcherA, "deleted")).toEqual(expect.arrayContaining(ackedIds("delete", m)));
  }
  if (peerB) {
    await expect.poll(() => seen(peerB, "edited")).toEqual(expect.arrayContaining(ackedIds("edit", d)));
    await expect.poll(() => seen(peerB, "deleted")).toEqual(expect.arrayContaining(ackedIds("delete", d)));
  }

  // Every survivor, then C back on its own data directory, says the same.
  const views = [];
  for (const node of survivors) views.push(await view(node));
  views.push(await view(await restart()));
  for (const v of views) {
    check(v);
    expect(v.history).toEqual(views[0]!.history);
    expect(v.dms).toEqual(views[0]!.dms);
    expect(v.joined.lastRead).toBe(views[0]!.joined.lastRead);
    expect(v.joined.topic).toBe(views[0]!.joined.topic);
    expect(v.peerWelcome.unread).toEqual(views[0]!.peerWelcome.unread);
  }
}
