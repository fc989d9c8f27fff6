import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, TestClient, type Frame } from "../helpers/client.ts";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADMIN_TOKEN, startDaemon, type TestDaemon } from "../helpers/daemon.ts";
import { put } from "../helpers/files.ts";
import { writeConfig } from "../helpers/harness.ts";
import { spawnDaemon } from "../helpers/process.ts";
import { daemonCommand, type RuntimeName } from "../helpers/runtimes.ts";

// Issue 19's contract, written from README.md, docs/protocol.md and docs/operations.md alone:
// each frame and error code with real clients on a real daemon, on Node (in this process)
// and on Deno (its own process, as `deno task start` runs it).

type Target = Pick<TestDaemon, "url" | "wsUrl" | "dataDir" | "http" | "close">;
type Limits = Record<string, number>;

/** A daemon on `runtime` with `limits`, on a fresh data directory or `dataDir` (a restart). */
async function launch(runtime: RuntimeName, limits: Limits = {}, dataDir?: string): Promise<Target> {
  if (runtime === "node") return startDaemon({ limits }, dataDir ? { dataDir } : {});
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), "chatd-contract-")));
  const configPath = await writeConfig(dir, { bcryptCost: 4, limits }, "contract.json");
  const p = await spawnDaemon(
    { CHAT_CONFIG: configPath, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_DATA_DIR: dir, CHAT_ADMIN_TOKEN: ADMIN_TOKEN },
    { command: daemonCommand("deno") },
  );
  const url = `http://127.0.0.1:${p.port}`;
  return {
    url,
    wsUrl: `ws://127.0.0.1:${p.port}/ws`,
    dataDir: dir,
    http(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.admin) headers.set("Authorization", `Bearer ${ADMIN_TOKEN}`);
      if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
      return fetch(`${url}${path}`, { ...init, headers });
    },
    async close({ keepData = false } = {}) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGTERM");
      await p.exited;
      if (!keepData) await rm(dir, { recursive: true, force: true });
    },
  };
}

let d: Target;

const clients: TestClient[] = [];
afterAll(() => {
  for (const c of clients) c.ws.terminate();
});
async function user(name: string, password = "correct-horse") {
  const s = await signIn(d.wsUrl, name, password);
  clients.push(s.client);
  return s;
}
async function member(name: string, room: string): Promise<TestClient> {
  const { client } = await user(name);
  await client.request({ type: "join", room }, "joined");
  return client;
}

let refs = 0;
/** Sends `frame` with a fresh ref and resolves with the frame answering it (ack, error, ...). */
async function answer(c: TestClient, frame: Record<string, unknown>): Promise<Frame> {
  const ref = `q${++refs}`;
  c.send({ ...frame, ref });
  return find(c, (f) => f.ref === ref);
}
/** The first frame the client got (at any time) that fits. */
async function find(c: TestClient, fits: (f: Frame) => boolean, timeout = 5000): Promise<Frame> {
  let found: Frame | undefined;
  await expect.poll(() => (found = c.frames.find(fits)), { timeout, interval: 10 }).toBeDefined();
  return found!;
}
const of = (type: string, id?: unknown) => (f: Frame) => f.type === type && (id === undefined || f.id === id);
async function say(c: TestClient, room: string, text: string, extra: Record<string, unknown> = {}): Promise<string> {
  const a = await answer(c, { type: "say", room, text, ...extra });
  expect(a.type, JSON.stringify(a)).toBe("ack");
  return String(a.id);
}
async function dm(c: TestClient, to: string, text: string, extra: Record<string, unknown> = {}): Promise<string> {
  const a = await answer(c, { type: "dm", to, text, ...extra });
  expect(a.type, JSON.stringify(a)).toBe("ack");
  return String(a.id);
}
/** The error answering `frame`, and proof that the connection lives on. */
async function refused(c: TestClient, frame: Record<string, unknown>, code: string): Promise<Frame> {
  const e = await answer(c, frame);
  expect(e, JSON.stringify(frame)).toMatchObject({ type: "error", code });
  expect(await answer(c, { type: "ping" })).toMatchObject({ type: "pong" });
  return e;
}
async function historyOf(c: TestClient, room: string): Promise<Frame[]> {
  return (await c.request({ type: "history", room }, "history")).messages as Frame[];
}

describe.each<RuntimeName>(["node", "deno"])("on %s", (runtime) => {
  beforeAll(async () => {
    d = await launch(runtime);
  });
  afterAll(() => d?.close());

  describe("replies", () => {
    it("carries replyTo on message and dm; an id outside the room or conversation, unknown or deleted is not_found", async () => {
      const ann = await member("rpann", "rp-one");
      await ann.request({ type: "join", room: "rp-two" }, "joined");
      const first = await say(ann, "rp-one", "first");
      const other = await say(ann, "rp-two", "elsewhere");
      const reply = await say(ann, "rp-one", "second", { replyTo: first });
      expect(await find(ann, of("message", reply))).toMatchObject({ replyTo: first, text: "second" });
      await refused(ann, { type: "say", room: "rp-one", text: "x", replyTo: other }, "not_found");
      await refused(ann, { type: "say", room: "rp-one", text: "x", replyTo: "1700000000000-000000" }, "not_found");
      const gone = await say(ann, "rp-one", "gone");
      expect(await answer(ann, { type: "delete", id: gone })).toMatchObject({ type: "ack", id: gone });
      await refused(ann, { type: "say", room: "rp-one", text: "x", replyTo: gone }, "not_found");

      await user("rpbob");
      const d1 = await dm(ann, "rpbob", "hi bob");
      const d2 = await dm(ann, "rpbob", "again", { replyTo: d1 });
      expect(await find(ann, of("dm", d2))).toMatchObject({ replyTo: d1 });
      await refused(ann, { type: "dm", to: "rpbob", text: "x", replyTo: first }, "not_found");
      expect((await historyOf(ann, "rp-one")).find((m) => m.id === reply)).toMatchObject({ replyTo: first });
    });
  });

  describe("mentions", () => {
    it("lists existing users once in order of first mention, canonical spelling, @room last; absent when none", async () => {
      await user("MeCarol");
      await user("mebob");
      const ann = await member("meann", "me-room");
      const id = await say(ann, "me-room", "@MEBOB hi @mecarol @room @nobody-here @mebob a@meann");
      expect((await find(ann, of("message", id))).mentions).toEqual(["mebob", "MeCarol", "@room"]);
      const plain = await say(ann, "me-room", "no one here, mail a@mebob");
      expect(await find(ann, of("message", plain))).not.toHaveProperty("mentions");
      const inDm = await dm(ann, "mebob", "@room @mebob see");
      expect((await find(ann, of("dm", inDm))).mentions).toEqual(["mebob"]);
    });
  });

  describe("edit", () => {
    it("by the author: ack, edited to every member, latest text with editedAt in history and joined", async () => {
      const ann = await member("edann", "ed-room");
      const bob = await member("edbob", "ed-room");
      const id = await say(ann, "ed-room", "helo");
      expect(await answer(ann, { type: "edit", id, text: "hello @edbob" })).toMatchObject({ type: "ack", id });
      const edited = await find(bob, of("edited", id));
      expect(edited).toEqual({ type: "edited", id, room: "ed-room", from: "edann", text: "hello @edbob", editedAt: expect.any(Number), mentions: ["edbob"] });
      expect(await find(ann, of("edited", id))).toMatchObject({ text: "hello @edbob" });
      const other = await say(ann, "ed-room", "plain");
      await answer(ann, { type: "edit", id: other, text: "@room now" });
      expect(await find(bob, of("edited", other))).toMatchObject({ text: "@room now", mentions: ["@room"] });
      await answer(ann, { type: "edit", id: other, text: "no one" });
      await expect.poll(() => bob.frames.filter(of("edited", other)).length).toBe(2);
      expect(bob.frames.filter(of("edited", other))[1]).not.toHaveProperty("mentions");
      const record = { id, room: "ed-room", from: "edann", text: "hello @edbob", editedAt: edited.editedAt, mentions: ["edbob"] };
      expect((await historyOf(bob, "ed-room")).find((m) => m.id === id)).toMatchObject(record);
      const again = await user("edbob");
      expect(((await again.client.request({ type: "join", room: "ed-room" }, "joined")).history as Frame[]).find((m) => m.id === id)).toMatchObject(record);
    });

    it("forbidden to others; not_found for unknown, deleted or not visible ids; text rules as for say", async () => {
      const ann = await member("ed2ann", "ed2-room");
      const bob = await member("ed2bob", "ed2-room");
      const id = await say(ann, "ed2-room", "mine");
      await refused(bob, { type: "edit", id, text: "yours" }, "forbidden");
      await refused(ann, { type: "edit", id: "1700000000000-000000", text: "x" }, "not_found");
      await refused(ann, { type: "edit", id, text: "" }, "bad_frame");
      await refused(ann, { type: "edit", id, text: "x".repeat(4001) }, "too_large");
      await refused(ann, { type: "edit", id: "nope", text: "x" }, "not_found");
      const outsider = await member("ed2out", "ed2-elsewhere");
      await refused(outsider, { type: "edit", id, text: "x" }, "not_found");
      expect(await answer(ann, { type: "delete", id })).toMatchObject({ type: "ack" });
      await refused(ann, { type: "edit", id, text: "x" }, "not_found");
    });

    it("in a conversation: edited {id, from, to, text, editedAt} to every session of both sides; dm_history shows it", async () => {
      const { client: ann } = await user("eddann");
      const { client: ann2 } = await user("eddann");
      const { client: bob } = await user("eddbob");
      const id = await dm(ann, "eddbob", "see you at 7");
      await refused(bob, { type: "edit", id, text: "no" }, "forbidden");
      expect(await answer(ann, { type: "edit", id, text: "see you at 8" })).toMatchObject({ type: "ack", id });
      for (const c of [ann, ann2, bob]) {
        expect(await find(c, of("edited", id))).toEqual({ type: "edited", id, from: "eddann", to: "eddbob", text: "see you at 8", editedAt: expect.any(Number) });
      }
      const h = await bob.request({ type: "dm_history", with: "eddann" }, "dm_history");
      expect((h.messages as Frame[]).find((m) => m.id === id)).toMatchObject({ type: "dm", text: "see you at 8", editedAt: expect.any(Number) });
    });
  });

  describe("delete", () => {
    it("by the author: deleted to members; history keeps only the mark, without text, reactions, replyTo or mentions", async () => {
      const ann = await member("deann", "de-room");
      const bob = await member("debob", "de-room");
      const first = await say(ann, "de-room", "first");
      const id = await say(ann, "de-room", "@debob look", { replyTo: first });
      expect(await answer(bob, { type: "react", id, emoji: "👍" })).toMatchObject({ type: "ack" });
      await refused(bob, { type: "delete", id }, "forbidden");
      expect(await answer(ann, { type: "delete", id })).toMatchObject({ type: "ack", id });
      expect(await find(bob, of("deleted", id))).toEqual({ type: "deleted", id, room: "de-room" });
      expect((await historyOf(bob, "de-room")).find((m) => m.id === id)).toEqual({ type: "message", id, room: "de-room", from: "deann", ts: expect.any(Number), deleted: true });
      await refused(ann, { type: "delete", id }, "not_found");
      await refused(ann, { type: "react", id, emoji: "👍" }, "not_found");
    });

    it("by a moderator in a room, never in someone else's conversation", async () => {
      const ann = await member("dmann", "dm-room");
      const { client: mod } = await user("dmmod");
      await mod.request({ type: "join", room: "dm-room" }, "joined");
      expect((await d.http("/admin/role", { method: "PUT", admin: true, body: JSON.stringify({ user: "dmmod", role: "moderator" }) })).status).toBe(200);
      const id = await say(ann, "dm-room", "rude");
      expect(await answer(mod, { type: "delete", id })).toMatchObject({ type: "ack", id });
      expect(await find(ann, of("deleted", id))).toEqual({ type: "deleted", id, room: "dm-room" });
      const { client: admin } = await user("dmadmin");
      await admin.request({ type: "join", room: "dm-room" }, "joined");
      await d.http("/admin/role", { method: "PUT", admin: true, body: JSON.stringify({ user: "dmadmin", role: "admin" }) });
      const second = await say(ann, "dm-room", "rude again");
      expect(await answer(admin, { type: "delete", id: second })).toMatchObject({ type: "ack", id: second });
      const direct = await dm(ann, "dmmod", "private");
      await refused(mod, { type: "delete", id: direct }, "forbidden");
      expect(await answer(ann, { type: "delete", id: direct })).toMatchObject({ type: "ack", id: direct });
      expect(await find(mod, of("deleted", direct))).toEqual({ type: "deleted", id: direct, from: "dmann", to: "dmmod" });
      const h = await mod.request({ type: "dm_history", with: "dmann" }, "dm_history");
      expect((h.messages as Frame[]).find((m) => m.id === direct)).toEqual({ type: "dm", id: direct, from: "dmann", to: "dmmod", ts: expect.any(Number), deleted: true });
    });

    it("DELETE /admin/messages/{id} does the same for operators; 404 not_found for unknown or already deleted", async () => {
      const ann = await member("daann", "da-room");
      const id = await say(ann, "da-room", "remove me");
      const res = await d.http(`/admin/messages/${id}`, { method: "DELETE", admin: true });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ deleted: id });
      expect(await find(ann, of("deleted", id))).toEqual({ type: "deleted", id, room: "da-room" });
      expect((await historyOf(ann, "da-room")).find((m) => m.id === id)).toMatchObject({ deleted: true });
      await user("dabob");
      const direct = await dm(ann, "dabob", "private");
      expect((await d.http(`/admin/messages/${direct}`, { method: "DELETE", admin: true })).status).toBe(200);
      expect(await find(ann, of("deleted", direct))).toEqual({ type: "deleted", id: direct, from: "daann", to: "dabob" });
      // /admin/log shows each message as history does now.
      const kept = await say(ann, "da-room", "keep me");
      await answer(ann, { type: "edit", id: kept, text: "kept, edited" });
      await answer(ann, { type: "react", id: kept, emoji: "👍" });
      const log = (await (await d.http("/admin/log?room=da-room", { admin: true })).json()) as { messages: Frame[] };
      expect(log.messages).toEqual(await historyOf(ann, "da-room"));
      expect(log.messages.find((m) => m.id === kept)).toMatchObject({ text: "kept, edited", editedAt: expect.any(Number), reactions: { "👍": ["daann"] } });
      for (const gone of [id, "1700000000000-000000"]) {
        const again = await d.http(`/admin/messages/${gone}`, { method: "DELETE", admin: true });
        expect(again.status).toBe(404);
        expect(await again.json()).toMatchObject({ error: "not_found" });
      }
    });
  });

  describe("changes and files, mutes", () => {
    it("an edit keeps the files; a delete lets go of them (404) and history shows no files", async () => {
      const { client: ann, welcome } = await user("fiann");
      await ann.request({ type: "join", room: "fi-room" }, "joined");
      const file = await put(d.url, welcome.token, "hello file", "note.txt");
      const id = await say(ann, "fi-room", "with a file", { files: [file.id] });
      expect(await answer(ann, { type: "edit", id, text: "still with a file" })).toMatchObject({ type: "ack" });
      const edited = (await historyOf(ann, "fi-room")).find((m) => m.id === id);
      expect(edited).toMatchObject({ text: "still with a file", files: [expect.objectContaining({ id: file.id })] });
      expect(await answer(ann, { type: "edit", id, text: "" })).toMatchObject({ type: "ack", id });
      expect((await fetch(`${d.url}${String(file.url)}`)).status).toBe(200);
      expect(await answer(ann, { type: "delete", id })).toMatchObject({ type: "ack" });
      expect((await fetch(`${d.url}${String(file.url)}`)).status).toBe(404);
      expect((await historyOf(ann, "fi-room")).find((m) => m.id === id)).toEqual({ type: "message", id, room: "fi-room", from: "fiann", ts: expect.any(Number), deleted: true });
    });

    it("a user muted in a room gets muted for edit and topic there", async () => {
      const ann = await member("muann", "mu-room");
      const id = await say(ann, "mu-room", "before the mute");
      const res = await d.http("/admin/mute", { method: "POST", admin: true, body: JSON.stringify({ user: "muann", room: "mu-room", minutes: 5 }) });
      expect(res.status).toBe(200);
      await refused(ann, { type: "edit", id, text: "after" }, "muted");
      await refused(ann, { type: "topic", room: "mu-room", text: "mine" }, "muted");
    });
  });

  describe("reactions", () => {
    it("toggle on and off, to members, listed in order in history; absent when none", async () => {
      const ann = await member("reann", "re-room");
      const bob = await member("rebob", "re-room");
      const id = await say(ann, "re-room", "react to me");
      expect(await answer(bob, { type: "react", id, emoji: "👍" })).toMatchObject({ type: "ack", id });
      expect(await find(ann, (f) => f.type === "reaction" && f.id === id && f.user === "rebob")).toEqual({ type: "reaction", id, room: "re-room", emoji: "👍", user: "rebob", on: true });
      expect(await answer(ann, { type: "react", id, emoji: "👍" })).toMatchObject({ type: "ack" });
      expect((await historyOf(ann, "re-room")).find((m) => m.id === id)?.reactions).toEqual({ "👍": ["rebob", "reann"] });
      expect(await answer(bob, { type: "react", id, emoji: "👍" })).toMatchObject({ type: "ack" });
      expect(await find(ann, (f) => f.type === "reaction" && f.on === false)).toEqual({ type: "reaction", id, room: "re-room", emoji: "👍", user: "rebob", on: false });
      expect(await answer(ann, { type: "react", id, emoji: "👍" })).toMatchObject({ type: "ack" });
      expect((await historyOf(ann, "re-room")).find((m) => m.id === id)).not.toHaveProperty("reactions");
    });

    it("in a conversation, to every session of both sides", async () => {
      const { client: ann } = await user("rdann");
      const { client: bob } = await user("rdbob");
      const id = await dm(ann, "rdbob", "hey");
      expect(await answer(bob, { type: "react", id, emoji: ":tada:" })).toMatchObject({ type: "ack", id });
      for (const c of [ann, bob]) expect(await find(c, of("reaction", id))).toEqual({ type: "reaction", id, from: "rdann", to: "rdbob", emoji: ":tada:", user: "rdbob", on: true });
    });

    it("takes one emoji or a :short_name: of at most 32 characters; anything else is bad_frame", async () => {
      const ann = await member("reeann", "ree-room");
      const id = await say(ann, "ree-room", "emoji");
      for (const emoji of ["👩‍👩‍👧", "🇫🇷", "1️⃣", ":+1:", ":a_b-c:", `:${"a".repeat(30)}:`]) {
        expect(await answer(ann, { type: "react", id, emoji }), emoji).toMatchObject({ type: "ack" });
      }
      for (const emoji of ["", "a", "👍👍", "ab", ":no space:", "::", `:${"a".repeat(40)}:`, "<b>"]) await refused(ann, { type: "react", id, emoji }, "bad_frame");
      await refused(ann, { type: "react", id: "1700000000000-000000", emoji: "👍" }, "not_found");
      const outsider = await member("reeout", "ree-other");
      await refused(outsider, { type: "react", id, emoji: "👍" }, "not_found");
      await refused(outsider, { type: "delete", id }, "not_found");
    });

    it("pages list messages only: changes stored in the room do not take a page's places", async () => {
      const ann = await member("rpgann", "rpg-room");
      const ids = [await say(ann, "rpg-room", "1"), await say(ann, "rpg-room", "2"), await say(ann, "rpg-room", "3")];
      for (const emoji of ["👍", "🎉", ":a:", ":b:", ":c:"]) await answer(ann, { type: "react", id: ids[2], emoji });
      await answer(ann, { type: "topic", room: "rpg-room", text: "t" });
      const page = await ann.request({ type: "history", room: "rpg-room", limit: 2 }, "history");
      expect((page.messages as Frame[]).map((m) => m.id)).toEqual(ids.slice(1));
      const back = await ann.request({ type: "history", room: "rpg-room", limit: 2, before: ids[1] }, "history");
      expect((back.messages as Frame[]).map((m) => m.id)).toEqual([ids[0]]);
      expect(back.complete).toBe(true);
    });

    it("allows 20 different reactions on a message; a 21st is too_large, joining an existing one is fine", async () => {
      const ann = await member("recann", "rec-room");
      const bob = await member("recbob", "rec-room");
      const id = await say(ann, "rec-room", "many");
      for (let i = 0; i < 20; i++) {
        expect(await answer(ann, { type: "react", id, emoji: `:e${i}:` })).toMatchObject({ type: "ack" });
        if (i % 9 === 8) await new Promise((r) => setTimeout(r, 1000)); // under the message rate limit
      }
      await refused(bob, { type: "react", id, emoji: ":e20:" }, "too_large");
      expect(await answer(bob, { type: "react", id, emoji: ":e3:" })).toMatchObject({ type: "ack" });
      expect(Object.keys((await historyOf(bob, "rec-room")).find((m) => m.id === id)?.reactions as object)).toHaveLength(20);
    });
  });

  describe("read markers and unread", () => {
    it("acks a read with a ref, tells the user's other sessions, and joined carries lastRead and unread", async () => {
      const ann = await member("rmann", "rm-room");
      const { client: bob } = await user("rmbob");
      const { client: bob2 } = await user("rmbob");
      expect((await bob.request({ type: "join", room: "rm-room" }, "joined")).lastRead).toBeNull();
      const ids = [await say(ann, "rm-room", "1"), await say(ann, "rm-room", "2"), await say(ann, "rm-room", "3")];
      expect(await answer(bob, { type: "read", room: "rm-room", id: ids[0] })).toMatchObject({ type: "ack", id: ids[0], ts: expect.any(Number) });
      expect(await find(bob2, of("read"))).toEqual({ type: "read", room: "rm-room", id: ids[0] });
      expect(bob.frames.some(of("read"))).toBe(false);
      const joined = await bob.request({ type: "join", room: "rm-room" }, "joined");
      expect(joined).toMatchObject({ lastRead: ids[0], unread: 2 });
      // Without a ref, no answer; only forward: an earlier id changes nothing, and is acked with the marker as stored.
      bob.send({ type: "read", room: "rm-room", id: ids[2] });
      expect(await find(bob2, (f) => f.type === "read" && f.id === ids[2])).toEqual({ type: "read", room: "rm-room", id: ids[2] });
      expect(await answer(bob, { type: "read", room: "rm-room", id: ids[1] })).toMatchObject({ type: "ack", id: ids[2] });
      expect(await bob.request({ type: "join", room: "rm-room" }, "joined")).toMatchObject({ lastRead: ids[2], unread: 0 });
      expect(bob.frames.filter((f) => f.type === "ack" && f.ref === undefined)).toEqual([]);
      const dmId = await dm(ann, "rmbob", "psst");
      expect(await answer(bob2, { type: "read", with: "rmann", id: dmId })).toMatchObject({ type: "ack", id: dmId });
      expect(await find(bob, (f) => f.type === "read" && f.with === "rmann")).toEqual({ type: "read", with: "rmann", id: dmId });
      await refused(bob, { type: "read", room: "rm-room", with: "rmann", id: ids[0] }, "bad_frame");
      await refused(bob, { type: "read", room: "rm-room", id: "nope" }, "bad_frame");
      await refused(bob, { type: "read", room: "rm-not-mine", id: ids[0] }, "not_in_room");
      await refused(bob, { type: "read", with: "rm-nobody-at-all", id: ids[0] }, "unknown_user");
      await refused(bob, { type: "read", with: "bad name", id: ids[0] }, "bad_name");
    });

    it("welcome carries unread for every room the user belongs to and conversations most recent first", async () => {
      const { client: ann } = await user("wuann");
      await ann.request({ type: "join", room: "wu-quiet" }, "joined");
      await ann.request({ type: "join", room: "wu-busy" }, "joined");
      await ann.close();
      const bob = await member("wubob", "wu-busy");
      await say(bob, "wu-busy", "one");
      await say(bob, "wu-busy", "@wuann two");
      await say(bob, "wu-busy", "@room three");
      const gone = await say(bob, "wu-busy", "four");
      await answer(bob, { type: "delete", id: gone });
      const { client: carl } = await user("wucarl");
      await dm(bob, "wuann", "first dm");
      const last = await dm(carl, "wuann", "@wuann second dm");
      const { welcome } = await user("wuann");
      expect(welcome.rooms).toEqual(expect.arrayContaining(["wu-quiet", "wu-busy"]));
      expect(welcome.unread).toEqual(
        expect.arrayContaining([
          { room: "wu-quiet", count: 0, mentions: 0 },
          { room: "wu-busy", count: 3, mentions: 2 },
          { with: "wubob", count: 1, mentions: 0 },
          { with: "wucarl", count: 1, mentions: 1 },
        ]),
      );
      expect(welcome.conversations).toEqual([
        { with: "wucarl", lastId: last, ts: expect.any(Number) },
        { with: "wubob", lastId: expect.any(String), ts: expect.any(Number) },
      ]);
    });
  });

  describe("after a restart", () => {
    it("keeps membership, markers, edits, deletes, reactions and topics; leave ends membership", async () => {
      const own = await launch(runtime);
      let closed = false;
      try {
        const { client: ann } = await signIn(own.wsUrl, "rsann");
        const { client: bob } = await signIn(own.wsUrl, "rsbob");
        clients.push(ann, bob);
        for (const c of [ann, bob]) await c.request({ type: "join", room: "rs-room" }, "joined");
        await bob.request({ type: "join", room: "rs-gone" }, "joined");
        const [a, b, c] = [await say(ann, "rs-room", "a"), await say(ann, "rs-room", "b @rsbob"), await say(ann, "rs-room", "c")];
        await answer(ann, { type: "edit", id: a, text: "a!" });
        await answer(ann, { type: "delete", id: c });
        await answer(bob, { type: "react", id: a, emoji: "👍" });
        await answer(bob, { type: "read", room: "rs-room", id: a });
        await answer(bob, { type: "topic", room: "rs-room", text: "kept" });
        await bob.request({ type: "leave", room: "rs-gone" }, "left");
        const before = await historyOf(bob, "rs-room");
        await own.close({ keepData: true });
        closed = true;
        const again = await launch(runtime, {}, own.dataDir);
        try {
          const { client, welcome } = await signIn(again.wsUrl, "rsbob");
          clients.push(client);
          expect(welcome.rooms).toContain("rs-room");
          expect(welcome.rooms).not.toContain("rs-gone");
          expect(welcome.unread).toContainEqual({ room: "rs-room", count: 1, mentions: 1 });
          expect((welcome.unread as Frame[]).some((u) => u.room === "rs-gone")).toBe(false);
          const joined = await client.request({ type: "join", room: "rs-room" }, "joined");
          expect(joined).toMatchObject({ lastRead: a, unread: 1, topic: "kept" });
          expect(joined.history).toEqual(before);
          expect((joined.history as Frame[]).find((m) => m.id === a)).toMatchObject({ text: "a!", editedAt: expect.any(Number), reactions: { "👍": ["rsbob"] } });
          expect((joined.history as Frame[]).find((m) => m.id === c)).toMatchObject({ deleted: true });
          expect((joined.history as Frame[]).find((m) => m.id === b)).toMatchObject({ mentions: ["rsbob"] });
        } finally {
          await again.close();
        }
      } finally {
        if (!closed) await own.close();
      }
    });
  });

  describe("unread, counted", () => {
    it("counts only other users' messages; a read conversation drops out of welcome.unread", async () => {
      const ann = await member("ucann", "uc-room");
      const { client: bob } = await user("ucbob");
      await bob.request({ type: "join", room: "uc-room" }, "joined");
      await say(bob, "uc-room", "mine, not unread for me");
      const theirs = await say(ann, "uc-room", "theirs");
      expect(await bob.request({ type: "join", room: "uc-room" }, "joined")).toMatchObject({ lastRead: null, unread: 1 });
      const one = await dm(ann, "ucbob", "one");
      await dm(bob, "ucann", "my answer does not count");
      let welcome = (await user("ucbob")).welcome;
      expect(welcome.unread).toEqual(expect.arrayContaining([{ room: "uc-room", count: 1, mentions: 0 }, { with: "ucann", count: 1, mentions: 0 }]));
      await answer(bob, { type: "read", with: "ucann", id: one });
      await answer(bob, { type: "read", room: "uc-room", id: theirs });
      welcome = (await user("ucbob")).welcome;
      expect((welcome.unread as Frame[]).filter((u) => u.with === "ucann")).toEqual([]);
      expect(welcome.unread).toContainEqual({ room: "uc-room", count: 0, mentions: 0 });
    });
  });

  describe("topics and the live directory", () => {
    it("tells members topic {room, text, by, ts}, acks it, shows it in joined and rooms; too_large over 300, not_in_room for others", async () => {
      const ann = await member("toann", "to-room");
      const bob = await member("tobob", "to-room");
      expect(await answer(ann, { type: "topic", room: "to-room", text: "  Release on Friday  " })).toMatchObject({ type: "ack", id: expect.any(String), ts: expect.any(Number) });
      expect(await find(bob, of("topic"))).toEqual({ type: "topic", room: "to-room", text: "Release on Friday", by: "toann", ts: expect.any(Number) });
      expect((await bob.request({ type: "join", room: "to-room" }, "joined")).topic).toBe("Release on Friday");
      expect((await bob.request({ type: "rooms", query: "to-room" }, "rooms")).rooms).toContainEqual({ name: "to-room", members: 2, topic: "Release on Friday" });
      expect(await answer(ann, { type: "topic", room: "to-room", text: "é".repeat(300) })).toMatchObject({ type: "ack" });
      await refused(ann, { type: "topic", room: "to-room", text: "é".repeat(301) }, "too_large");
      const { client: out } = await user("toout");
      await refused(out, { type: "topic", room: "to-room", text: "mine now" }, "not_in_room");
      await refused(ann, { type: "topic", room: "no/slashes", text: "x" }, "bad_name");
      // Belonging is the user's, not the connection's: another connection that has not joined may set it, and read.
      const { client: annElsewhere } = await user("toann");
      expect(await answer(annElsewhere, { type: "topic", room: "to-room", text: "from elsewhere" })).toMatchObject({ type: "ack" });
      const latest = String((await answer(bob, { type: "say", room: "to-room", text: "hi" })).id);
      expect(await answer(annElsewhere, { type: "read", room: "to-room", id: latest })).toMatchObject({ type: "ack", id: latest });
      expect(await answer(bob, { type: "topic", room: "to-room", text: "" })).toMatchObject({ type: "ack" });
      expect(await bob.request({ type: "join", room: "to-room" }, "joined")).not.toHaveProperty("topic");
    });

    it("sends every signed-in session a fresh rooms frame when a room is created or a topic changes", async () => {
      const { client: watcher } = await user("lrwatch");
      const ann = await member("lrann", "lr-new-room");
      const pushed = await find(watcher, (f) => f.type === "rooms" && (f.rooms as Frame[]).some((r) => r.name === "lr-new-room"));
      expect(pushed).not.toHaveProperty("ref");
      await ann.request({ type: "topic", room: "lr-new-room", text: "fresh" }, "ack");
      await find(watcher, (f) => f.type === "rooms" && (f.rooms as Frame[]).some((r) => r.name === "lr-new-room" && r.topic === "fresh"), 5000);
    });
  });

  describe("password change", () => {
    it("answers password_changed with a token; old tokens stop working; other sessions close 4002", async () => {
      const { client: ann, welcome } = await user("pwann");
      const { client: other, welcome: otherWelcome } = await user("pwann");
      await refused(ann, { type: "password", old: "correct-horse", new: "short" }, "bad_password");
      await refused(ann, { type: "password", old: "correct-horse", new: "é".repeat(37) }, "bad_password");
      const changed = await answer(ann, { type: "password", old: "correct-horse", new: "battery staple" });
      expect(changed).toEqual({ type: "password_changed", token: expect.any(String), ref: expect.any(String) });
      expect(await other.closed).toEqual({ code: 4002, reason: "password changed" });
      expect(await answer(ann, { type: "ping" })).toMatchObject({ type: "pong" });
      // Each failure follows a success, so the account stays out of the sign-in back-off.
      const attempt = async (hello: Record<string, unknown>) => {
        const c = await TestClient.connect(d.wsUrl);
        clients.push(c);
        return c.request({ type: "hello", ...hello }, "welcome", "error");
      };
      expect(await attempt({ token: welcome.token })).toMatchObject({ type: "error", code: "auth_failed" });
      expect(await attempt({ token: changed.token })).toMatchObject({ type: "welcome", user: "pwann" });
      expect(await attempt({ token: otherWelcome.token })).toMatchObject({ type: "error", code: "auth_failed" });
      expect(await attempt({ user: "pwann", password: "battery staple" })).toMatchObject({ type: "welcome", user: "pwann" });
      expect(await attempt({ user: "pwann", password: "correct-horse" })).toMatchObject({ type: "error", code: "auth_failed" });
    });

    it("a wrong old password counts as a failed sign-in: rate_limited during the back-off", async () => {
      const { client } = await user("pwslow");
      await refused(client, { type: "password", old: "wrong-1", new: "battery staple" }, "auth_failed");
      await refused(client, { type: "password", old: "wrong-2", new: "battery staple" }, "auth_failed");
      const e = await refused(client, { type: "password", old: "correct-horse", new: "battery staple" }, "rate_limited");
      expect(e.retryAfterMs).toBeGreaterThan(0);
    });

    it("POST /admin/users/{name}/password sets one for operators, with the same revocation", async () => {
      const { client, welcome } = await user("pwadm");
      const res = await d.http("/admin/users/pwadm/password", { method: "POST", admin: true, body: JSON.stringify({ password: "operator set it" }) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ user: "pwadm", password: "changed" });
      expect(await client.closed).toEqual({ code: 4002, reason: "password changed" });
      const again = await TestClient.connect(d.wsUrl);
      clients.push(again);
      expect(await again.request({ type: "hello", token: welcome.token }, "welcome", "error")).toMatchObject({ code: "auth_failed" });
      expect((await user("pwadm", "operator set it")).welcome.user).toBe("pwadm");
      const short = await d.http("/admin/users/pwadm/password", { method: "POST", admin: true, body: JSON.stringify({ password: "short" }) });
      expect([short.status, await short.json()]).toEqual([400, expect.objectContaining({ error: "bad_password" })]);
      const nobody = await d.http("/admin/users/pw-nobody-here/password", { method: "POST", admin: true, body: JSON.stringify({ password: "long enough one" }) });
      expect([nobody.status, await nobody.json()]).toEqual([404, expect.objectContaining({ error: "unknown_user" })]);
    });
  });

  describe("the admin API's description", () => {
    it("documents DELETE /admin/messages/{id} and POST /admin/users/{name}/password; a bad body is 400", async () => {
      const spec = (await (await d.http("/admin/openapi.json")).json()) as { servers: Array<{ url: string }>; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
      expect(spec.servers).toEqual([{ url: "/admin" }]);
      expect(Object.keys(spec.paths["/messages/{id}"]?.delete?.responses ?? {})).toEqual(expect.arrayContaining(["200", "404", "503"]));
      expect(Object.keys(spec.paths["/users/{name}/password"]?.post?.responses ?? {})).toEqual(expect.arrayContaining(["200", "400", "404"]));
      await user("oabody");
      const bad = await d.http("/admin/users/oabody/password", { method: "POST", admin: true, body: JSON.stringify({ pass: "x" }) });
      expect([bad.status, await bad.json()]).toEqual([400, expect.objectContaining({ error: "bad_request" })]);
      const long = await d.http("/admin/users/oabody/password", { method: "POST", admin: true, body: JSON.stringify({ password: "é".repeat(37) }) });
      expect([long.status, await long.json()]).toEqual([400, expect.objectContaining({ error: "bad_password" })]);
      const noAuth = await d.http("/admin/messages/1700000000000-000000", { method: "DELETE" });
      expect(noAuth.status).toBe(401);
    });
  });

  describe("rate limits on the new frames", () => {
    // A daemon with small allowances (limits.messageBurst, stateRequestBurst, signInBurst), so the
    // limit is reached by count, whatever the timing: 3 at once, then one per 10 s.
    let tight: Target;
    beforeAll(async () => {
      tight = await launch(runtime, { messageBurst: 3, messagesPerSecond: 0.1, stateRequestBurst: 3, stateRequestsPerSecond: 0.1, signInBurst: 3, signInsPerMinute: 0.1 });
    });
    afterAll(() => tight?.close());
    async function tightMember(name: string, room: string): Promise<TestClient> {
      const { client } = await signIn(tight.wsUrl, name);
      clients.push(client);
      await client.request({ type: "join", room }, "joined");
      return client;
    }
    async function fourth(c: TestClient, frame: Record<string, unknown>): Promise<Frame[]> {
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await answer(c, frame));
      expect(await answer(c, { type: "ping" })).toMatchObject({ type: "pong" });
      return answers;
    }

    it.each([["edit"], ["delete"], ["react"]])("%s counts against the message limit together with say", async (kind) => {
      const ann = await tightMember(`rl${kind}`, `rl-${kind}`);
      const id = await say(ann, `rl-${kind}`, "target");
      const frame = kind === "edit" ? { type: "edit", id, text: "again" } : kind === "delete" ? { type: "delete", id: "1700000000000-000000" } : { type: "react", id, emoji: "👍" };
      const answers = await fourth(ann, frame);
      // The say took one of three: two more pass (or fail on their own merits), then rate_limited.
      for (const a of answers.slice(0, 2)) expect(a.code).not.toBe("rate_limited");
      for (const a of answers.slice(2)) expect(a).toMatchObject({ type: "error", code: "rate_limited", retryAfterMs: expect.any(Number) });
    });

    it("password counts against the sign-in limit of the connection", async () => {
      const { client } = await signIn(tight.wsUrl, "rspw");
      clients.push(client);
      const answers = [];
      const passwords = ["correct-horse", "second password", "third password", "fourth password", "fifth password"];
      for (let i = 0; i < 4; i++) answers.push(await answer(client, { type: "password", old: passwords[i], new: passwords[i + 1] }));
      // limits.signInBurst (3) tries on the connection, then rate_limited.
      expect(answers.map((a) => a.type)).toEqual(["password_changed", "password_changed", "password_changed", "error"]);
      expect(answers[3]).toMatchObject({ code: "rate_limited", retryAfterMs: expect.any(Number) });
      expect(await answer(client, { type: "ping" })).toMatchObject({ type: "pong" });
    });

    it.each([["read"], ["topic"], ["rooms"]])("%s counts against the state-request limit", async (kind) => {
      const ann = await tightMember(`rs${kind}`, `rs-${kind}`);
      const id = await say(ann, `rs-${kind}`, "target");
      const frame = kind === "read" ? { type: "read", room: `rs-${kind}`, id } : kind === "topic" ? { type: "topic", room: `rs-${kind}`, text: "t" } : { type: "rooms" };
      const answers = await fourth(ann, frame);
      // The answers carry the ref, the error too (a `rooms` page is the answer to `rooms`).
      const ok = kind === "rooms" ? "rooms" : "ack";
      expect(answers.map((a) => a.type)).toEqual([ok, ok, ok, "error"]);
      expect(answers[3]).toMatchObject({ code: "rate_limited", retryAfterMs: expect.any(Number) });
    });
  });
});
