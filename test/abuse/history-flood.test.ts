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
});
