import { afterEach, describe, expect, it } from "vitest";
import { World, ask, say } from "../helpers/harness.ts";

/** docs/protocol.md#conversation-state: the newest 50 records after the marker are read, older ones count as kept. */
describe("unread counts read at most the newest 50 records after the marker", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("is exact up to 50 records after the marker; beyond, older records count whatever they are and their mentions are not counted", async () => {
    const d = await world.daemon({ limits: { messagesPerSecond: 1000, messageBurst: 1000, ipMessagesPerSecond: 1000, ipMessageBurst: 1000 } });
    const { client: alice } = await world.member(d, "alice", "dev");
    const { client: bob } = await world.member(d, "bob", "dev");
    const [marker] = await say(bob, "dev", ["read"]);
    expect(await ask(alice, { type: "read", room: "dev", id: marker })).toMatchObject({ type: "ack" });
    // After the marker: 10 of alice's own, then bob: one mentioning her, then 39 more (50 records).
    await say(alice, "dev", Array.from({ length: 10 }, (_, i) => `own ${i}`));
    await say(bob, "dev", ["hey @alice", ...Array.from({ length: 39 }, (_, i) => `b${i}`)]);
    let { welcome, client } = await world.signIn(d, "alice");
    expect(welcome.unread).toContainEqual({ room: "dev", count: 40, mentions: 1 });
    expect(await client.request({ type: "join", room: "dev" }, "joined")).toMatchObject({ lastRead: marker, unread: 40 });
    // One more: 51 records, the oldest (alice's own) is no longer read and counts; the mention is still among the newest 50.
    await say(bob, "dev", ["b39"]);
    ({ welcome, client } = await world.signIn(d, "alice"));
    expect(welcome.unread).toContainEqual({ room: "dev", count: 42, mentions: 1 });
    // Ten more: the mention is now past the newest 50 read, and so not counted.
    await say(bob, "dev", Array.from({ length: 10 }, (_, i) => `c${i}`));
    ({ welcome, client } = await world.signIn(d, "alice"));
    expect(welcome.unread).toContainEqual({ room: "dev", count: 61, mentions: 0 });
    expect(await client.request({ type: "join", room: "dev" }, "joined")).toMatchObject({ unread: 61 });
  });
});
