import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, TestClient, type Frame } from "../helpers/client.ts";
import { startCluster, type TestCluster } from "../helpers/cluster.ts";

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(3);
});
afterAll(() => cluster?.close());

const node = (i: number) => cluster.nodes[i]!;

async function joined(wsUrl: string, user: string, room: string): Promise<{ client: TestClient; joined: Frame }> {
  const { client } = await signIn(wsUrl, user);
  const frame = await client.request({ type: "join", room }, "joined");
  return { client, joined: frame };
}

describe("a cluster of three daemons on one Redis", () => {
  it("carries a message said on one node to the room's members on every node, once, with the same id", async () => {
    const a = await joined(node(0).wsUrl, "ann", "lobby");
    const b = await joined(node(1).wsUrl, "ben", "lobby");
    const c = await joined(node(2).wsUrl, "cat", "lobby");
    a.client.send({ type: "say", room: "lobby", text: "hello cluster", ref: 1 });
    const said = await Promise.all([a, b, c].map((x) => x.client.next("message")));
    await expect.poll(() => a.client.frames.find((f) => f.type === "ack")).toMatchObject({ ref: 1, id: said[0]!.id });
    for (const m of said) expect(m).toMatchObject({ id: said[0]!.id, room: "lobby", from: "ann", text: "hello cluster" });
    await new Promise((r) => setTimeout(r, 100));
    for (const x of [b, c]) expect(x.client.unread().filter((f) => f.type === "message")).toEqual([]);
    for (const x of [a, b, c]) await x.client.close();
  });

  it("delivers messages from every node in the same order everywhere", async () => {
    const clients = await Promise.all([0, 1, 2].map((i) => joined(node(i).wsUrl, `ord${i}`, "order")));
    for (let n = 0; n < 10; n++) for (const [i, x] of clients.entries()) x.client.send({ type: "say", room: "order", text: `${i}:${n}` });
    const seen = await Promise.all(
      clients.map(async (x) => {
        const ids: string[] = [];
        while (ids.length < 30) ids.push(String((await x.client.next("message")).id));
        return ids;
      }),
    );
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
    expect([...seen[0]!].sort()).toEqual(seen[0]);
    for (const x of clients) await x.client.close();
  });

  it("shares history: a member joining on another node gets what was said", async () => {
    const a = await joined(node(0).wsUrl, "hana", "history-room");
    await a.client.request({ type: "say", room: "history-room", text: "first", ref: 1 }, "ack");
    await a.client.request({ type: "say", room: "history-room", text: "second", ref: 2 }, "ack");
    const b = await joined(node(2).wsUrl, "hiro", "history-room");
    expect((b.joined.history as Frame[]).map((m) => m.text)).toEqual(["first", "second"]);
    await a.client.close();
    await b.client.close();
  });

  it("shares accounts: an account made on one node signs in on another with its password or token", async () => {
    const first = await signIn(node(0).wsUrl, "sharon", "pass-word-1");
    expect(first.welcome.created).toBe(true);
    await first.client.close();
    const again = await signIn(node(1).wsUrl, "sharon", "pass-word-1");
    expect(again.welcome.created).toBe(false);
    await again.client.close();
    const wrong = await TestClient.connect(node(2).wsUrl);
    expect(await wrong.request({ type: "hello", user: "sharon", password: "not-her-password" }, "welcome", "error")).toMatchObject({ type: "error" });
    const resumed = await TestClient.connect(node(2).wsUrl);
    expect(await resumed.request({ type: "hello", token: first.welcome.token }, "welcome", "error")).toMatchObject({ type: "welcome", user: "sharon" });
    await resumed.close();
  });

  it("creates exactly one account when one new name signs in on two nodes at once", async () => {
    const attempts = await Promise.all(
      [0, 1, 0, 1].map(async (i, n) => {
        const c = await TestClient.connect(node(i).wsUrl);
        const answer = await c.request({ type: "hello", user: "racer", password: `password-${n}` }, "welcome", "error");
        await c.close();
        return answer;
      }),
    );
    expect(attempts.filter((f) => f.type === "welcome" && f.created === true)).toHaveLength(1);
  });

  it("resumes on another node with join since: exactly the missed messages", async () => {
    const a = await joined(node(0).wsUrl, "rhea", "resume");
    const b = await joined(node(1).wsUrl, "ravi", "resume");
    const seen = await b.client.request({ type: "say", room: "resume", text: "seen", ref: 1 }, "ack");
    await b.client.close();
    for (let i = 1; i <= 3; i++) await a.client.request({ type: "say", room: "resume", text: `missed ${i}`, ref: i }, "ack");
    const { client } = await signIn(node(2).wsUrl, "ravi");
    const back = await client.request({ type: "join", room: "resume", since: seen.id }, "joined");
    expect((back.history as Frame[]).map((m) => m.text)).toEqual(["missed 1", "missed 2", "missed 3"]);
    expect(back.recovered).toBe(true);
    await a.client.close();
    await client.close();
  });
});

describe("beyond room messages", () => {
  it("delivers a direct message to the recipient on another node, and keeps it in both sides' history", async () => {
    const { client: dan } = await signIn(node(0).wsUrl, "dan");
    const { client: dee } = await signIn(node(1).wsUrl, "dee");
    dan.send({ type: "dm", to: "dee", text: "psst", ref: 1 });
    expect(await dee.next("dm")).toMatchObject({ from: "dan", to: "dee", text: "psst" });
    const onThird = (await signIn(node(2).wsUrl, "dee")).client;
    const history = await onThird.request({ type: "dm_history", with: "dan" }, "dm_history");
    expect((history.messages as Frame[]).map((m) => m.text)).toEqual(["psst"]);
    for (const c of [dan, dee, onThird]) await c.close();
  });

  it("shows typing to members on other nodes", async () => {
    const t = await joined(node(0).wsUrl, "tess", "typing-room");
    const u = await joined(node(1).wsUrl, "ugo", "typing-room");
    t.client.send({ type: "typing", room: "typing-room" });
    expect(await u.client.next("typing")).toEqual({ type: "typing", room: "typing-room", user: "tess" });
    await t.client.close();
    await u.client.close();
  });

  it("sets the message of the day on every node", async () => {
    const put = await node(0).http("/admin/motd", { admin: true, method: "PUT", body: JSON.stringify({ motd: "cluster motd" }) });
    expect(put.status).toBe(200);
    await expect.poll(async () => (await (await node(2).http("/admin/motd", { admin: true })).json())).toEqual({ motd: "cluster motd" });
    const { welcome, client } = await signIn(node(1).wsUrl, "mo");
    expect(welcome.motd).toBe("cluster motd");
    await client.close();
  });
});

describe("joining while another node is sending", () => {
  it("gives each joiner every message exactly once, split between history and live delivery", async () => {
    const senders = await Promise.all([0, 1].map((i) => joined(node(i).wsUrl, `busy${i}`, "busy")));
    let n = 0;
    // Under the rate limit (10 a second per connection), from two nodes.
    const talk = setInterval(() => {
      n += 1;
      for (const s of senders) s.client.send({ type: "say", room: "busy", text: `m${n}` });
    }, 110);
    const joiners: Array<{ client: TestClient; joined: Frame }> = [];
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 70));
      joiners.push(await joined(node(2).wsUrl, `late${i}`, "busy"));
    }
    clearInterval(talk);
    const end = await joined(node(2).wsUrl, "ender", "busy");
    await end.client.request({ type: "say", room: "busy", text: "the end", ref: "end" }, "ack");
    const all = await end.client.request({ type: "history", room: "busy", limit: 1000 }, "history");
    const stored = (all.messages as Frame[]).map((m) => String(m.id));
    for (const j of joiners) {
      await expect.poll(() => j.client.frames.some((f) => f.type === "message" && f.text === "the end")).toBe(true);
      const seen = [...(j.joined.history as Frame[]), ...j.client.frames.filter((f) => f.type === "message")].map((m) => String(m.id));
      expect(seen).toEqual(stored.slice(stored.indexOf(seen[0]!)));
    }
    for (const x of [...senders, ...joiners, end]) await x.client.close();
  });
});

describe("presence across the cluster", () => {
  it("lists members on every node in joined, and announces joins and leaves across nodes once", async () => {
    const a = await joined(node(0).wsUrl, "pia", "presence");
    const b = await joined(node(1).wsUrl, "pol", "presence");
    expect(b.joined.members).toEqual(["pia", "pol"]);
    expect(await a.client.next("presence")).toMatchObject({ room: "presence", user: "pol", event: "join" });
    // A second connection of pol on another node is not a new member.
    const b2 = await joined(node(2).wsUrl, "pol", "presence");
    expect(b2.joined.members).toEqual(["pia", "pol"]);
    await b.client.close();
    await b2.client.close();
    expect(await a.client.next("presence")).toMatchObject({ room: "presence", user: "pol", event: "leave" });
    expect(a.client.unread().filter((f) => f.type === "presence")).toEqual([]);
    // A leave's reason reaches the other node's members with the presence.
    const c = await joined(node(1).wsUrl, "pat", "presence");
    expect(await a.client.next("presence")).toMatchObject({ user: "pat", event: "join" });
    c.client.send({ type: "leave", room: "presence", reason: "off to lunch" });
    expect(await a.client.next("presence")).toMatchObject({ user: "pat", event: "leave", reason: "off to lunch" });
    await c.client.close();
    await a.client.close();
  });

  it("counts members over all nodes in rooms and in the admin API", async () => {
    const a = await joined(node(0).wsUrl, "quin", "census");
    const b = await joined(node(2).wsUrl, "quade", "census");
    // Presence is shared through Redis a moment after `joined`, so the views converge rather than agree at once.
    await expect.poll(async () => (await a.client.request({ type: "rooms" }, "rooms")).rooms).toContainEqual({ name: "census", members: 2 });
    const admin = (await (await node(1).http("/admin/rooms", { admin: true })).json()) as { rooms: Array<{ name: string; members: string[] }> };
    expect(admin.rooms.find((r) => r.name === "census")).toMatchObject({ members: ["quade", "quin"], default: false });
    const users = (await (await node(1).http("/admin/users", { admin: true })).json()) as { online: Array<{ name: string; rooms: string[] }> };
    expect(users.online.find((u) => u.name === "quade")).toMatchObject({ sessions: 1, rooms: ["census"] });
    await a.client.close();
    await b.client.close();
  });

  it("lists the nodes with their uptime in /admin/nodes", async () => {
    const res = await node(0).http("/admin/nodes", { admin: true });
    const body = (await res.json()) as { nodes: Array<{ id: string; self: boolean; uptimeSeconds: number }> };
    expect(body.nodes.map((n) => n.id)).toEqual(["node-1", "node-2", "node-3"]);
    expect(body.nodes.find((n) => n.self)?.id).toBe("node-1");
    for (const n of body.nodes) expect(n.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });

  it("restarts only the node the request was sent to", async () => {
    const stay = await joined(node(0).wsUrl, "stay", "restarts");
    const bounce = await joined(node(1).wsUrl, "bounce", "restarts");
    expect((await node(1).http("/admin/restart", { admin: true, method: "POST" })).status).toBe(202);
    expect((await bounce.client.closed).code).toBe(1012);
    // Running again (a kept-alive HTTP connection may still reach the old listener while it stops).
    await expect
      .poll(async () => ((await (await node(1).http("/healthz").catch(() => undefined))?.json()) as { state?: string } | undefined)?.state, { timeout: 10_000 })
      .toBe("running");
    expect(await stay.client.request({ type: "ping", ref: 1 }, "pong")).toEqual({ type: "pong", ref: 1 });
    const back = await joined(node(1).wsUrl, "bounce", "restarts");
    expect(back.joined.members).toEqual(["bounce", "stay"]);
    await stay.client.close();
    await back.client.close();
  });

  it("kicks a user connected to another node, and broadcasts to every node", async () => {
    const k = await joined(node(2).wsUrl, "kim", "kicks");
    const o = await joined(node(1).wsUrl, "olga", "kicks");
    const broadcast = await node(0).http("/admin/broadcast", { admin: true, method: "POST", body: JSON.stringify({ text: "hi all" }) });
    expect(broadcast.status).toBe(200);
    expect(await o.client.next("notice")).toMatchObject({ kind: "broadcast", text: "hi all" });
    const kick = await node(0).http("/admin/kick", { admin: true, method: "POST", body: JSON.stringify({ user: "kim" }) });
    expect(await kick.json()).toEqual({ kicked: "kim", sessions: 1 });
    expect((await k.client.closed).code).toBe(4000);
    await o.client.close();
  });

  it("mutes, unmutes and bans a user connected to another node", async () => {
    const m = await joined(node(2).wsUrl, "mona", "mutes");
    const post = (path: string, body: object) => node(0).http(path, { admin: true, method: "POST", body: JSON.stringify(body) });
    expect((await post("/admin/mute", { user: "mona", room: "mutes", minutes: 10 })).status).toBe(200);
    expect(await m.client.next("notice")).toMatchObject({ kind: "mute" });
    expect(await m.client.request({ type: "say", room: "mutes", text: "hello?", ref: 1 }, "ack", "error")).toMatchObject({ code: "muted", ref: 1 });
    expect((await post("/admin/unmute", { user: "mona", room: "mutes" })).status).toBe(200);
    await expect
      .poll(async () => (await m.client.request({ type: "say", room: "mutes", text: "back", ref: 2 }, "ack", "error")).type, { timeout: 5000 })
      .toBe("ack");
    const ban = await post("/admin/ban", { user: "mona", reason: "spam" });
    expect(await ban.json()).toEqual({ banned: "mona", sessions: 1 });
    expect(await m.client.next("notice")).toMatchObject({ kind: "ban", text: "spam" });
    expect((await m.client.closed).code).toBe(4002);
  });
});
