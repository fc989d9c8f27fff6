import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRedisPresence } from "../../../../storage/presence/redis-presence.ts";
import type { Presence } from "../../../../storage/presence/types.ts";
import type { FeedItem } from "../../../../storage/redis/feed.ts";
import { cleanupRedis, openEngine, uniquePrefix } from "../../../helpers/redis.ts";

let prefix: string;
const opened: Presence[] = [];
beforeEach(() => {
  prefix = uniquePrefix();
});
afterEach(async () => {
  for (const p of opened.splice(0)) await p.close();
  await cleanupRedis();
});

async function node(id: string, options: { heartbeatMs?: number; nodeTimeoutMs?: number } = {}) {
  const engine = await openEngine(prefix, id);
  const presence = createRedisPresence({ engine, ...options });
  await presence.open();
  opened.push(presence);
  const feed: FeedItem[] = [];
  engine.feed.subscribe((item) => feed.push(item));
  return { presence, feed, engine };
}

describe("createRedisPresence", () => {
  it("says join for a user's first node in a room and leave for the last", async () => {
    const a = await node("a");
    const b = await node("b");
    expect(await a.presence.enter("general", "alice")).toBe(true);
    expect(await b.presence.enter("general", "alice")).toBe(false);
    expect(await a.presence.members(["general", "empty"])).toEqual([["alice"], []]);
    expect(await a.presence.exit("general", "alice")).toBe(false);
    expect(await b.presence.exit("general", "alice")).toBe(true);
    expect(await b.presence.members(["general"])).toEqual([[]]);
  });

  it("ignores an exit this node never entered", async () => {
    const a = await node("a");
    expect(await a.presence.exit("general", "alice")).toBe(false);
  });

  it("merges every node's users for the admin view", async () => {
    const a = await node("a");
    const b = await node("b");
    await a.presence.setLocal("alice", { sessions: 1, address: "10.0.0.1", connectedAt: 200 });
    await b.presence.setLocal("alice", { sessions: 2, address: "10.0.0.2", connectedAt: 100 });
    await b.presence.enter("random", "alice");
    await a.presence.enter("general", "alice");
    expect(await a.presence.users()).toEqual([{ name: "alice", sessions: 3, address: "10.0.0.2", connectedAt: 100, rooms: ["general", "random"] }]);
    expect((await a.presence.activeRooms()).sort()).toEqual(["general", "random"]);
  });

  it("keeps the away message a node reports for a user, whichever node reads it", async () => {
    const a = await node("a");
    const b = await node("b");
    await a.presence.setLocal("alice", { sessions: 1, address: "10.0.0.1", connectedAt: 200 });
    await b.presence.setLocal("alice", { sessions: 1, address: "10.0.0.2", connectedAt: 300, away: "lunch" });
    await a.presence.setLocal("bob", { sessions: 1, address: "10.0.0.1", connectedAt: 200, away: "brb" });
    expect(await a.presence.users()).toMatchObject([
      { name: "alice", sessions: 2, away: "lunch" },
      { name: "bob", away: "brb" },
    ]);
    expect(await a.presence.statusOf(["bob", "nobody", "alice"])).toEqual([{ away: "brb" }, {}, { away: "lunch" }]);
    expect(await a.presence.statusOf([])).toEqual([]);
    await b.presence.setLocal("alice", { sessions: 1, address: "10.0.0.2", connectedAt: 300 });
    expect((await a.presence.users()).find((u) => u.name === "alice")!.away).toBeUndefined();
    expect(await b.presence.statusOf(["alice"])).toEqual([{}]);
  });

  it("keeps a user's IRC operator status a node reports, the strongest of every node's, whichever node reads it", async () => {
    const a = await node("a");
    const b = await node("b");
    await a.presence.setLocal("alice", { sessions: 1, address: "10.0.0.1", connectedAt: 200 });
    await b.presence.setLocal("alice", { sessions: 1, address: "10.0.0.2", connectedAt: 300, oper: "moderator" });
    await b.presence.setLocal("bob", { sessions: 1, address: "10.0.0.2", connectedAt: 300 });
    expect(await a.presence.users()).toEqual([
      { name: "alice", sessions: 2, address: "10.0.0.1", connectedAt: 200, oper: "moderator", rooms: [] },
      { name: "bob", sessions: 1, address: "10.0.0.2", connectedAt: 300, rooms: [] },
    ]);
    expect(await a.presence.statusOf(["alice", "bob"])).toEqual([{ oper: "moderator" }, {}]);
    // Another node's operator connection granted more: that counts; one with no grant (`user`) does not lower it.
    await a.presence.setLocal("alice", { sessions: 1, address: "10.0.0.1", connectedAt: 200, oper: "admin", away: "afk" });
    expect(await b.presence.statusOf(["alice"])).toEqual([{ away: "afk", oper: "admin" }]);
    await a.presence.setLocal("alice", { sessions: 1, address: "10.0.0.1", connectedAt: 200, oper: "user" });
    expect(await b.presence.statusOf(["alice"])).toEqual([{ oper: "moderator" }]);
    // B's operator connection closed: nobody says so any more.
    await b.presence.setLocal("alice", undefined);
    await a.presence.setLocal("alice", { sessions: 1, address: "10.0.0.1", connectedAt: 200 });
    expect(await b.presence.statusOf(["alice"])).toEqual([{}]);
    expect((await b.presence.users()).find((u) => u.name === "alice")).not.toHaveProperty("oper");
  });

  it("forgets the IRC operator status of a node that stops heartbeating", async () => {
    const watcher = await node("watcher", { heartbeatMs: 50, nodeTimeoutMs: 300 });
    const dying = await node("dying", { heartbeatMs: 50, nodeTimeoutMs: 300 });
    await dying.presence.setLocal("olga", { sessions: 1, address: "10.0.0.3", connectedAt: 100, oper: "admin" });
    expect(await watcher.presence.statusOf(["olga"])).toEqual([{ oper: "admin" }]);
    opened.splice(opened.indexOf(dying.presence), 1);
    await dying.engine.close();
    await expect.poll(() => watcher.presence.statusOf(["olga"]), { timeout: 3000 }).toEqual([{}]);
    expect(await watcher.presence.users()).toEqual([]);
  });

  it("lists the live nodes, marking itself", async () => {
    const a = await node("a");
    await node("b");
    const nodes = await a.presence.nodes();
    expect(nodes.map((n) => [n.id, n.self]).sort()).toEqual([["a", true], ["b", false]]);
  });

  it("removes a node that stops heartbeating and announces its users' leaves", async () => {
    const watcher = await node("watcher", { heartbeatMs: 50, nodeTimeoutMs: 300 });
    const dying = await node("dying", { heartbeatMs: 50, nodeTimeoutMs: 300 });
    await dying.presence.enter("general", "dora");
    // Stop the dying node's heartbeats without a clean leave, as kill -9 would.
    opened.splice(opened.indexOf(dying.presence), 1);
    await dying.engine.close();
    await expect.poll(() => watcher.feed, { timeout: 3000 }).toContainEqual({ kind: "presence", room: "general", user: "dora", event: "leave", quit: true });
    expect(await watcher.presence.members(["general"])).toEqual([[]]);
    expect((await watcher.presence.nodes()).map((n) => n.id)).toEqual(["watcher"]);
  });

  it("leaves at once on a clean close", async () => {
    const a = await node("a");
    const b = await node("b");
    await b.presence.enter("general", "bob");
    opened.splice(opened.indexOf(b.presence), 1);
    await b.presence.close();
    await expect.poll(() => a.feed).toContainEqual({ kind: "presence", room: "general", user: "bob", event: "leave", quit: true });
    expect((await a.presence.nodes()).map((n) => n.id)).toEqual(["a"]);
  });
});
