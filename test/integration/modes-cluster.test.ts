import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, type TestClient } from "../helpers/client.ts";
import { startCluster, type TestCluster } from "../helpers/cluster.ts";
import { ircSignIn, type IrcClient } from "../helpers/irc.ts";
import { ircPortOf } from "../helpers/irc-world.ts";
import { ask } from "../helpers/harness.ts";

// Issue 21: a room's operators and modes on two nodes sharing Redis, and after both restart.

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(2, { CHAT_IRC_PORT: "0" });
});
afterAll(() => cluster?.close());

const clients: TestClient[] = [];
const irc: IrcClient[] = [];
afterAll(() => {
  for (const c of clients) c.ws.terminate();
  for (const c of irc) c.close();
});
const connect = async (wsUrl: string, user: string) => {
  const s = await signIn(wsUrl, user);
  clients.push(s.client);
  return s;
};
/** The next `mode` frame whose change modeirc made (the owner's own come in too, maybe after their acks). */
async function byIrc(client: TestClient) {
  for (;;) {
    const f = await client.next("mode");
    if (f.by === "modeirc") return f;
  }
}

describe("room modes in a cluster of two", () => {
  it("a mode change on node A reaches web and IRC members on node B, is checked there, and outlasts a restart of both", async () => {
    const [a, b] = cluster.nodes as [TestCluster["nodes"][0], TestCluster["nodes"][0]];
    const { client: owner } = await connect(a.wsUrl, "modeowner");
    const created = await owner.request({ type: "join", room: "modal" }, "joined");
    expect(created.operators).toEqual(["modeowner"]);
    const { client: guest } = await connect(b.wsUrl, "modeguest");
    // Node B learns of the room (and its creator's role) over the bus.
    await expect.poll(async () => (await guest.request({ type: "join", room: "modal" }, "joined")).operators).toEqual(["modeowner"]);
    const ircb = await ircSignIn(ircPortOf(b.output()), "modeirc");
    irc.push(ircb);
    ircb.send("JOIN #modal");
    expect((await ircb.next("353")).params[3]!.split(" ")).toContain("@modeowner");

    expect(await owner.request({ type: "mode", room: "modal", mode: "topicLock", on: true, ref: "m1" }, "ack", "error")).toMatchObject({ type: "ack" });
    expect(await guest.next("mode")).toMatchObject({ room: "modal", mode: "topicLock", on: true, by: "modeowner" });
    expect((await ircb.next("MODE")).params).toEqual(["#modal", "+t"]);
    // Checked on node B against what node A changed.
    expect(await guest.request({ type: "topic", room: "modal", text: "from B", ref: "t1" }, "ack", "error")).toMatchObject({ code: "forbidden" });
    expect(await owner.request({ type: "mode", room: "modal", mode: "voice", on: true, user: "modeguest", ref: "m2" }, "ack", "error")).toMatchObject({ type: "ack" });
    expect((await ircb.next("MODE")).params).toEqual(["#modal", "+v", "modeguest"]);
    // An IRC operator on node B: made one on A, then its MODE -t reaches A.
    expect(await owner.request({ type: "mode", room: "modal", mode: "operator", on: true, user: "modeirc", ref: "m3" }, "ack", "error")).toMatchObject({ type: "ack" });
    expect((await ircb.next("MODE")).params).toEqual(["#modal", "+o", "modeirc"]);
    ircb.send("MODE #modal -t");
    expect(await byIrc(owner)).toMatchObject({ mode: "topicLock", on: false });
    ircb.send("MODE #modal +t");
    expect(await byIrc(owner)).toMatchObject({ mode: "topicLock", on: true });

    // Both nodes stop; a new node reads the roles and modes from Redis.
    for (const n of cluster.nodes) n.child.kill("SIGKILL");
    await Promise.all(cluster.nodes.map((n) => n.exited));
    const c = await cluster.add("node-3");
    const { client: later } = await connect(c.wsUrl, "modeguest");
    const joined = await later.request({ type: "join", room: "modal" }, "joined");
    expect(joined).toMatchObject({ operators: ["modeirc", "modeowner"], voiced: ["modeguest"], modes: { topicLock: true, secret: false } });
    expect(await later.request({ type: "topic", room: "modal", text: "after", ref: "t2" }, "ack", "error")).toMatchObject({ code: "forbidden" });
  }, 60_000);

  it("a change sent right behind an operator's revoking themself, before it is stored, is checked against it (forbidden)", async () => {
    // The node the test above started last (it killed the first two).
    const { client: owner } = await connect(cluster.nodes.at(-1)!.wsUrl, "selfdeop");
    for (let i = 0; i < 3; i++) {
      const room = `selfdeop${i}`;
      expect(await owner.request({ type: "join", room }, "joined")).toMatchObject({ operators: ["selfdeop"] });
      // Sent together: the second is handled before the first comes back from Redis.
      const answers = await Promise.all([
        ask(owner, { type: "mode", room, mode: "operator", on: false, user: "selfdeop" }),
        ask(owner, { type: "mode", room, mode: "secret", on: true }),
      ]);
      expect(answers.map((a) => a.code ?? a.type)).toEqual(["ack", "forbidden"]);
    }
  });
});

