import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { Frame, TestClient } from "../../helpers/client.ts";
import { World, ask as answerOf, eventually, say, settle } from "../../helpers/harness.ts";
import { ROOT } from "../../helpers/process.ts";

/**
 * The examples of docs/protocol.md sent as written (the client's), and the
 * server's answers held against the server's examples: the same fields, each
 * of the same JSON type, and the same values where the example's are not the
 * server's to choose (ids, times and tokens are). contract-protocol.test.ts
 * does this for the first frames; this file for the rest.
 */

function examples(): { client: Map<string, Frame[]>; server: Map<string, Frame[]> } {
  const doc = readFileSync(`${ROOT}/docs/protocol.md`, "utf8");
  const split = doc.indexOf("## Server → client");
  const parse = (text: string) => {
    const out = new Map<string, Frame[]>();
    for (const [, block] of text.matchAll(/```json\n([\s\S]*?)```/g)) {
      const lines = block!.replace(/\n /g, " ").split("\n").filter((l) => l.trim());
      for (const f of lines.map((l) => JSON.parse(l) as Frame)) out.set(f.type, [...(out.get(f.type) ?? []), f]);
    }
    return out;
  };
  return { client: parse(doc.slice(0, split)), server: parse(doc.slice(split, doc.indexOf("## Close codes"))) };
}
const { client: sent, server: told } = examples();
const ask = (type: string, i = 0) => structuredClone(sent.get(type)![i]!);
const answer = (type: string, i = 0) => told.get(type)![i]!;
/** The client example of `type` that has `field`. */
const askWith = (type: string, field: string) => structuredClone(sent.get(type)!.find((f) => field in f)!);

/** The next `n` acks (an ack comes once its request is durable: after later answers, maybe). */
async function acks(client: TestClient, n: number): Promise<Frame[]> {
  const out: Frame[] = [];
  while (out.length < n) out.push(await client.next("ack"));
  return out;
}

/** `actual` has exactly the example's fields, with values of the same JSON types. */
function expectShape(actual: Frame | undefined, example: Frame): void {
  const kind = (v: unknown) => (Array.isArray(v) ? "array" : v === null ? "null" : typeof v);
  const shape = (f: Frame) => Object.fromEntries(Object.entries(f).map(([k, v]) => [k, kind(v)]).sort());
  expect(actual && shape(actual)).toEqual(shape(example));
}

/** The frames `client` gets before a ping sent after `frame` is answered. */
async function answersTo(client: TestClient, frame: unknown): Promise<Frame[]> {
  client.send(frame);
  return settle(client);
}

describe("README.md's minimal session, sent as written", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("answers each line as the README shows it", async () => {
    const readme = readFileSync(`${ROOT}/README.md`, "utf8");
    const lines = readme.slice(readme.indexOf("A minimal session:")).split("\n").filter((l) => /^[→←] /.test(l));
    const sentLines = lines.filter((l) => l.startsWith("→")).map((l) => JSON.parse(l.slice(2)) as Frame);
    const toldLines = lines.filter((l) => l.startsWith("←")).map((l) => l.slice(2));
    expect(sentLines.map((f) => f.type)).toEqual(["hello", "join", "say"]);
    // The rooms `npm start` serves: those of the shipped config/server.json.
    const shipped = JSON.parse(readFileSync(`${ROOT}/config/server.json`, "utf8")) as { rooms: string[] };
    const rooms = JSON.parse(/"rooms":(\[[^\]]*\])/.exec(toldLines[0]!)?.[1] ?? "null") as unknown;
    expect(rooms).toEqual(shipped.rooms);
    const d = await world.daemon({ rooms: shipped.rooms });
    const client = await world.connect(d);
    const welcome = await client.request(sentLines[0]!, "welcome", "error");
    expect(welcome).toMatchObject({ type: "welcome", user: "alice", rooms, created: true, token: expect.any(String), motd: expect.any(String) });
    // The joined line is whole (no "…"): exactly what comes.
    expect(await client.request(sentLines[1]!, "joined", "error")).toEqual(JSON.parse(toldLines[1]!));
    client.send(sentLines[2]);
    const [first, second] = [await client.next(), await client.next()];
    const message = [first, second].find((f) => f!.type === "message")!;
    const ack = [first, second].find((f) => f!.type === "ack")!;
    const [exampleMessage, exampleAck] = [JSON.parse(toldLines[2]!) as Frame, JSON.parse(toldLines[3]!) as Frame];
    expect(message).toEqual({ ...exampleMessage, id: ack.id, ts: ack.ts });
    expect(ack).toEqual({ ...exampleAck, id: message.id, ts: message.ts });
  });
});

describe("docs/protocol.md's examples, sent as written", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("leave with a reason, say as a notice and with tags, join with since, history before, dm_history since", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    expect(await alice.next("presence")).toMatchObject({ user: "bob", event: "join" });

    alice.send(askWith("say", "notice")); // ref c3
    const notice = await bob.next("message");
    expectShape(notice, answer("message", 2));
    expect(notice).toMatchObject({ from: "alice", text: "the build is green", notice: true });
    alice.send(askWith("say", "tags")); // ref c4
    const tagged = await bob.next("message");
    expectShape(tagged, answer("message", 3));
    expect(tagged.tags).toEqual(answer("message", 3).tags);
    const sayAcks = await acks(alice, 2);
    expect(sayAcks.map((a) => a.ref)).toEqual(["c3", "c4"]);
    for (const a of sayAcks) expectShape(a, answer("ack"));

    // Every id now is newer than the examples' (November 2025).
    const history = await alice.request(ask("history"), "history");
    expect(history).toEqual({ type: "history", room: "general", messages: [], complete: true });
    const resumed = await alice.request(ask("join", 1), "joined");
    expect(resumed).toMatchObject({ recovered: true, history: [notice, tagged] });
    alice.send({ type: "dm", to: "bob", text: "are you coming?", ref: 1 });
    const dm = await alice.next("dm");
    const dmHistory = await alice.request(ask("dm_history", 1), "dm_history");
    expectShape(dmHistory, answer("dm_history"));
    expect(dmHistory).toMatchObject({ with: "bob", messages: [dm], complete: true });

    // Bob leaves as the example writes it; alice is told as the presence example writes it.
    expect(await bob.request(ask("leave", 1), "left")).toEqual(answer("left"));
    expect(await alice.next("presence")).toEqual(answer("presence", 1));
  });

  it("tags to a room and to a user", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    const { client: alice2 } = await world.signIn(d, "alice");
    await settle(alice);

    const roomAnswers = await answersTo(alice, ask("tags", 0));
    expect(roomAnswers.filter((f) => f.type === "tags")).toEqual([]);
    const ack = roomAnswers.find((f) => f.type === "ack")!;
    expectShape(ack, answer("ack"));
    expect(ack.ref).toBe("t1");
    const toRoom = await bob.next("tags");
    expectShape(toRoom, answer("tags", 0));
    expect(toRoom).toEqual({ ...answer("tags", 0), id: ack.id, ts: ack.ts });
    expect(toRoom.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const userAnswers = await answersTo(alice, ask("tags", 1));
    const ack2 = userAnswers.find((f) => f.type === "ack")!;
    expect(ack2.ref).toBe("t2");
    expect(userAnswers.filter((f) => f.type === "tags")).toEqual([]);
    const toBob = await bob.next("tags");
    expect(toBob).toEqual({ ...answer("tags", 1), id: ack2.id, ts: ack2.ts });
    // The sender's other connections get it too.
    expect(await alice2.next("tags")).toEqual(toBob);
  });

  it("read, topic and mode", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    const { client: alice2 } = await world.signIn(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    await d.http("/admin/role", { method: "PUT", admin: true, body: JSON.stringify({ user: "alice", role: "moderator" }) });
    expect(await alice.next("presence")).toMatchObject({ user: "bob", event: "join" });

    // A marker goes no further than the newest record kept: each stream gets one (after the examples' ids).
    await say(bob, "general", ["before the read"]);
    expect(await answerOf(alice, { type: "dm", to: "bob", text: "before the read" })).toMatchObject({ type: "ack" });
    await settle(alice);
    await settle(alice2);
    // Without a ref: no answer; the user's other connections get the same frame.
    expect(await answersTo(alice, ask("read", 0))).toEqual([]);
    expect(await alice2.next("read")).toEqual(answer("read", 0));
    expect(await answersTo(alice, ask("read", 1))).toEqual([]);
    expect(await alice2.next("read")).toEqual(answer("read", 1));

    alice.send(ask("topic"));
    const topic = await bob.next("topic");
    expectShape(topic, answer("topic"));
    expect(topic).toMatchObject({ room: "general", text: "Release on Friday", by: "alice" });
    expect(await alice.next("ack")).toEqual({ type: "ack", id: expect.any(String), ts: topic.ts });

    const modes = sent.get("mode")!;
    for (const m of modes) alice.send(m);
    const told2 = [await bob.next("mode"), await bob.next("mode"), await bob.next("mode"), await bob.next("mode")];
    for (const [i, f] of told2.entries()) {
      const { type: _t, ref: _r, ...fields } = modes[i]!;
      expect(f).toEqual({ type: "mode", ...fields, by: "alice", ts: expect.any(Number) });
    }
    expectShape(told2[0], answer("mode", 0));
    expectShape(told2[1], answer("mode", 1));
    expect((await acks(alice, 4)).map((a) => a.ref)).toEqual(["m1", undefined, undefined, undefined]);
    const joined = await bob.request({ type: "join", room: "general" }, "joined");
    // A moderator acts as an operator without being listed among them.
    expect(joined).toMatchObject({ topic: "Release on Friday", operators: ["bob"], voiced: [], modes: { topicLock: true, secret: true } });
  });

  it("edit, delete and react (with a real id), password and search", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice", "general");
    await alice.request({ type: "password", old: "correct-horse", new: "correct horse", ref: "p0" }, "password_changed");
    const { client: bob } = await world.member(d, "bob");
    alice.send({ type: "say", room: "general", text: "hello, world", ref: "s" });
    const id = (await bob.next("message")).id as string;
    await alice.next("ack");

    const [edit, del] = [ask("edit"), ask("delete")];
    const react = ask("react");
    for (const f of [edit, react, del]) f.id = id;
    alice.send(edit);
    const edited = await bob.next("edited");
    expectShape(edited, answer("edited", 0));
    expect(edited).toMatchObject({ id, room: "general", from: "alice", text: "hello, world!" });
    alice.send(react);
    const reaction = await bob.next("reaction");
    expect(reaction).toEqual({ ...answer("reaction", 0), id });
    alice.send(del);
    expect(await bob.next("deleted")).toEqual({ ...answer("deleted", 0), id });
    expect((await acks(alice, 3)).map((a) => [a.ref, a.id])).toEqual([["e1", id], ["r1", id], ["d1", id]]);

    const changed = await alice.request(ask("password"), "password_changed", "error");
    expectShape(changed, answer("password_changed"));
    expect(changed.ref).toBe("p1");

    bob.send({ type: "say", room: "general", text: "Deploy the Café app, see the release notes", ref: "x" });
    await bob.next("ack");
    alice.send({ type: "say", room: "general", text: "deployed, release notes are up", ref: "y" });
    await alice.next("ack");
    // The index may still be being built right after the start: `unavailable`, ask again.
    const results = await eventually(async () => {
      const r = await alice.request(ask("search", 0), "results", "error");
      if (r.type !== "results") throw new Error(JSON.stringify(r));
      return r;
    });
    expectShape(results, answer("results"));
    expect(results).toMatchObject({ q: ask("search", 0).q, ref: "s1", complete: true });
    expect((results.messages as Frame[]).map((m) => m.text)).toEqual(["deployed, release notes are up"]);
    expectShape((results.messages as Frame[])[0], (answer("results").messages as Frame[])[0]!);
    const cafe = await alice.request(ask("search", 1), "results");
    expect((cafe.messages as Frame[]).map((m) => m.from)).toEqual(["bob"]);
    expect(cafe).not.toHaveProperty("ref");

    const rooms = await alice.request(ask("rooms", 1), "rooms");
    expect(rooms).toEqual({ type: "rooms", rooms: [], ref: "r1" });
  });
});
