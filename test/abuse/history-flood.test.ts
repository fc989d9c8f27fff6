import { afterEach, describe, expect, it } from "vitest";
import { World, say, settle } from "../helpers/harness.ts";

describe("history floods", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("refuses history once the connection's message budget is spent, with rate_limited and retryAfterMs", async () => {
    // A slow refill: the three pages must not earn a fourth while they are read, however busy the machine.
    const d = await world.daemon({ limits: { historyMessageBurst: 300, historyMessagesPerSecond: 0.1, messageBurst: 200, messagesPerSecond: 200 } });
    const { client } = await world.member(d, "alice");
    await say(client, "general", Array.from({ length: 100 }, (_, i) => `m${i}`));
    for (let i = 0; i < 5; i++) client.send({ type: "history", room: "general", limit: 100, ref: `h${i}` });
    const answers = (await settle(client)).filter((f) => f.type === "history" || f.type === "error");
    expect(answers.map((f) => f.type)).toEqual(["history", "history", "history", "error", "error"]);
    for (const e of answers.slice(3)) {
      expect(e).toMatchObject({ code: "rate_limited" });
      expect(e.retryAfterMs).toBeGreaterThan(0);
    }
  });

  it("charges only what a page held: asking 1000 of a 10-message room many times is fine", async () => {
    const d = await world.daemon({ limits: { historyMessageBurst: 1000, historyMessagesPerSecond: 1 } });
    const { client } = await world.member(d, "alice");
    await say(client, "general", Array.from({ length: 10 }, (_, i) => `m${i}`));
    for (let i = 0; i < 20; i++) client.send({ type: "history", room: "general", limit: 1000 });
    const answers = (await settle(client)).filter((f) => f.type === "history" || f.type === "error");
    expect(answers.filter((f) => f.type === "history")).toHaveLength(20);
  });

  it("holds every connection of an address to the address's budget, for dm_history too", async () => {
    const d = await world.daemon({ limits: { ipHistoryMessageBurst: 150, ipHistoryMessagesPerSecond: 1, messageBurst: 200, messagesPerSecond: 200 } });
    const { client: a } = await world.member(d, "alice");
    const { client: b } = await world.signIn(d, "bob");
    await say(a, "general", Array.from({ length: 100 }, (_, i) => `m${i}`));
    for (let i = 0; i < 100; i++) b.send({ type: "dm", to: "alice", text: `d${i}` });
    await settle(b);
    // Admitted while the budget has anything left, then charged what was read (into debt).
    a.send({ type: "history", room: "general", limit: 100 });
    a.send({ type: "history", room: "general", limit: 100 });
    const first = (await settle(a)).filter((f) => f.type === "history" || f.type === "error");
    expect(first.map((f) => f.type)).toEqual(["history", "history"]);
    b.send({ type: "dm_history", with: "alice", limit: 100 });
    const second = (await settle(b)).find((f) => f.type === "dm_history" || f.type === "error");
    expect(second).toMatchObject({ type: "error", code: "rate_limited" });
  });

  it("answers another user's ping while it encodes a 4 MB page: the page goes out turns later, in one frame", async () => {
    const fast = { messageBurst: 1000, messagesPerSecond: 1000, ipMessageBurst: 1000, ipMessagesPerSecond: 1000 };
    const d = await world.daemon({ chatLog: { fsync: false }, limits: fast });
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.signIn(d, "bob");
    await say(alice, "general", Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(4, "0")}${"x".repeat(3996)}`));
    const chat = d.daemon.chat!;
    // What the server answered, in the order it answered it.
    const answered: string[] = [];
    const reply = chat.hub.reply.bind(chat.hub);
    chat.hub.reply = (session, bytes) => {
      answered.push(/^\{"type":"([a-z_]+)"/.exec(bytes.text)![1]!);
      reply(session, bytes);
    };
    // Bob pings the moment the 4 MB page has been read, before it is encoded.
    const log = chat.chatLog;
    const read = log.history.bind(log);
    log.history = async (room, query) => {
      const page = await read(room, query);
      if ((query.limit ?? 0) >= 1000) bob.send({ type: "ping", ref: "meanwhile" });
      return page;
    };
    alice.send({ type: "history", room: "general", limit: 1000, ref: "big" });
    const page = await alice.next("history", 30_000);
    expect(await bob.next("pong")).toMatchObject({ ref: "meanwhile" });
    const texts = (page.messages as Array<{ text: string }>).map((m) => m.text.slice(0, 4));
    expect(texts).toEqual(Array.from({ length: 1000 }, (_, i) => String(i).padStart(4, "0")));
    // Encoded in one go, the page left before the server even read the ping.
    expect(answered.filter((type) => type === "pong" || type === "history")).toEqual(["pong", "history"]);
  });
});
