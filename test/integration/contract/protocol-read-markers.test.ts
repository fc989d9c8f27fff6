import { afterEach, describe, expect, it } from "vitest";
import type { Frame, TestClient } from "../../helpers/client.ts";
import type { TestCluster } from "../../helpers/cluster.ts";
import { World, ask, settle } from "../../helpers/harness.ts";

/**
 * docs/protocol.md, `read` — move your read marker: a marker never goes past
 * the newest record the room or conversation keeps when it is set (an id
 * after it is stored as that record's id), the ack and the `read` frame to the
 * user's other connections carry the marker's id as stored, a stream that
 * keeps nothing answers `not_found`, and the unread counts of `welcome` and
 * `joined` keep counting what comes after. On one node and in a cluster.
 */

/** Syntactically a message id, after any the server gives out. */
const FAR_AHEAD = "9999999999999-999999";

/** The `read` frames `client` got before a ping sent now is answered. */
const readsOf = async (client: TestClient) => (await settle(client)).filter((f) => f.type === "read");

describe("a read marker never goes past the newest record kept", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("stores an id far ahead as the room's newest id, tells it, and later messages still count unread", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice", "dev");
    const { client: alice2 } = await world.signIn(d, "alice");
    const { client: bob } = await world.member(d, "bob", "dev");
    const newest = await ask(bob, { type: "say", room: "dev", text: "the newest" });
    await settle(alice2);
    expect(await ask(alice, { type: "read", room: "dev", id: FAR_AHEAD })).toEqual({ type: "ack", ref: expect.any(String), id: newest.id, ts: expect.any(Number) });
    expect(await readsOf(alice2)).toEqual([{ type: "read", room: "dev", id: newest.id }]);
    expect(await alice.request({ type: "join", room: "dev" }, "joined")).toMatchObject({ lastRead: newest.id, unread: 0 });

    // Not silenced: the next message counts, in joined and in welcome, and a read reaches it.
    const later = await ask(bob, { type: "say", room: "dev", text: "@alice after the marker" });
    expect(await alice.request({ type: "join", room: "dev" }, "joined")).toMatchObject({ lastRead: newest.id, unread: 1 });
    expect((await world.signIn(d, "alice")).welcome.unread).toContainEqual({ room: "dev", count: 1, mentions: 1 });
    expect(await ask(alice, { type: "read", room: "dev", id: FAR_AHEAD })).toMatchObject({ type: "ack", id: later.id });
    expect((await world.signIn(d, "alice")).welcome.unread).toContainEqual({ room: "dev", count: 0, mentions: 0 });
    // An id before the marker moves nothing: the ack carries the marker as stored, and nothing is told.
    await settle(alice2);
    expect(await ask(alice, { type: "read", room: "dev", id: newest.id })).toMatchObject({ type: "ack", id: later.id });
    expect(await readsOf(alice2)).toEqual([]);
  });

  it("clamps a conversation's marker to the conversation's newest id, and its unread comes back with the next dm", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.signIn(d, "alice");
    const { client: alice2 } = await world.signIn(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    const dm = await ask(bob, { type: "dm", to: "alice", text: "psst" });
    // A room message after it: newer, but not the conversation's.
    await ask(bob, { type: "say", room: "general", text: "elsewhere" });
    await settle(alice2);
    expect(await ask(alice, { type: "read", with: "Bob", id: FAR_AHEAD })).toMatchObject({ type: "ack", id: dm.id });
    expect(await readsOf(alice2)).toEqual([{ type: "read", with: "bob", id: dm.id }]);
    expect(((await world.signIn(d, "alice")).welcome.unread as Frame[]).filter((u) => u.with !== undefined)).toEqual([]);
    await ask(bob, { type: "dm", to: "alice", text: "still there?" });
    expect((await world.signIn(d, "alice")).welcome.unread).toContainEqual({ with: "bob", count: 1, mentions: 0 });
  });

  it("answers not_found in a room or conversation that keeps no record, and stores nothing", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice", "quiet");
    await world.signIn(d, "bob");
    expect(await ask(alice, { type: "read", room: "quiet", id: FAR_AHEAD })).toMatchObject({ type: "error", code: "not_found" });
    expect(await ask(alice, { type: "read", with: "bob", id: FAR_AHEAD })).toMatchObject({ type: "error", code: "not_found" });
    expect(await alice.request({ type: "join", room: "quiet" }, "joined")).toMatchObject({ lastRead: null });
    // The first message of the room is unread: nothing was stored ahead of it.
    const { client: bob } = await world.member(d, "bob", "quiet");
    await ask(bob, { type: "say", room: "quiet", text: "first" });
    expect(await alice.request({ type: "join", room: "quiet" }, "joined")).toMatchObject({ lastRead: null, unread: 1 });
  });
});

describe("a read marker in a cluster (Redis broker)", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("clamps to the newest record written on another node, and tells the user's connections on every node", async () => {
    const cluster = await world.cluster(2);
    const [a, b] = cluster.nodes as [TestCluster["nodes"][0], TestCluster["nodes"][0]];
    const { client: alice } = await world.member(a, "alice", "dev");
    const { client: aliceOnB } = await world.signIn(b, "alice");
    const { client: bob } = await world.member(b, "bob", "dev");
    const newest = await ask(bob, { type: "say", room: "dev", text: "from node b" });
    const dm = await ask(bob, { type: "dm", to: "alice", text: "psst from node b" });
    await settle(aliceOnB);
    expect(await ask(alice, { type: "read", room: "dev", id: FAR_AHEAD })).toMatchObject({ type: "ack", id: newest.id });
    expect(await ask(alice, { type: "read", with: "bob", id: FAR_AHEAD })).toMatchObject({ type: "ack", id: dm.id });
    expect(await aliceOnB.next("read")).toEqual({ type: "read", room: "dev", id: newest.id });
    expect(await aliceOnB.next("read")).toEqual({ type: "read", with: "bob", id: dm.id });
    // The next message, written on either node, counts on both.
    await ask(bob, { type: "say", room: "dev", text: "after the marker" });
    for (const node of [a, b]) expect((await world.signIn(node, "alice")).welcome.unread).toContainEqual({ room: "dev", count: 1, mentions: 0 });
  });
});
