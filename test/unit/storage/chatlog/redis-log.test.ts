import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRedisLog } from "../../../../storage/chatlog/redis-log.ts";
import type { ChatLog, ChatRecord, MessageRecord } from "../../../../storage/chatlog/types.ts";
import { ID_PATTERN } from "../../../../storage/chatlog/ids.ts";
import { cleanupRedis, openEngine, uniquePrefix } from "../../../helpers/redis.ts";

let prefix: string;
beforeEach(() => {
  prefix = uniquePrefix();
});
afterEach(cleanupRedis);

/** A log on its own node (engine) over the test's prefix. */
async function node(historyPerRoom = 100): Promise<ChatLog> {
  const log = createRedisLog({ engine: await openEngine(prefix), historyPerRoom });
  await log.open();
  return log;
}

const say = (log: ChatLog, text: string, room = "general") => log.append({ room, from: "alice", text });
const texts = (page: { messages: ChatRecord[] }) => page.messages.map((m) => (m as MessageRecord).text);

describe("createRedisLog", () => {
  it("stores a message and gives back the record with its id and time", async () => {
    const log = await node();
    const before = Date.now();
    const r = await say(log, "hi");
    expect(r).toMatchObject({ room: "general", from: "alice", text: "hi" });
    expect(r.id).toMatch(ID_PATTERN);
    expect(Math.abs(r.ts - before)).toBeLessThan(5000);
    expect(await log.history("general", { limit: 10 })).toEqual({ messages: [r], complete: true });
  });

  it("keeps a DM's recipient and does not list DMs as rooms", async () => {
    const log = await node();
    const r = await log.append({ room: "dm:alice:bob", from: "alice", to: "bob", text: "psst" });
    expect((r as MessageRecord).to).toBe("bob");
    expect((await log.history("dm:alice:bob", { limit: 5 })).messages).toEqual([r]);
    expect(log.rooms()).toEqual([]);
  });

  it("stores every kind with its fields (files, replyTo, mentions; edits, reactions, topics), and lists DM streams", async () => {
    const log = await node();
    const file = { id: "f1", name: "a.png", size: 3, type: "image/png", url: "/files/f1/a.png", width: 2, height: 3 };
    const m = await log.append({ room: "general", from: "alice", text: "@bob look", files: [file], replyTo: "1764100000000-000001", mentions: ["bob"] });
    const edit = await log.append({ kind: "edit", room: "general", by: "alice", target: m.id, author: "alice", text: "fixed", mentions: ["bob"] });
    const react = await log.append({ kind: "react", room: "general", by: "bob", target: m.id, author: "alice", emoji: "👍", on: true });
    const topic = await log.append({ kind: "topic", room: "general", by: "alice", text: "release" });
    const dm = await log.append({ room: "dm:alice:bob", from: "alice", to: "bob", text: "psst", notice: true, tags: { "+x/colour": "blue", "+flag": "" } });
    const other = await node();
    const page = await other.history("general", { limit: 10 });
    expect(page.messages).toEqual([m, edit, react, topic]);
    expect(m).toEqual({ id: m.id, room: "general", from: "alice", text: "@bob look", ts: m.ts, files: [file], replyTo: "1764100000000-000001", mentions: ["bob"] });
    expect(react).toMatchObject({ kind: "react", emoji: "👍", on: true, target: m.id });
    expect((await other.history("dm:alice:bob", { limit: 1 })).messages).toEqual([dm]);
    expect(dm).toMatchObject({ to: "bob", notice: true, tags: { "+x/colour": "blue", "+flag": "" } });
    expect(other.streams().sort()).toEqual(["dm:alice:bob", "general"]);
  });

  it("gives unique, increasing ids to concurrent appends from several nodes", async () => {
    const logs = [await node(), await node(), await node()];
    const stored = await Promise.all(Array.from({ length: 90 }, (_, i) => say(logs[i % 3]!, `m${i}`)));
    const ids = stored.map((r) => r.id);
    expect(new Set(ids).size).toBe(90);
    const page = await logs[0]!.history("general", { limit: 100 });
    expect(page.messages.map((m) => m.id)).toEqual([...ids].sort());
  });

  it("shares history between nodes", async () => {
    const a = await node();
    const b = await node();
    await say(a, "from a");
    await say(b, "from b");
    expect(texts(await a.history("general", { limit: 10 }))).toEqual(["from a", "from b"]);
    expect(texts(await b.history("general", { limit: 10 }))).toEqual(["from a", "from b"]);
  });

  it("pages back with before, and says when the oldest kept message is reached", async () => {
    const log = await node();
    const r = [];
    for (let i = 1; i <= 5; i++) r.push(await say(log, `m${i}`));
    expect(await log.history("general", { limit: 2 })).toEqual({ messages: [r[3], r[4]], complete: false });
    expect(await log.history("general", { before: r[3]!.id, limit: 2 })).toEqual({ messages: [r[1], r[2]], complete: false });
    expect(await log.history("general", { before: r[1]!.id, limit: 2 })).toEqual({ messages: [r[0]], complete: true });
  });

  it("fills a gap after an id, completely when nothing in it was dropped", async () => {
    const log = await node();
    const r = [];
    for (let i = 1; i <= 4; i++) r.push(await say(log, `m${i}`));
    expect(await log.history("general", { after: r[1]!.id, limit: 10 })).toEqual({ messages: [r[2], r[3]], complete: true });
    expect(await log.history("general", { after: r[3]!.id, limit: 10 })).toEqual({ messages: [], complete: true });
  });

  it("caps each room at historyPerRoom and reports a gap reaching past the cap as incomplete", async () => {
    const log = await node(3);
    const r = [];
    for (let i = 1; i <= 6; i++) r.push(await say(log, `m${i}`));
    expect(texts(await log.history("general", { limit: 10 }))).toEqual(["m4", "m5", "m6"]);
    expect((await log.history("general", { after: r[0]!.id, limit: 10 })).complete).toBe(false);
    expect((await log.history("general", { after: r[2]!.id, limit: 10 })).complete).toBe(true);
  });

  it("lists rooms with history, including rooms another node created", async () => {
    const a = await node();
    const b = await node();
    await say(a, "x", "random");
    await say(a, "y", "general");
    await expect.poll(() => b.rooms().sort()).toEqual(["general", "random"]);
    const c = await node();
    expect(c.rooms().sort()).toEqual(["general", "random"]);
  });
});
