import { afterEach, describe, expect, it } from "vitest";
import type { Frame, TestClient } from "../helpers/client.ts";
import { World, eventually, say, settle, take } from "../helpers/harness.ts";

const ids = (frame: Frame, field = "history") => (frame[field] as Array<{ id: string }>).map((m) => m.id);

/** Every `message` frame of `room` this client has received so far (read or not). */
const messageIds = (client: TestClient, room = "general") =>
  client.frames.filter((f) => f.type === "message" && f.room === room).map((f) => f.id as string);

describe("reconnecting", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("gets exactly the missed messages with join since, then live ones, without duplicates", async () => {
    const d = await world.daemon();
    const { client: alice, welcome } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    const [seen] = await say(bob, "general", ["before the drop"]);
    expect(await alice.next("message")).toMatchObject({ id: seen });

    alice.ws.terminate();
    await eventually(() => d.daemon.chat!.hub.members("general").length === 1, { what: "alice to drop" });
    const missed = await say(bob, "general", ["m1", "m2", "m3", "m4", "m5"]);

    const { client: again } = await world.resume(d, welcome.token);
    const joined = await again.request({ type: "join", room: "general", since: seen }, "joined");
    expect(joined.recovered).toBe(true);
    expect(ids(joined)).toEqual(missed);
    expect((joined.history as Array<{ text: string }>).map((m) => m.text)).toEqual(["m1", "m2", "m3", "m4", "m5"]);

    const [live] = await say(bob, "general", ["after the reconnect"]);
    expect(await again.next("message")).toMatchObject({ id: live, text: "after the reconnect" });
    await settle(again);
    expect(messageIds(again)).toEqual([live]);
  });

  it("sees each message exactly once when it rejoins while the room is busy", async () => {
    const d = await world.daemon({ limits: { messageBurst: 200, messagesPerSecond: 200 } });
    const { client: alice, welcome } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    const [seen] = await say(bob, "general", ["start"]);
    await alice.next("message");
    alice.ws.terminate();

    const { client: again } = await world.resume(d, welcome.token);
    // Bob keeps five messages in flight; the rejoin lands in the middle of the stream.
    const sent: string[] = [];
    let n = 0;
    const sendOne = () => bob.send({ type: "say", room: "general", text: `busy ${n}`, ref: `busy:${n++}` });
    for (let k = 0; k < 5; k++) sendOne();
    while (sent.length < 60) {
      const ack = await bob.next("ack");
      if (!String(ack.ref).startsWith("busy:")) continue; // the ack of "start"
      sent.push(ack.id as string);
      if (n < 60) sendOne();
      if (sent.length === 20) again.send({ type: "join", room: "general", since: seen });
    }

    const joined = await again.next("joined");
    expect(joined.recovered).toBe(true);
    await settle(again);
    const timeline = [...ids(joined), ...messageIds(again)];
    // Part came as history, the rest live: none missing, none twice.
    expect(ids(joined).length).toBeGreaterThan(0);
    expect(messageIds(again).length).toBeGreaterThan(0);
    expect(timeline).toEqual(sent);
  });

  it("says recovered false when messages after since are no longer kept", async () => {
    const d = await world.daemon({ limits: { historyPerRoom: 5 } });
    const { client: alice, welcome } = await world.member(d, "alice");
    const [seen] = await say(alice, "general", ["the last one alice saw"]);
    await alice.close();

    const { client: bob } = await world.member(d, "bob");
    const sent = await say(bob, "general", ["1", "2", "3", "4", "5", "6", "7", "8"]);

    const { client: again } = await world.resume(d, welcome.token);
    const joined = await again.request({ type: "join", room: "general", since: seen }, "joined");
    expect(joined.recovered).toBe(false);
    expect(ids(joined)).toEqual(sent.slice(-5));

    // Up to date: nothing missed, recovered.
    const current = await again.request({ type: "join", room: "general", since: sent.at(-1) }, "joined");
    expect(current).toMatchObject({ history: [], recovered: true });
  });
});

describe("surviving a restart", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("restarts in place: clients get a restart notice and 1012, then reconnect on the same port and see history", async () => {
    const d = await world.daemon();
    const port = d.port;
    const { client: alice, welcome } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    const before = await say(alice, "general", ["one", "two"]);
    await take(bob, "message", 2);

    expect(d.daemon.request("RESTART")).toMatchObject({ accepted: true, state: "restarting" });
    for (const c of [alice, bob]) {
      expect(await c.next("notice")).toMatchObject({ type: "notice", kind: "restart" });
      expect(await c.closed).toEqual({ code: 1012, reason: "server restarting" });
    }
    expect(await d.daemon.settled()).toBe("running");
    expect(d.port).toBe(port);

    const { client: again } = await world.resume(d, welcome.token);
    const joined = await again.request({ type: "join", room: "general" }, "joined");
    expect(ids(joined)).toEqual(before);
    const resumed = await again.request({ type: "join", room: "general", since: before[0] }, "joined");
    expect(resumed).toMatchObject({ recovered: true });
    expect(ids(resumed)).toEqual(before.slice(1));

    // New ids keep sorting after the old ones.
    const [after] = await say(again, "general", ["three"]);
    expect(after! > before[1]!).toBe(true);

    const uptime = (await (await d.http("/admin/uptime", { admin: true })).json()) as Record<string, unknown>;
    expect(uptime).toMatchObject({ state: "running", restarts: 1, connections: 1 });
  });

  it("keeps accounts, tokens and history across a full stop and a new daemon on the same data", async () => {
    const first = await world.daemon();
    const { client: alice, welcome } = await world.member(first, "alice");
    const { client: bob } = await world.member(first, "bob");
    const before = await say(alice, "general", ["kept 1", "kept 2", "kept 3"]);
    bob.send({ type: "dm", to: "alice", text: "kept dm", ref: 1 });
    const dmAck = await bob.next("ack");
    await first.close({ keepData: true });
    expect((await alice.closed).code).toBe(1001);

    const second = await world.daemon({}, { dataDir: first.dataDir });
    const { client: again } = await world.resume(second, welcome.token);
    const joined = await again.request({ type: "join", room: "general", since: before[0] }, "joined");
    expect(joined.recovered).toBe(true);
    expect(ids(joined)).toEqual(before.slice(1));
    const dms = await again.request({ type: "dm_history", with: "bob" }, "dm_history");
    expect(ids(dms, "messages")).toEqual([dmAck.id]);

    const { welcome: bobWelcome } = await world.signIn(second, "bob");
    expect(bobWelcome.created).toBe(false);
    const [next] = await say(again, "general", ["new"]);
    expect(next! > before[2]!).toBe(true);
  });
});
