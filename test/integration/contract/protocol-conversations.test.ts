import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { Frame, TestClient } from "../../helpers/client.ts";
import { World, ask, eventually, settle } from "../../helpers/harness.ts";
import { ROOT } from "../../helpers/process.ts";

/**
 * docs/protocol.md on conversation features, from the document alone: the
 * examples of a conversation's changes, `complete` and `recovered` beside
 * records that are no messages, and what the words once left to the reader (a
 * `:short_name:`'s bound, the order of reactions, `@@name` and `@room` beside
 * an account named room, a dm to oneself, a kick or ban without a reason, how
 * far back edit, delete and react reach) held to what the server does.
 */

/** The one error `frame` is answered with (other frames may come before it). */
async function errorFor(client: TestClient, frame: Frame): Promise<Frame> {
  client.send(frame);
  const errors = (await settle(client)).filter((f) => f.type === "error");
  expect(errors, JSON.stringify(frame)).toHaveLength(1);
  return errors[0]!;
}

/** The server's examples of docs/protocol.md, by type (one a line, or one over lines joined by a leading space). */
function serverExamples(): Map<string, Frame[]> {
  const doc = readFileSync(`${ROOT}/docs/protocol.md`, "utf8");
  const text = doc.slice(doc.indexOf("## Server → client"), doc.indexOf("## Close codes"));
  const out = new Map<string, Frame[]>();
  for (const [, block] of text.matchAll(/```json\n([\s\S]*?)```/g)) {
    for (const line of block!.replace(/\n /g, " ").split("\n").filter((l) => l.trim())) {
      const f = JSON.parse(line) as Frame;
      out.set(f.type, [...(out.get(f.type) ?? []), f]);
    }
  }
  return out;
}
const told = serverExamples();

/** Exactly the example's fields, each of the same JSON type. */
function expectShape(actual: unknown, example: unknown): void {
  const kind = (v: unknown) => (Array.isArray(v) ? "array" : v === null ? "null" : typeof v);
  const shape = (f: unknown) => Object.fromEntries(Object.entries(f as object).map(([k, v]) => [k, kind(v)]).sort());
  expect(shape(actual)).toEqual(shape(example));
}

describe("the conversation examples of the server's frames", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("a reply with mentions, and a conversation's edited, reaction, deleted and search result, shaped as written", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    const hi = await ask(bob, { type: "say", room: "general", text: "hi" });
    await ask(alice, { type: "say", room: "general", text: "@bob @room look", replyTo: hi.id });
    const reply = (await settle(bob)).find((f) => f.type === "message" && f.from === "alice")!;
    expectShape(reply, told.get("message")![1]);
    expect(reply).toMatchObject({ ...told.get("message")![1], id: reply.id, ts: reply.ts, replyTo: hi.id });

    const dm = await ask(alice, { type: "dm", to: "bob", text: "café deployed?" });
    await ask(alice, { type: "edit", id: dm.id, text: "are you coming? (8pm)" });
    await ask(bob, { type: "react", id: dm.id, emoji: ":tada:" });
    await ask(bob, { type: "react", id: dm.id, emoji: ":tada:" });
    const changes = (await settle(bob)).filter((f) => ["edited", "reaction"].includes(f.type));
    expect(changes.map((f) => f.type)).toEqual(["edited", "reaction", "reaction"]);
    expectShape(changes[0], told.get("edited")![1]);
    expect(changes[0]).toEqual({ ...told.get("edited")![1], id: dm.id, editedAt: changes[0]!.editedAt });
    expectShape(changes[2], told.get("reaction")![1]);
    expect(changes[2]).toEqual({ ...told.get("reaction")![1], id: dm.id });

    const results = await eventually(async () => {
      const r = await bob.request({ type: "search", q: "coming", ref: "s1" }, "results", "error");
      if (r.type !== "results") throw new Error(JSON.stringify(r));
      return r;
    });
    // As history shows it: edited, so with `editedAt` beside the example's fields.
    const { editedAt, ...found } = (results.messages as Frame[])[0]!;
    expect(editedAt).toEqual(expect.any(Number));
    expectShape(found, (told.get("results")![0]!.messages as Frame[])[1]);
    expect(found).toMatchObject({ type: "dm", id: dm.id, from: "alice", to: "bob", text: "are you coming? (8pm)", highlights: [[8, 14]] });

    await ask(alice, { type: "delete", id: dm.id });
    const deleted = await bob.next("deleted");
    expect(deleted).toEqual({ ...told.get("deleted")![1], id: dm.id });
  });
});

describe("history and dm_history: complete", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("is true once a page reaches the oldest message kept, whatever older records (a topic, reactions) are kept", async () => {
    const d = await world.daemon({ limits: { historyPerRoom: 6 } });
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.signIn(d, "bob");
    await ask(alice, { type: "topic", room: "general", text: "a topic, stored before any message" });
    for (const text of ["m1", "m2"]) await ask(alice, { type: "say", room: "general", text });
    const page = await alice.request({ type: "history", room: "general", limit: 2 }, "history");
    expect(page).toMatchObject({ complete: true });
    expect((page.messages as Frame[]).map((m) => m.text)).toEqual(["m1", "m2"]);
    expect(await alice.request({ type: "history", room: "general", limit: 1 }, "history")).toMatchObject({ complete: false });

    // Two reactions outlive their message (6 records kept): the page of the three messages kept is complete.
    const gone = (await ask(alice, { type: "dm", to: "bob", text: "soon gone" })).id;
    for (const emoji of ["👍", "🎉"]) await ask(bob, { type: "react", id: gone, emoji });
    for (const text of ["p", "q", "r", "s"]) await ask(alice, { type: "dm", to: "bob", text });
    const dms = await alice.request({ type: "dm_history", with: "bob", limit: 3 }, "dm_history");
    expect(dms).toMatchObject({ complete: false });
    const rest = await alice.request({ type: "dm_history", with: "bob", limit: 3, before: (dms.messages as Frame[])[0]!.id }, "dm_history");
    expect(rest).toMatchObject({ complete: true });
    expect((rest.messages as Frame[]).map((m) => m.text)).toEqual(["p"]);
    expect(await alice.request({ type: "dm_history", with: "bob", limit: 4 }, "dm_history")).toMatchObject({ complete: true });
  });
});

describe("join and dm_history with since", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("recovered and complete are false when only a change after since is no longer kept", async () => {
    const d = await world.daemon({ limits: { historyPerRoom: 3 } });
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.signIn(d, "bob");
    const seen = (await ask(alice, { type: "say", room: "general", text: "m1" })).id;
    await ask(alice, { type: "topic", room: "general", text: "a topic, soon dropped" });
    for (const text of ["m2", "m3", "m4"]) await ask(alice, { type: "say", room: "general", text });
    const joined = await alice.request({ type: "join", room: "general", since: seen }, "joined");
    expect((joined.history as Frame[]).map((m) => m.text)).toEqual(["m2", "m3", "m4"]);
    expect(joined).toMatchObject({ recovered: false, topic: "a topic, soon dropped" });

    const dm = (await ask(alice, { type: "dm", to: "bob", text: "d1" })).id;
    await ask(bob, { type: "react", id: dm, emoji: "👍" });
    for (const text of ["d2", "d3", "d4"]) await ask(alice, { type: "dm", to: "bob", text });
    const page = await alice.request({ type: "dm_history", with: "bob", since: dm }, "dm_history");
    expect((page.messages as Frame[]).map((m) => m.text)).toEqual(["d2", "d3", "d4"]);
    expect(page.complete).toBe(false);
    // Nothing dropped after d2: complete.
    const second = (page.messages as Frame[])[0]!.id;
    expect(await alice.request({ type: "dm_history", with: "bob", since: second }, "dm_history")).toMatchObject({ complete: true });
  });
});

describe("react", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("takes a :short_name: of at most 32 characters, its colons counted: 30 between them, not 31", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    const id = (await ask(alice, { type: "say", room: "general", text: "react to me" })).id as string;
    const longest = `:${"a".repeat(30)}:`;
    expect(await ask(alice, { type: "react", id, emoji: longest })).toMatchObject({ type: "ack", id });
    expect(await alice.next("reaction")).toMatchObject({ id, emoji: longest, on: true });
    expect(await errorFor(alice, { type: "react", id, emoji: `:${"a".repeat(31)}:`, ref: "r" })).toMatchObject({ code: "bad_frame", ref: "r" });
  });
});

describe("reactions in pages", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("list each emoji's users in the order they reacted (again: from then), the emoji by their oldest reaction", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    const id = (await ask(alice, { type: "say", room: "general", text: "react to me" })).id as string;
    for (const [client, emoji] of [[alice, "👍"], [bob, "🎉"], [bob, "👍"], [alice, "👍"], [alice, "👍"]] as const) {
      expect(await ask(client, { type: "react", id, emoji })).toMatchObject({ type: "ack", id });
    }
    const reactionsIn = async (frame: Frame, type: string) => ((await bob.request(frame, type))[type === "joined" ? "history" : "messages"] as Frame[]).find((m) => m.id === id)!.reactions as Record<string, string[]>;
    for (const [frame, type] of [[{ type: "history", room: "general" }, "history"], [{ type: "join", room: "general" }, "joined"]] as const) {
      const reactions = await reactionsIn(frame, type);
      // Alice's 👍 counts from her second; the oldest 👍 standing (bob's) came after bob's 🎉.
      expect(Object.entries(reactions), type).toEqual([["🎉", ["bob"]], ["👍", ["bob", "alice"]]]);
    }
  });
});

describe("notice", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("kick and ban without a reason: the text says who acted", async () => {
    const d = await world.daemon();
    const { client: mod } = await world.signIn(d, "Mod");
    await d.http("/admin/role", { method: "PUT", admin: true, body: JSON.stringify({ user: "mod", role: "moderator" }) });
    const { client: alice } = await world.signIn(d, "alice");
    mod.send({ type: "kick", user: "alice", ref: 1 });
    expect(await mod.next("moderated")).toMatchObject({ action: "kick", user: "alice", sessions: 1, ref: 1 });
    expect(await alice.next("notice")).toEqual({ type: "notice", kind: "kick", text: "kicked by Mod", ts: expect.any(Number) });
    expect(await alice.closed).toEqual({ code: 4000, reason: "kicked" });

    const { client: again } = await world.signIn(d, "alice");
    expect((await d.http("/admin/kick", { method: "POST", admin: true, body: JSON.stringify({ user: "alice" }) })).status).toBe(200);
    expect(await again.next("notice")).toEqual({ type: "notice", kind: "kick", text: "kicked by an operator", ts: expect.any(Number) });
    expect((await again.closed).code).toBe(4000);

    const { client: last } = await world.signIn(d, "alice");
    expect((await d.http("/admin/ban", { method: "POST", admin: true, body: JSON.stringify({ user: "alice" }) })).status).toBe(200);
    expect(await last.next("notice")).toEqual({ type: "notice", kind: "ban", text: "banned by an operator", ts: expect.any(Number) });
    expect(await last.closed).toEqual({ code: 4002, reason: "banned" });
  });
});

describe("mentions", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("@room is the room, never an account named room: every member in a room, no one in a conversation", async () => {
    const d = await world.daemon();
    const { client: room } = await world.member(d, "Room");
    const { client: alice } = await world.member(d, "alice");
    await ask(alice, { type: "say", room: "general", text: "hey @Room" });
    expect(await room.next("message")).toMatchObject({ text: "hey @Room", mentions: ["@room"] });
    await ask(alice, { type: "dm", to: "room", text: "hey @room" });
    expect(await room.next("dm")).not.toHaveProperty("mentions");
    const { welcome } = await world.signIn(d, "room");
    expect(welcome.unread).toEqual([
      { room: "general", count: 1, mentions: 1 },
      { with: "alice", count: 1, mentions: 0 },
    ]);
  });

  it("count after a character that is no part of a name and no @: `@@bob` mentions no one, `#@bob` mentions bob", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    await world.signIn(d, "bob");
    for (const [text, mentions] of [["@@bob", undefined], ["hi @@bob", undefined], ["'@bob'", ["bob"]], ["#@bob", ["bob"]]] as const) {
      await ask(alice, { type: "say", room: "general", text });
      expect((await alice.next("message")).mentions, text).toEqual(mentions);
    }
  });
});

describe("dm to oneself", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("is a conversation with oneself: one dm to each connection, in dm_history and welcome, never unread", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.signIn(d, "Alice");
    const { client: other } = await world.signIn(d, "alice");
    const ack = await ask(alice, { type: "dm", to: "ALICE", text: "note to self" });
    const dm = { type: "dm", id: ack.id, from: "Alice", to: "Alice", text: "note to self", ts: ack.ts };
    for (const client of [alice, other]) expect((await settle(client)).filter((f) => f.type === "dm")).toEqual([dm]);
    expect(await alice.request({ type: "dm_history", with: "alice" }, "dm_history")).toEqual({ type: "dm_history", with: "alice", messages: [dm], complete: true });
    const { welcome } = await world.signIn(d, "alice");
    expect(welcome.conversations).toEqual([{ with: "Alice", lastId: ack.id, ts: ack.ts }]);
    expect(welcome.unread).toEqual([]);
  });
});

describe("edit, delete and react in conversations", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("reach the user's 500 most recent conversations; a dm in an older one brings it back", async () => {
    const many = { ipAccountBurst: 1000, ipSignInBurst: 1000, messageBurst: 1000, ipMessageBurst: 1000 };
    const d = await world.daemon({ limits: many });
    const { client: alice } = await world.signIn(d, "alice");
    // 501 accounts, a few at a time (each sign-in writes its user file).
    const names = Array.from({ length: 501 }, (_, i) => `u${i}`);
    for (let i = 0; i < names.length; i += 10) {
      await Promise.all(names.slice(i, i + 10).map(async (name) => (await world.signIn(d, name)).client.ws.terminate()));
    }
    const oldest = (await ask(alice, { type: "dm", to: "u0", text: "the oldest conversation" })).id as string;
    for (const name of names.slice(1)) alice.send({ type: "dm", to: name, text: "hi", ref: name });
    const acked = new Set<unknown>();
    while (acked.size < 500) {
      const f = await alice.next();
      expect(f.type, JSON.stringify(f)).not.toBe("error");
      if (f.type === "ack" && f.ref !== undefined) acked.add(f.ref);
    }

    const { welcome } = await world.signIn(d, "alice");
    expect(welcome.conversations).toHaveLength(500);
    expect((welcome.conversations as Frame[]).some((c) => c.with === "u0")).toBe(false);
    for (const change of [{ type: "edit", text: "edited" }, { type: "react", emoji: "👍" }, { type: "delete" }]) {
      expect(await ask(alice, { ...change, id: oldest } as Frame), change.type).toMatchObject({ type: "error", code: "not_found" });
    }
    // Still there, and still a message to reply to.
    const reply = await ask(alice, { type: "dm", to: "u0", text: "back again", replyTo: oldest });
    expect(reply).toMatchObject({ type: "ack" });
    expect(await ask(alice, { type: "edit", id: oldest, text: "edited" })).toMatchObject({ type: "ack", id: oldest });
  }, 60_000);
});
