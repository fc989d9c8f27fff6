// Black-box checks of docs/data.md: what the data folder holds, record by record, the lock
// file, and what survives a restart. Real daemons on real folders.
import { appendFile, readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ask, eventually, World } from "../../helpers/harness.ts";
import { put } from "../../helpers/files.ts";
import { createLogger } from "../../../src/log.ts";

type Json = Record<string, unknown>;

const records = async (dataDir: string): Promise<Json[]> =>
  (await readFile(join(dataDir, "chat", "chat.jsonl"), "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Json);

describe("the data folder, record by record", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("writes every kind of chat log record with the documented fields", async () => {
    const d = await world.daemon();
    const alice = await world.member(d, "Alice", "den");
    const bob = await world.member(d, "bob", "den");
    const f = await put(d.url, alice.welcome.token, "x", "x.txt");
    const m = await ask(alice.client, { type: "say", room: "den", text: "hi @bob", files: [f.id] });
    const reply = await ask(bob.client, { type: "say", room: "den", text: "re", replyTo: m.id });
    const zed = await world.signIn(d, "Zed");
    const dm = await ask(zed.client, { type: "dm", to: "Alice", text: "psst" });
    for (const frame of [
      { type: "edit", id: m.id, text: "hi again" },
      { type: "react", id: m.id, emoji: "👍" },
      { type: "topic", room: "den", text: "the topic" },
      { type: "mode", room: "den", mode: "operator", on: true, user: "bob" },
      { type: "mode", room: "den", mode: "topicLock", on: true },
    ]) {
      expect((await ask(alice.client, frame)).type, JSON.stringify(frame)).toBe("ack");
    }
    expect((await ask(bob.client, { type: "delete", id: reply.id })).type).toBe("ack");
    const log = await records(d.dataDir);
    const byId = (id: unknown) => log.find((r) => r.id === id)!;
    expect(byId(m.id)).toMatchObject({ room: "den", from: "Alice", text: "hi @bob", ts: m.ts, files: [f], mentions: ["bob"] });
    expect(Object.keys(byId(m.id)).slice(0, 5)).toEqual(["id", "room", "from", "text", "ts"]);
    expect(byId(reply.id)).toMatchObject({ room: "den", from: "bob", text: "re", replyTo: m.id });
    expect(byId(dm.id)).toMatchObject({ room: "dm:alice:zed", from: "Zed", to: "Alice", text: "psst" });
    const kinds = log.filter((r) => "kind" in r);
    for (const r of kinds) expect(Object.keys(r).slice(0, 3)).toEqual(["id", "room", "kind"]);
    expect(kinds.map((r) => r.kind)).toEqual(["edit", "react", "topic", "mode", "mode", "delete"]);
    expect(kinds[0]).toMatchObject({ room: "den", target: m.id, text: "hi again" });
    expect(kinds[1]).toMatchObject({ target: m.id, by: "Alice", emoji: "👍" });
    expect(kinds[2]).toMatchObject({ by: "Alice", text: "the topic" });
    expect(kinds[3]).toMatchObject({ by: "Alice", mode: "operator", on: true, user: "bob" });
    expect(kinds[4]).toMatchObject({ by: "Alice", mode: "topicLock", on: true });
    expect(kinds[4]).not.toHaveProperty("user");
    expect(kinds[5]).toMatchObject({ target: reply.id });
  });

  it("keeps rooms.json with name, topic, creation time, members, operators, voiced, topicLock and secret", async () => {
    const d = await world.daemon();
    const alice = await world.member(d, "alice", "den");
    await world.member(d, "bob", "den");
    for (const frame of [
      { type: "topic", room: "den", text: "cosy" },
      { type: "mode", room: "den", mode: "voice", on: true, user: "bob" },
      { type: "mode", room: "den", mode: "topicLock", on: true },
      { type: "mode", room: "den", mode: "secret", on: true },
    ]) {
      expect((await ask(alice.client, frame)).type).toBe("ack");
    }
    const rooms = JSON.parse(await readFile(join(d.dataDir, "rooms.json"), "utf8")) as Json[];
    const den = rooms.find((r) => r.name === "den")!;
    expect(den).toMatchObject({ name: "den", members: 2, operators: ["alice"], voiced: ["bob"], topicLock: true, secret: true });
    expect(JSON.stringify(den.topic)).toContain("cosy");
    expect(typeof den.createdAt).toBe("number");
    expect((await readdir(d.dataDir)).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("shards user files by the first letter of the lower-cased name, whatever the script", async () => {
    const d = await world.daemon();
    for (const name of ["Émile", "9lives", "Øystein", "bob"]) await world.signIn(d, name);
    const shards = (await readdir(join(d.dataDir, "users"))).sort();
    expect(shards).toEqual(["9", "b", "skeletons.jsonl", "é", "ø"].sort());
    expect(await readdir(join(d.dataDir, "users", "é"))).toEqual(["émile.json"]);
    expect(JSON.parse(await readFile(join(d.dataDir, "users", "ø", "øystein.json"), "utf8"))).toMatchObject({ name: "Øystein", role: "user" });
    const users = (await (await d.http("/admin/users", { admin: true })).json()) as Json;
    expect(users.registered).toBe(4);
  });
});

describe("the data-folder lock", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("is one JSON line (pid, instance, host, start, heartbeatMs 2000) touched every 2 s and removed on a clean stop", async () => {
    const d = await world.daemon();
    const path = join(d.dataDir, "chatd.lock");
    const text = await readFile(path, "utf8");
    expect(text.trim().split("\n")).toHaveLength(1);
    const lock = JSON.parse(text) as Json;
    expect(lock).toMatchObject({ pid: process.pid, instance: expect.any(String), host: expect.any(String), heartbeatMs: 2000 });
    expect(lock).toHaveProperty("start");
    const first = (await stat(path)).mtimeMs;
    await eventually(async () => (await stat(path)).mtimeMs > first, { timeoutMs: 4000, what: "the lock touched" });
    await d.daemon.stop();
    expect(await readdir(d.dataDir)).not.toContain("chatd.lock");
  });

  it("logs at error level once the lock is no longer its own (removed by hand)", async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "info", write: (l) => lines.push(l) });
    const d = await world.daemon({}, { logger });
    await rm(join(d.dataDir, "chatd.lock"));
    await eventually(() => lines.some((l) => /"level":"error".*"msg":"lost the data-folder lock: another chatd took it over/.test(l)), {
      timeoutMs: 6000,
      what: "the lost-lock log line",
    });
  });
});

describe("after a crash", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("cuts off a torn last line of the chat log and keeps every whole message", async () => {
    const d = await world.daemon();
    const alice = await world.member(d, "alice");
    const acks = [];
    for (const text of ["one", "two"]) acks.push(await ask(alice.client, { type: "say", room: "general", text }));
    await alice.client.close();
    await d.daemon.stop();
    await appendFile(join(d.dataDir, "chat", "chat.jsonl"), '{"id":"9999999999999-000000","room":"general","fr');
    await d.daemon.start();
    const again = await world.member(d, "alice");
    expect((again.joined.history as Json[]).map((m) => m.text)).toEqual(["one", "two"]);
    const three = await ask(again.client, { type: "say", room: "general", text: "three" });
    expect(three.type).toBe("ack");
    await again.client.close();
    await d.daemon.stop();
    await d.daemon.start();
    const third = await world.member(d, "alice");
    expect((third.joined.history as Json[]).map((m) => m.text)).toEqual(["one", "two", "three"]);
    expect((await records(d.dataDir)).map((r) => r.text)).toEqual(["one", "two", "three"]);
  });
});
