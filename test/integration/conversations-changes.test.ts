import { afterEach, describe, expect, it } from "vitest";
import type { Frame, TestClient } from "../helpers/client.ts";
import { World, eventually, settle, writeConfig } from "../helpers/harness.ts";

/** The frame (received so far, consumed or not) with this type and id. */
function received(client: TestClient, type: string, id: string): Promise<Frame> {
  return eventually(() => {
    const f = client.frames.find((x) => x.type === type && x.id === id);
    if (!f) throw new Error(`no ${type} ${id}`);
    return f;
  });
}

/** Sends a frame with a ref and returns the ack or error answering it. */
async function ask(client: TestClient, frame: Record<string, unknown>): Promise<Frame> {
  const ref = `r${Math.random().toString(36).slice(2)}`;
  client.send({ ...frame, ref });
  for (;;) {
    const f = await client.next();
    if ((f.type === "ack" || f.type === "error") && f.ref === ref) return f;
  }
}

async function sayId(client: TestClient, text: string, extra: Record<string, unknown> = {}): Promise<string> {
  const ack = await ask(client, { type: "say", room: "general", text, ...extra });
  expect(ack.type, JSON.stringify(ack)).toBe("ack");
  return ack.id as string;
}

describe("conversations: replies, mentions, edit, delete, react (issue 19)", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("replies and mentions: replyTo and mentions on the message; not_found for a reply elsewhere", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "Bob");
    const first = await sayId(alice, "first");
    const second = await sayId(bob, "@alice @ALICE @nobody @room see a@b", { replyTo: first });
    const m = await received(alice, "message", second);
    expect(m).toMatchObject({ from: "Bob", replyTo: first, mentions: ["alice", "@room"] });
    const third = await sayId(alice, "no one here");
    const plain = await received(bob, "message", third);
    expect(plain.mentions).toBeUndefined();
    expect(plain.replyTo).toBeUndefined();
    expect(await ask(alice, { type: "say", room: "general", text: "x", replyTo: "1764100000000-000099" })).toMatchObject({ type: "error", code: "not_found" });
    // A DM cannot reply to a room message.
    expect(await ask(alice, { type: "dm", to: "bob", text: "x", replyTo: first })).toMatchObject({ type: "error", code: "not_found" });
    const dmAck = await ask(alice, { type: "dm", to: "bob", text: "hi @bob" });
    const reply = await ask(bob, { type: "dm", to: "alice", text: "yes", replyTo: dmAck.id });
    expect(reply.type).toBe("ack");
    const dm = await received(alice, "dm", reply.id as string);
    expect(dm).toMatchObject({ from: "Bob", to: "alice", replyTo: dmAck.id });
    const history = await alice.request({ type: "dm_history", with: "bob" }, "dm_history");
    expect((history.messages as Frame[])[0]).toMatchObject({ text: "hi @bob", mentions: ["Bob"] });
  });

  it("edit: author only, edited to every member, history and joined show the latest text", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    const id = await sayId(alice, "helo");
    const ack = await ask(alice, { type: "edit", id, text: "hello @bob" });
    expect(ack).toMatchObject({ type: "ack", id });
    const edited = await bob.next("edited");
    expect(edited).toEqual({ type: "edited", id, room: "general", from: "alice", text: "hello @bob", editedAt: expect.any(Number), mentions: ["bob"] });
    expect(await ask(bob, { type: "edit", id, text: "mine now" })).toMatchObject({ type: "error", code: "forbidden" });
    expect(await ask(alice, { type: "edit", id: "1764100000000-000099", text: "x" })).toMatchObject({ type: "error", code: "not_found" });
    expect(await ask(alice, { type: "edit", id: "nonsense", text: "x" })).toMatchObject({ type: "error", code: "not_found" });
    expect(await ask(alice, { type: "edit", id, text: "   " })).toMatchObject({ type: "error", code: "bad_frame" });
    const history = await alice.request({ type: "history", room: "general" }, "history");
    expect(history.messages).toEqual([{ type: "message", id, room: "general", from: "alice", text: "hello @bob", ts: expect.any(Number), mentions: ["bob"], editedAt: edited.editedAt }]);
    const { joined } = await world.member(d, "carol");
    expect((joined.history as Frame[])[0]).toMatchObject({ id, text: "hello @bob", editedAt: edited.editedAt });
    // Not visible to a user outside the room.
    const { client: dave } = await world.signIn(d, "dave");
    expect(await ask(dave, { type: "react", id, emoji: "👍" })).toMatchObject({ type: "error", code: "not_found" });
    // The connection lives on.
    expect(await ask(alice, { type: "say", room: "general", text: "still here" })).toMatchObject({ type: "ack" });
  });

  it("delete: by the author or a moderator; deleted to members; history keeps only the mark", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    const a = await sayId(alice, "one");
    const b = await sayId(alice, "two");
    expect(await ask(bob, { type: "delete", id: a })).toMatchObject({ type: "error", code: "forbidden" });
    await ask(bob, { type: "react", id: a, emoji: "🎉" });
    expect(await ask(alice, { type: "delete", id: a })).toMatchObject({ type: "ack", id: a });
    expect(await bob.next("deleted")).toEqual({ type: "deleted", id: a, room: "general" });
    for (const frame of [{ type: "delete", id: a }, { type: "edit", id: a, text: "x" }, { type: "react", id: a, emoji: "👍" }]) {
      expect(await ask(alice, frame)).toMatchObject({ type: "error", code: "not_found" });
    }
    const res = await d.http("/admin/role", { method: "PUT", admin: true, body: JSON.stringify({ user: "bob", role: "moderator" }), headers: { "content-type": "application/json" } });
    expect(res.status).toBe(200);
    expect(await ask(bob, { type: "delete", id: b })).toMatchObject({ type: "ack", id: b });
    const history = await alice.request({ type: "history", room: "general" }, "history");
    expect(history.messages).toEqual([
      { type: "message", id: a, room: "general", from: "alice", ts: expect.any(Number), deleted: true },
      { type: "message", id: b, room: "general", from: "alice", ts: expect.any(Number), deleted: true },
    ]);
  });

  it("react: toggles, reaction frames, reactions in history, emoji checked, at most 20", async () => {
    const d = await world.daemon({ limits: { messagesPerSecond: 1000, messageBurst: 1000 } });
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    const id = await sayId(alice, "vote");
    expect(await ask(alice, { type: "react", id, emoji: "👍" })).toMatchObject({ type: "ack", id });
    expect(await bob.next("reaction")).toEqual({ type: "reaction", id, room: "general", emoji: "👍", user: "alice", on: true });
    await ask(bob, { type: "react", id, emoji: "👍" });
    await ask(bob, { type: "react", id, emoji: ":tada:" });
    await ask(bob, { type: "react", id, emoji: ":tada:" });
    let history = await alice.request({ type: "history", room: "general" }, "history");
    expect((history.messages as Frame[])[0]!.reactions).toEqual({ "👍": ["alice", "bob"] });
    for (const bad of ["", "ab", "👍👍", ":not a name:", `:${"x".repeat(31)}:`, "<b>"]) {
      expect(await ask(alice, { type: "react", id, emoji: bad }), bad).toMatchObject({ type: "error", code: "bad_frame" });
    }
    for (const ok of ["👩‍👩‍👧", "🇫🇷", "1️⃣", "❤️"]) expect(await ask(alice, { type: "react", id, emoji: ok }), ok).toMatchObject({ type: "ack" });
    for (let i = 0; i < 15; i++) expect(await ask(alice, { type: "react", id, emoji: `:e${i}:` })).toMatchObject({ type: "ack" });
    expect(await ask(alice, { type: "react", id, emoji: ":one-too-many:" })).toMatchObject({ type: "error", code: "too_large" });
    // Joining an existing reaction is fine at the cap.
    expect(await ask(bob, { type: "react", id, emoji: ":e0:" })).toMatchObject({ type: "ack" });
    history = await bob.request({ type: "history", room: "general" }, "history");
    expect(Object.keys((history.messages as Frame[])[0]!.reactions as object)).toHaveLength(20);
  });

  it("direct messages: edited, deleted and reaction to both sides with from/to", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.signIn(d, "alice");
    const { client: bob } = await world.signIn(d, "bob");
    const { id } = await ask(alice, { type: "dm", to: "bob", text: "hi" });
    await ask(alice, { type: "edit", id, text: "hi!" });
    expect(await bob.next("edited")).toEqual({ type: "edited", id, from: "alice", to: "bob", text: "hi!", editedAt: expect.any(Number) });
    await ask(bob, { type: "react", id, emoji: "👋" });
    expect(await alice.next("reaction")).toEqual({ type: "reaction", id, from: "alice", to: "bob", emoji: "👋", user: "bob", on: true });
    expect(await ask(bob, { type: "delete", id })).toMatchObject({ type: "error", code: "forbidden" });
    const page = await bob.request({ type: "dm_history", with: "alice" }, "dm_history");
    expect(page.messages).toEqual([{ type: "dm", id, from: "alice", to: "bob", text: "hi!", ts: expect.any(Number), editedAt: expect.any(Number), reactions: { "👋": ["bob"] } }]);
    await ask(alice, { type: "delete", id });
    expect(await bob.next("deleted")).toEqual({ type: "deleted", id, from: "alice", to: "bob" });
    const after = await alice.request({ type: "dm_history", with: "bob" }, "dm_history");
    expect(after.messages).toEqual([{ type: "dm", id, from: "alice", to: "bob", ts: expect.any(Number), deleted: true }]);
    // A third user cannot see the conversation.
    const { client: carol } = await world.signIn(d, "carol");
    expect(await ask(carol, { type: "react", id, emoji: "👍" })).toMatchObject({ type: "error", code: "not_found" });
  });

  it("DELETE /admin/messages/{id}: deleted to members; 404 for an unknown or deleted id; admin auth", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    const id = await sayId(alice, "spam");
    expect((await d.http(`/admin/messages/${id}`, { method: "DELETE" })).status).toBe(401);
    const res = await d.http(`/admin/messages/${id}`, { method: "DELETE", admin: true });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ deleted: id });
    expect(await alice.next("deleted")).toEqual({ type: "deleted", id, room: "general" });
    expect((await d.http(`/admin/messages/${id}`, { method: "DELETE", admin: true })).status).toBe(404);
    expect((await d.http(`/admin/messages/nonsense`, { method: "DELETE", admin: true })).status).toBe(404);
  });

  it("join with since: changes made meanwhile to older messages follow joined as their frames, once", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    const { client: bob, welcome } = await world.member(d, "bob");
    const old = await sayId(alice, "old");
    const gone = await sayId(alice, "to be deleted");
    const since = await sayId(alice, "last seen");
    await bob.close();
    expect(await ask(alice, { type: "edit", id: old, text: "old, edited" })).toMatchObject({ type: "ack" });
    expect(await ask(alice, { type: "react", id: old, emoji: "👍" })).toMatchObject({ type: "ack" });
    expect(await ask(alice, { type: "delete", id: gone })).toMatchObject({ type: "ack" });
    const fresh = await sayId(alice, "new");
    expect(await ask(alice, { type: "react", id: fresh, emoji: "🎉" })).toMatchObject({ type: "ack" });
    expect(await ask(alice, { type: "topic", room: "general", text: "while you were away" })).toMatchObject({ type: "ack" });
    const { client: again } = await world.resume(d, welcome.token);
    const joined = await again.request({ type: "join", room: "general", since }, "joined");
    // The new message carries its own reaction; the older ones' changes come as frames.
    expect(joined.history).toEqual([{ type: "message", id: fresh, room: "general", from: "alice", text: "new", ts: expect.any(Number), reactions: { "🎉": ["alice"] } }]);
    expect(joined.topic).toBe("while you were away");
    // (Presence and the unasked `rooms` push after the topic may come in between.)
    const after = (await settle(again)).filter((f) => ["edited", "reaction", "deleted", "topic", "message"].includes(f.type as string));
    expect(after).toEqual([
      { type: "edited", id: old, room: "general", from: "alice", text: "old, edited", editedAt: expect.any(Number) },
      { type: "reaction", id: old, room: "general", emoji: "👍", user: "alice", on: true },
      { type: "deleted", id: gone, room: "general" },
      { type: "topic", room: "general", text: "while you were away", by: "alice", ts: expect.any(Number) },
    ]);
  });

  it("counts edits and reactions against the message rate", async () => {
    const d = await world.daemon({ limits: { messagesPerSecond: 1, messageBurst: 3 } });
    const { client: alice } = await world.member(d, "alice");
    const id = await sayId(alice, "x");
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await ask(alice, { type: "react", id, emoji: "👍" }));
    expect(answers.map((a) => a.type === "error" ? a.code : a.type)).toContain("rate_limited");
  });

  it("keeps edits, deletes and reactions across a restart (and pages fill past the changes)", async () => {
    const d = await world.daemon({ limits: { messagesPerSecond: 1000, messageBurst: 1000 } });
    const { client: alice } = await world.member(d, "alice");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await sayId(alice, `m${i}`));
    await ask(alice, { type: "edit", id: ids[0], text: "m0 edited" });
    await ask(alice, { type: "delete", id: ids[1] });
    for (let i = 0; i < 6; i++) await ask(alice, { type: "react", id: ids[2], emoji: `:r${i}:` });
    await d.close({ keepData: true });
    const again = await world.daemon({}, { dataDir: d.dataDir });
    const { client, joined } = await world.member(again, "alice");
    const page = await client.request({ type: "history", room: "general", limit: 5 }, "history");
    for (const messages of [page.messages as Frame[], joined.history as Frame[]]) {
      expect(messages.map((m) => m.id)).toEqual(ids);
      expect(messages[0]).toMatchObject({ text: "m0 edited", editedAt: expect.any(Number) });
      expect(messages[1]).toEqual({ type: "message", id: ids[1], room: "general", from: "alice", ts: expect.any(Number), deleted: true });
      expect(Object.keys(messages[2]!.reactions as object)).toHaveLength(6);
    }
    await settle(client);
  });

  it("loses no acknowledged edit, delete or reaction when killed with SIGKILL", async () => {
    const dir = await world.tempDir();
    const configPath = await writeConfig(dir, { bcryptCost: 4, rooms: ["general"] });
    const env = { CHAT_CONFIG: configPath, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_DATA_DIR: dir };
    const p = await world.spawn(env);
    const wsUrl = `ws://127.0.0.1:${p.port}/ws`;
    const { client: alice } = await world.member({ wsUrl }, "alice");
    const a = await sayId(alice, "a");
    const b = await sayId(alice, "b");
    expect(await ask(alice, { type: "edit", id: a, text: "a2" })).toMatchObject({ type: "ack" });
    expect(await ask(alice, { type: "react", id: a, emoji: "🔥" })).toMatchObject({ type: "ack" });
    expect(await ask(alice, { type: "delete", id: b })).toMatchObject({ type: "ack" });
    p.child.kill("SIGKILL");
    await p.exited;
    const next = await world.spawn(env);
    const { joined } = await world.member({ wsUrl: `ws://127.0.0.1:${next.port}/ws` }, "alice");
    expect(joined.history).toEqual([
      { type: "message", id: a, room: "general", from: "alice", text: "a2", ts: expect.any(Number), editedAt: expect.any(Number), reactions: { "🔥": ["alice"] } },
      { type: "message", id: b, room: "general", from: "alice", ts: expect.any(Number), deleted: true },
    ]);
  });
});
