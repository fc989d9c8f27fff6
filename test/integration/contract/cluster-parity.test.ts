import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, TestClient, type Frame } from "../../helpers/client.ts";
import { startCluster, type TestCluster } from "../../helpers/cluster.ts";
import { startDaemon, type TestDaemon } from "../../helpers/daemon.ts";
import { put } from "../../helpers/files.ts";
import { writeConfig } from "../../helpers/harness.ts";

/**
 * Cluster parity: each scenario runs three times, with both users on one embedded daemon, with
 * both on node-1 of a cluster of two, and with one on each node, and must give the same frames.
 */
type Endpoint = { wsUrl: string; port: number; http(path: string, init?: RequestInit & { admin?: boolean }): Promise<Response> };
let cluster: TestCluster;
let single: TestDaemon;
let filesDir: string;
let endpoints: Endpoint[];
/** Every client here comes from 127.0.0.1: the per-address allowances must fit the whole file. Little history is kept, to pass its end. */
const LIMITS = { ipAccountBurst: 1000, ipSignInBurst: 1000, ipRoomBurst: 1000, messageBurst: 100, historyPerRoom: 30 };
beforeAll(async () => {
  filesDir = await mkdtemp(join(tmpdir(), "chatd-parity-files-"));
  const config = await writeConfig(filesDir, { bcryptCost: 4, host: "127.0.0.1", limits: LIMITS });
  [cluster, single] = await Promise.all([startCluster(2, { CHAT_FILES_DIR: join(filesDir, "files"), CHAT_CONFIG: config }), startDaemon({ limits: LIMITS })]);
  endpoints = [single, ...cluster.nodes];
});
afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  await Promise.all([cluster?.close(), single?.close()]);
  await rm(filesDir, { recursive: true, force: true });
});

const clients: TestClient[] = [];
const url = (i: number) => endpoints[i]!.wsUrl;
const http = (i: number, path: string, init: RequestInit & { admin?: boolean } = {}) => endpoints[i]!.http(path, init);
async function user(i: number, name: string): Promise<TestClient> {
  const { client } = await signIn(url(i), name);
  clients.push(client);
  return client;
}
const ID = /^\d{13}-\d{6}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[A-Za-z0-9_-]{22}$/;
const VOLATILE = new Set(["ts", "editedAt", "until", "token", "retryAfterMs", "connectedAt", "message", "url", "startedAt", "created"]);

/** Ids as #1, #2 ... in order of first sight, times and tokens out, the run's tag out of names. */
function normal(value: unknown, tag: string, ids = new Map<string, string>()): unknown {
  if (typeof value === "string") {
    if (ID.test(value)) {
      if (!ids.has(value)) ids.set(value, `#${ids.size + 1}`);
      return ids.get(value);
    }
    return value.split(tag).join("");
  }
  if (Array.isArray(value)) return value.map((v) => normal(v, tag, ids));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !VOLATILE.has(k))
        .map(([k, v]) => [k.split(tag).join(""), normal(v, tag, ids)]),
    );
  }
  return value;
}

type Scenario = (a: number, b: number, t: string) => Promise<unknown>;
let runs = 0;
/** Runs `scenario` on the embedded daemon, then on one cluster node, then across two, and compares. */
async function parity(scenario: Scenario): Promise<unknown> {
  const results: unknown[] = [];
  for (const [a, b] of [[0, 0], [1, 1], [1, 2]] as const) {
    const tag = `p${++runs}x`;
    results.push(normal(await scenario(a, b, tag), tag));
  }
  const [single, same, cross] = results;
  if (process.env.PARITY_DUMP) console.log(JSON.stringify(single));
  expect({ sameNode: same, crossNode: cross }).toEqual({ sameNode: single, crossNode: single });
  return single;
}
const UNREFFED: Record<string, string> = { join: "joined", leave: "left", history: "history", dm_history: "dm_history", hello: "welcome" };
let refs = 0;
/** Sends `f` and answers the frame that answers it: by its `ref`, or by type for answers that carry none. */
async function req(c: TestClient, f: Frame): Promise<Frame> {
  const ref = (f.ref as string | number | undefined) ?? `r${++refs}`;
  c.send({ ...f, ref });
  for (;;) {
    const got = await c.next();
    if (got.ref === ref || got.type === UNREFFED[f.type]) return f.ref === undefined ? { ...got, ref: undefined } : got;
  }
}
/** Every frame of `type` the client got so far. */
const all = (c: TestClient, type: string) => c.frames.filter((f) => f.type === type);

describe("one user on each node sees what two users on one node see", () => {
  it("replies, mentions and the errors of edit, delete and react", async () => {
    const out = await parity(async (a, b, t) => {
      const A = await user(a, `alice${t}`);
      const B = await user(b, `bob${t}`);
      const room = `r${t}`;
      await req(A, { type: "join", room });
      await req(B, { type: "join", room });
      const first = await req(A, { type: "say", room, text: "hello", ref: 1 });
      const reply = await req(B, { type: "say", room, text: `@alice${t} @room see`, replyTo: first.id as string, ref: 2 });
      const bad = await req(B, { type: "say", room, text: "x", replyTo: "1764100000000-000000", ref: 3 });
      const edit = await req(B, { type: "edit", id: first.id as string, text: "mine now", ref: 4 });
      const del = await req(B, { type: "delete", id: first.id as string, ref: 5 });
      const react = await req(B, { type: "react", id: first.id as string, emoji: "👍", ref: 6 });
      await expect.poll(() => all(A, "reaction").length + all(B, "reaction").length).toBe(2);
      const seenA = [...all(A, "message"), ...all(A, "reaction")];
      const seenB = [...all(B, "message"), ...all(B, "reaction")];
      return { first, reply, bad, edit, del, react, seenA, seenB };
    });
    expect(out).toMatchObject({ bad: { code: "not_found" }, edit: { code: "forbidden" }, del: { code: "forbidden" }, react: { type: "ack" } });
  });

  it("unread counts, mentions and conversations in welcome and joined", async () => {
    await parity(async (a, b, t) => {
      const A = await user(a, `alice${t}`);
      const room = `u${t}`;
      await req(A, { type: "join", room });
      await A.close();
      const B = await user(b, `bob${t}`);
      await req(B, { type: "join", room });
      for (const text of ["one", `two @alice${t}`, "three"]) await req(B, { type: "say", room, text });
      await req(B, { type: "dm", to: `alice${t}`, text: `psst @alice${t}` });
      const again = await signIn(url(a), `alice${t}`);
      clients.push(again.client);
      const j = await req(again.client, { type: "join", room });
      const w = again.welcome;
      return { unread: w.unread, conversations: w.conversations, rooms: w.rooms, lastRead: j.lastRead, jUnread: j.unread, history: j.history };
    });
  });

  it("search finds what the other user said in a shared room and a conversation", async () => {
    await parity(async (a, b, t) => {
      const A = await user(a, `alice${t}`);
      const B = await user(b, `bob${t}`);
      const room = `s${t}`;
      await req(A, { type: "join", room });
      await req(B, { type: "join", room });
      await req(B, { type: "say", room, text: `quartz${t} in the room` });
      await req(B, { type: "dm", to: `alice${t}`, text: `quartz${t} in private` });
      let res: Frame | undefined;
      await expect
        .poll(async () => ((res = await req(A, { type: "search", q: `quartz${t}`, ref: "q" })).messages as unknown[] | undefined)?.length, { timeout: 10_000 })
        .toBe(2);
      const inRoom = await req(A, { type: "search", q: `quartz${t}`, room, ref: "q2" });
      const withB = await req(A, { type: "search", q: `quartz${t}`, with: `bob${t}`, ref: "q3" });
      const fromB = await req(A, { type: "search", q: `quartz${t} from:bob${t} in:${room}`, ref: "q4" });
      return { res, inRoom, withB, fromB };
    });
  });

  it("history and dm_history pages", async () => {
    await parity(async (a, b, t) => {
      const A = await user(a, `alice${t}`);
      const B = await user(b, `bob${t}`);
      const room = `h${t}`;
      await req(A, { type: "join", room });
      await req(B, { type: "join", room });
      const ids: string[] = [];
      for (let i = 1; i <= 5; i++) ids.push((await req(B, { type: "say", room, text: `m${i}` })).id as string);
      for (let i = 1; i <= 4; i++) await req(B, { type: "dm", to: `alice${t}`, text: `d${i}` });
      const p1 = await req(A, { type: "history", room, before: ids[4], limit: 2 });
      const p2 = await req(A, { type: "history", room, before: ids[2], limit: 5 });
      const d1 = await req(A, { type: "dm_history", with: `bob${t}`, limit: 2 });
      const d2 = await req(A, { type: "dm_history", with: `bob${t}`, since: d1.messages && ((d1.messages as Frame[])[0]!.id as string) });
      const d3 = await req(A, { type: "dm_history", with: `nobody${t}` });
      return { p1, p2, d1, d2, d3 };
    });
  });

  it("read markers move forward only and reach the user's other sessions", async () => {
    await parity(async (a, b, t) => {
      const A1 = await user(a, `alice${t}`);
      const A2 = await user(b, `alice${t}`);
      const B = await user(b, `bob${t}`);
      const room = `m${t}`;
      await req(A1, { type: "join", room });
      await req(B, { type: "join", room });
      const x = await req(B, { type: "say", room, text: "x" });
      const y = await req(B, { type: "say", room, text: "y" });
      const r1 = await req(A1, { type: "read", room, id: y.id as string, ref: 1 });
      const seen = await A2.next("read");
      const r2 = await req(A2, { type: "read", room, id: x.id as string, ref: 2 });
      const r3 = await req(A2, { type: "read", room: `nope${t}`, id: x.id as string, ref: 3 });
      const r4 = await req(A2, { type: "read", with: `ghost${t}`, id: x.id as string, ref: 4 });
      const A3 = await signIn(url(b), `alice${t}`);
      clients.push(A3.client);
      const j = await req(A3.client, { type: "join", room });
      await new Promise((r) => setTimeout(r, 200));
      return { r1, seen, r2, r3, r4, lastRead: j.lastRead, unread: j.unread, welcome: A3.welcome.unread, extraA1: A1.unread().filter((f) => f.type === "read") };
    });
  });

  it("client tags to a room and to a user", async () => {
    await parity(async (a, b, t) => {
      const A = await user(a, `alice${t}`);
      const B = await user(b, `bob${t}`);
      const room = `t${t}`;
      await req(A, { type: "join", room });
      await req(B, { type: "join", room });
      const ack1 = await req(A, { type: "tags", room, tags: { "+draft/flag": "" }, ref: 1 });
      const got1 = await B.next("tags");
      const ack2 = await req(A, { type: "tags", to: `bob${t}`, tags: { "+typing": "paused" }, ref: 2 });
      const got2 = await B.next("tags");
      const bad = await req(A, { type: "tags", to: `ghost${t}`, tags: { "+typing": "paused" }, ref: 3 });
      return { ack1, got1: { ...got1, id: got1.id === ack1.id }, ack2, got2: { ...got2, id: got2.id === ack2.id }, bad };
    });
  });

  it("moderation frames from a moderator on one node against a user on the other", async () => {
    await parity(async (a, b, t) => {
      const mod = `mod${t}`;
      const M = await user(a, mod);
      const role = await http(b, "/admin/role", { admin: true, method: "PUT", body: JSON.stringify({ user: mod, role: "moderator" }) });
      expect(role.status).toBe(200);
      const T = await user(b, `tom${t}`);
      const room = `k${t}`;
      await req(T, { type: "join", room });
      await req(M, { type: "join", room });
      const mute = await req(M, { type: "mute", user: `tom${t}`, room, minutes: 1, ref: 1 });
      const notice = await T.next("notice");
      const muted = await req(T, { type: "say", room, text: "hi", ref: 2 });
      const topic = await req(T, { type: "topic", room, text: "hi", ref: 3 });
      const unmute = await req(M, { type: "unmute", user: `tom${t}`, room, ref: 4 });
      let said: Frame | undefined;
      await expect.poll(async () => (said = await req(T, { type: "say", room, text: "back", ref: 5 })).type).toBe("ack");
      const unknown = await req(M, { type: "mute", user: `ghost${t}`, room, minutes: 1, ref: 6 });
      const forbidden = await req(T, { type: "kick", user: mod, ref: 7 });
      const kick = await req(M, { type: "kick", user: `tom${t}`, reason: "bye", ref: 8 });
      const kickNotice = await T.next("notice");
      const closed = await T.closed;
      // The server may take a moment more than the client to see the connection gone.
      await expect.poll(async () => JSON.stringify(await (await http(b, "/admin/users", { admin: true })).json())).not.toContain(`"tom${t}"`);
      const gone = await req(M, { type: "kick", user: `tom${t}`, ref: 9 });
      return { mute, notice, muted, topic, unmute, said, unknown, forbidden, kick, kickNotice, closed, gone };
    });
  });

  it("a role given through the admin API of either node applies to the next request", async () => {
    await parity(async (a, b, t) => {
      const M = await user(b, `mod${t}`);
      await user(b, `tom${t}`);
      const before = await req(M, { type: "kick", user: `tom${t}`, ref: 1 });
      await http(a, "/admin/role", { admin: true, method: "PUT", body: JSON.stringify({ user: `mod${t}`, role: "moderator" }) });
      const after = await req(M, { type: "kick", user: `tom${t}`, ref: 2 });
      await http(a, "/admin/role", { admin: true, method: "PUT", body: JSON.stringify({ user: `mod${t}`, role: "user" }) });
      const again = await req(M, { type: "kick", user: `tom${t}`, ref: 3 });
      return { before, after, again };
    });
  });

  it("logout revokes the token on every node; a ban refuses sign-in on every node", async () => {
    await parity(async (a, b, t) => {
      const first = await signIn(url(a), `alice${t}`);
      const onB = await TestClient.connect(url(b));
      clients.push(onB);
      const resumed = await onB.request({ type: "hello", token: first.welcome.token } as Frame, "welcome", "error");
      onB.ws.close();
      first.client.send({ type: "logout" });
      const closed = await first.client.closed;
      const late = await TestClient.connect(url(b));
      clients.push(late);
      const refused = await late.request({ type: "hello", token: first.welcome.token } as Frame, "welcome", "error");
      await http(a, "/admin/ban", { admin: true, method: "POST", body: JSON.stringify({ user: `alice${t}`, reason: "spam" }) });
      const banned = await late.request({ type: "hello", user: `alice${t}`, password: "correct-horse" }, "welcome", "error");
      return { resumed: resumed.type, closed, refused, banned };
    });
  });

  it("the back-off after failed sign-ins holds on every node", async () => {
    const out = await parity(async (a, b, t) => {
      const name = `alice${t}`;
      await user(a, name);
      const [c1, c2] = [await TestClient.connect(url(a)), await TestClient.connect(url(b))];
      clients.push(c1, c2);
      const wrong = { type: "hello", user: name, password: "not-the-password" };
      const failed = [await c1.request(wrong, "welcome", "error"), await c1.request(wrong, "welcome", "error")];
      // The other nodes hear of a failure over the bus, in about a millisecond.
      await new Promise((r) => setTimeout(r, 100));
      const right = await c2.request({ type: "hello", user: name, password: "correct-horse" }, "welcome", "error");
      return { failed, right };
    });
    expect(out).toMatchObject({ right: { type: "error", code: "rate_limited" } });
  });

  it("leave from a connection that has not joined, and presence quit", async () => {
    await parity(async (a, b, t) => {
      const A1 = await user(a, `alice${t}`);
      const A2 = await user(b, `alice${t}`);
      const B = await user(a, `bob${t}`);
      const room = `l${t}`;
      await req(B, { type: "join", room });
      await req(A1, { type: "join", room });
      const join = await B.next("presence");
      const left = await req(A2, { type: "leave", room, reason: "lunch" });
      await new Promise((r) => setTimeout(r, 300));
      const afterLeave = B.unread().filter((f) => f.type === "presence");
      const say = await req(A1, { type: "say", room, text: "still here?", ref: 1 });
      const j = await signIn(url(b), `carol${t}`);
      clients.push(j.client);
      const members = (await req(j.client, { type: "join", room })).members;
      return { join, left, afterLeave, say: say.type === "ack" ? "ack" : say, members, welcome: (await signIn(url(b), `alice${t}`)).welcome.rooms };
    });
  });

  it("secret rooms in the directory", async () => {
    await parity(async (a, b, t) => {
      const A = await user(a, `alice${t}`);
      const B = await user(b, `bob${t}`);
      const room = `sec${t}`;
      await req(A, { type: "join", room });
      const mode = await req(A, { type: "mode", room, mode: "secret", on: true, ref: 1 });
      await new Promise((r) => setTimeout(r, 300));
      const hidden = await req(B, { type: "rooms", query: t });
      const joined = await req(B, { type: "join", room });
      const shown = await req(B, { type: "rooms", query: t });
      const op = await req(B, { type: "mode", room, mode: "voice", on: true, user: `alice${t}`, ref: 2 });
      const grant = await req(A, { type: "mode", room, mode: "operator", on: true, user: `bob${t}`, ref: 3 });
      const op2 = await req(B, { type: "mode", room, mode: "topicLock", on: true, ref: 4 });
      return { mode: mode.type, hidden, joined: { ...joined, members: joined.members }, shown, op, grant: grant.type, op2: op2.type };
    });
  });

  it("join with since brings the changes made meanwhile", async () => {
    await parity(async (a, b, t) => {
      const A = await user(a, `alice${t}`);
      const room = `j${t}`;
      await req(A, { type: "join", room });
      const B = await user(b, `bob${t}`);
      await req(B, { type: "join", room });
      const m = await req(A, { type: "say", room, text: "orig" });
      await B.next("message");
      await B.close();
      await req(A, { type: "edit", id: m.id as string, text: "changed" });
      await req(A, { type: "react", id: m.id as string, emoji: "🎉" });
      await req(A, { type: "topic", room, text: "new topic" });
      await req(A, { type: "mode", room, mode: "topicLock", on: true });
      const B2 = await user(b, `bob${t}`);
      const j = await req(B2, { type: "join", room, since: m.id as string });
      const after = [await B2.next("edited"), await B2.next("reaction"), await B2.next("topic"), await B2.next("mode")];
      return { j, after };
    });
  });

  it("admin log, files and users answer the same from either node", async () => {
    await parity(async (a, b, t) => {
      const A = await signIn(url(a), `alice${t}`);
      clients.push(A.client);
      const room = `adm${t}`;
      await req(A.client, { type: "join", room });
      await req(A.client, { type: "say", room, text: "logged" });
      const file = await put(`http://127.0.0.1:${endpoints[a]!.port}`, A.welcome.token, "hello file", "f.txt");
      const sayFile = await req(A.client, { type: "say", room, files: [file.id as string], ref: 1 });
      const log = await (await http(b, `/admin/log?room=${room}`, { admin: true })).json();
      const files = await (await http(b, `/admin/files?user=alice${t}`, { admin: true })).json();
      const rooms = ((await (await http(b, "/admin/rooms", { admin: true })).json()) as { rooms: Array<{ name: string }> }).rooms.filter((r) => r.name === room);
      const del = await http(b, `/admin/files/${file.id as string}`, { admin: true, method: "DELETE" });
      const gone = await http(a, (file.url as string) ?? "", {});
      return { sayFile: sayFile.type, log, files: JSON.parse(JSON.stringify(files).split(file.id as string).join("F")), rooms, del: del.status, gone: gone.status };
    });
  });

  it("unread after deletions, edits, reactions and a topic, and after reading a conversation", async () => {
    const out = await parity(async (a, b, t) => {
      const A = await user(a, `alice${t}`);
      const room = `ud${t}`;
      await req(A, { type: "join", room });
      const mine = await req(A, { type: "say", room, text: "mine" });
      await A.close();
      const B = await user(b, `bob${t}`);
      await req(B, { type: "join", room });
      const ids: string[] = [];
      for (const text of ["a", `b @alice${t}`, "c", `d @room`]) ids.push((await req(B, { type: "say", room, text })).id as string);
      await req(B, { type: "delete", id: ids[1]! });
      await req(B, { type: "edit", id: ids[2]!, text: `c @alice${t}` });
      await req(B, { type: "react", id: mine.id as string, emoji: "👍" });
      await req(B, { type: "topic", room, text: "t" });
      const d1 = await req(B, { type: "dm", to: `alice${t}`, text: "x" });
      await req(B, { type: "dm", to: `alice${t}`, text: "y" });
      const back = await signIn(url(a), `alice${t}`);
      clients.push(back.client);
      const readDm = await req(back.client, { type: "read", with: `bob${t}`, id: d1.id as string, ref: 1 });
      const j = await req(back.client, { type: "join", room });
      const again = await signIn(url(b), `alice${t}`);
      clients.push(again.client);
      return { welcome: back.welcome.unread, readDm, joined: { unread: j.unread, history: j.history }, after: again.welcome.unread };
    });
    // "c" was edited to mention alice, "d" mentions @room; "b", which did, was deleted.
    expect(out).toMatchObject({ welcome: [{ room: "ud", count: 3, mentions: 2 }, { with: "bob", count: 2, mentions: 0 }] });
  });

  it("edits recompute mentions, reactions toggle, and a moderator's deletion removes the message's file", async () => {
    await parity(async (a, b, t) => {
      const A = await signIn(url(a), `alice${t}`);
      clients.push(A.client);
      const M = await user(b, `mod${t}`);
      await http(b, "/admin/role", { admin: true, method: "PUT", body: JSON.stringify({ user: `mod${t}`, role: "moderator" }) });
      const room = `e${t}`;
      await req(A.client, { type: "join", room });
      await req(M, { type: "join", room });
      // Uploaded through the other node, shared through this one.
      const file = await put(`http://127.0.0.1:${endpoints[b]!.port}`, A.welcome.token, "some bytes", "n.txt");
      const m = await req(A.client, { type: "say", room, text: "plain", files: [file.id as string] });
      const edit = await req(A.client, { type: "edit", id: m.id as string, text: `now @mod${t}` });
      const on = await req(M, { type: "react", id: m.id as string, emoji: "👍" });
      const off = await req(M, { type: "react", id: m.id as string, emoji: "👍" });
      const fetched = (await http(b, file.url as string)).status;
      const del = await req(M, { type: "delete", id: m.id as string });
      const gone = (await http(a, file.url as string)).status;
      const again = await req(A.client, { type: "edit", id: m.id as string, text: "too late" });
      await expect.poll(() => all(M, "deleted").length + all(A.client, "deleted").length).toBe(2);
      const seen = (c: TestClient) => c.frames.filter((f) => ["message", "edited", "reaction", "deleted"].includes(f.type));
      const h = await req(M, { type: "history", room });
      return { edit, on, off, fetched, del, gone, again, seenA: seen(A.client), seenM: seen(M), h };
    });
  });

  it("at most 20 different reactions, whichever node they come from", async () => {
    await parity(async (a, b, t) => {
      const A = await user(a, `alice${t}`);
      const B = await user(b, `bob${t}`);
      const room = `x${t}`;
      await req(A, { type: "join", room });
      await req(B, { type: "join", room });
      const m = await req(A, { type: "say", room, text: "react to me" });
      const emoji = Array.from({ length: 21 }, (_, i) => `:e${i}:`);
      const answers: Frame[] = [];
      for (const [i, e] of emoji.entries()) answers.push(await req(i % 2 ? A : B, { type: "react", id: m.id as string, emoji: e }));
      const mine = await req(A, { type: "react", id: m.id as string, emoji: ":e0:" });
      return { answers: answers.map((f) => f.code ?? f.type), mine: mine.type };
    });
  });

  it("search after an edit and a deletion made on the other node", async () => {
    await parity(async (a, b, t) => {
      const A = await user(a, `alice${t}`);
      const B = await user(b, `bob${t}`);
      const room = `se${t}`;
      await req(A, { type: "join", room });
      await req(B, { type: "join", room });
      const one = await req(B, { type: "say", room, text: `walrus${t} one` });
      const two = await req(B, { type: "say", room, text: `walrus${t} two` });
      await req(B, { type: "say", room, text: `walrus${t} three` });
      await req(B, { type: "edit", id: one.id as string, text: `narwhal${t} one` });
      await req(B, { type: "delete", id: two.id as string });
      let walrus: Frame | undefined;
      await expect.poll(async () => ((walrus = await req(A, { type: "search", q: `walrus${t}` })).messages as unknown[] | undefined)?.length, { timeout: 10_000 }).toBe(1);
      const narwhal = await req(A, { type: "search", q: `narwhal${t}` });
      const page = await req(A, { type: "search", q: `walrus${t}`, limit: 1, before: one.id as string });
      return { walrus, narwhal, page };
    });
  });

  it("join since an id before the room's first message, and history of a room left", async () => {
    await parity(async (a, b, t) => {
      const A = await user(a, `alice${t}`);
      const B = await user(b, `bob${t}`);
      const room = `js${t}`;
      await req(B, { type: "join", room });
      await req(B, { type: "say", room, text: "first" });
      const j = await req(A, { type: "join", room, since: "0000000000001-000000" });
      const left = await req(A, { type: "leave", room });
      const h = await req(A, { type: "history", room, ref: 1 });
      const j2 = await req(A, { type: "join", room });
      return { j, left, h, j2: { lastRead: j2.lastRead, unread: j2.unread } };
    });
  });

  it("kicks every session of a user, on one node or on two", async () => {
    await parity(async (a, b, t) => {
      const M = await user(a, `mod${t}`);
      await http(a, "/admin/role", { admin: true, method: "PUT", body: JSON.stringify({ user: `mod${t}`, role: "admin" }) });
      const T1 = await user(a, `tom${t}`);
      const T2 = await user(b, `tom${t}`);
      const kick = await req(M, { type: "kick", user: `TOM${t}`, ref: 1 });
      const closes = [await T1.closed, await T2.closed];
      const T3 = await user(b, `tom${t}`);
      const admin = await (await http(a, "/admin/kick", { admin: true, method: "POST", body: JSON.stringify({ user: `tom${t}` }) })).json();
      await T3.closed;
      const none = await (await http(b, "/admin/kick", { admin: true, method: "POST", body: JSON.stringify({ user: `tom${t}` }) })).json();
      return { kick, closes, admin, none };
    });
  });

  it("a short mute ends on its own on every node", async () => {
    await parity(async (a, b, t) => {
      const T = await user(b, `tom${t}`);
      const room = `mu${t}`;
      await req(T, { type: "join", room });
      const mute = await (await http(a, "/admin/mute", { admin: true, method: "POST", body: JSON.stringify({ user: `tom${t}`, room, minutes: 0.01 }) })).json();
      const muted = await req(T, { type: "say", room, text: "x" });
      await new Promise((r) => setTimeout(r, 700));
      const after = await req(T, { type: "say", room, text: "y" });
      return { mute, muted: muted.code, after: after.type };
    });
  });

  it("a locked topic, set by the room's operator, a member and a moderator from either node", async () => {
    await parity(async (a, b, t) => {
      const O = await user(a, `op${t}`);
      const room = `tl${t}`;
      await req(O, { type: "join", room });
      const B = await user(b, `bob${t}`);
      await req(B, { type: "join", room });
      const M = await user(b, `mod${t}`);
      await http(a, "/admin/role", { admin: true, method: "PUT", body: JSON.stringify({ user: `mod${t}`, role: "moderator" }) });
      await req(O, { type: "mode", room, mode: "topicLock", on: true });
      const member = await req(B, { type: "topic", room, text: "mine" });
      const mod = await req(M, { type: "topic", room, text: "mod's" });
      const modeByMod = await req(M, { type: "mode", room, mode: "voice", on: true, user: `bob${t}` });
      const notMember = await req(M, { type: "mode", room, mode: "operator", on: true, user: `mod${t}` });
      const op = await req(O, { type: "topic", room, text: "op's" });
      const tooLong = await req(O, { type: "topic", room, text: "x".repeat(301) });
      const j = await req(B, { type: "join", room });
      return { member: member.code, mod: mod.type, modeByMod: modeByMod.type, notMember: notMember.code, op: op.type, tooLong: tooLong.code, topic: j.topic, voiced: j.voiced, ops: j.operators };
    });
  });

  it("what a node shows after it restarts: roles, modes, topic, mutes, markers, conversations, search", async () => {
    // `a` restarts in place; `b` is where the users act (the same node, or the other one).
    await parity(async (a, b, t) => {
      const O = await user(b, `op${t}`);
      const B = await user(b, `bob${t}`);
      const room = `rs${t}`;
      await req(O, { type: "join", room });
      await req(B, { type: "join", room });
      await http(b, "/admin/role", { admin: true, method: "PUT", body: JSON.stringify({ user: `bob${t}`, role: "moderator" }) });
      await req(O, { type: "mode", room, mode: "secret", on: true });
      await req(O, { type: "mode", room, mode: "voice", on: true, user: `bob${t}` });
      await req(O, { type: "topic", room, text: "kept" });
      const m = await req(O, { type: "say", room, text: `ocelot${t} @bob${t}` });
      await req(O, { type: "react", id: m.id as string, emoji: "👍" });
      await req(O, { type: "dm", to: `bob${t}`, text: `ocelot${t} private` });
      await req(B, { type: "read", room, id: m.id as string });
      await http(b, "/admin/mute", { admin: true, method: "POST", body: JSON.stringify({ user: `op${t}`, room, minutes: 10 }) });
      await Promise.all([O.close(), B.close()]);
      expect((await http(a, "/admin/restart", { admin: true, method: "POST" })).status).toBe(202);
      await expect
        .poll(async () => ((await (await http(a, "/healthz").catch(() => undefined))?.json()) as { state?: string } | undefined)?.state, { timeout: 10_000 })
        .toBe("running");
      const back = await signIn(url(a), `bob${t}`);
      clients.push(back.client);
      const j = await req(back.client, { type: "join", room });
      const O2 = await user(a, `op${t}`);
      await req(O2, { type: "join", room });
      const muted = await req(O2, { type: "say", room, text: "still muted?" });
      const stranger = await user(a, `eve${t}`);
      const hidden = await req(stranger, { type: "rooms", query: room });
      const shown = await req(back.client, { type: "rooms", query: room });
      let found: Frame | undefined;
      await expect
        .poll(async () => ((found = await req(back.client, { type: "search", q: `ocelot${t}` })).messages as unknown[] | undefined)?.length, { timeout: 10_000 })
        .toBe(2);
      const w = back.welcome;
      return { welcome: { role: w.role, rooms: w.rooms, unread: w.unread, conversations: w.conversations }, j, muted: muted.code, hidden, shown, found };
    });
  });

  it("presence of a user with a connection on each node: told once, on the first join and the last close", async () => {
    await parity(async (a, b, t) => {
      const B = await user(a, `bob${t}`);
      const room = `pr${t}`;
      await req(B, { type: "join", room });
      const A1 = await user(a, `alice${t}`);
      const A2 = await user(b, `alice${t}`);
      await req(A1, { type: "join", room });
      await req(A2, { type: "join", room });
      await A1.close();
      await req(A2, { type: "say", room, text: "still here" });
      await A2.close();
      await expect.poll(() => all(B, "presence").length).toBe(2);
      await req(B, { type: "ping" });
      return B.frames.filter((f) => f.type === "presence" || f.type === "message");
    });
  });

  it("the sender's other connections get its direct messages and tags; a look-alike room name is refused", async () => {
    await parity(async (a, b, t) => {
      const A1 = await user(a, `alice${t}`);
      const A2 = await user(b, `alice${t}`);
      const B = await user(b, `bob${t}`);
      const dm = await req(A1, { type: "dm", to: `bob${t}`, text: "hi" });
      const tags = await req(A1, { type: "tags", to: `bob${t}`, tags: { "+x/y": "z" } });
      const self = await req(A1, { type: "tags", to: `alice${t}`, tags: { "+x/y": "me" } });
      await expect.poll(() => all(A2, "tags").length).toBe(2);
      await expect.poll(() => all(B, "tags").length).toBe(1);
      await req(A1, { type: "join", room: `lamp${t}` });
      await req(A1, { type: "leave", room: `lamp${t}` });
      const look = await req(B, { type: "join", room: `1amp${t}` });
      const strip = (fs: Frame[]) => fs.filter((f) => f.type === "dm" || f.type === "tags").map((f) => ({ ...f, id: f.type === "tags" ? "tag" : f.id }));
      return { dm: dm.type, tags: tags.type, self: self.type, A1: strip(A1.frames), A2: strip(A2.frames), B: strip(B.frames), look: look.code ?? look.type };
    });
  });

  it("admin users, kick and ban count the sessions on every node", async () => {
    await parity(async (a, b, t) => {
      const A1 = await user(a, `alice${t}`);
      const A2 = await user(b, `alice${t}`);
      await req(A1, { type: "join", room: `ad${t}` });
      const online = ((await (await http(b, "/admin/users", { admin: true })).json()) as { online: Array<{ name: string }> }).online.filter((u) => u.name === `alice${t}`);
      const ban = await (await http(a, "/admin/ban", { admin: true, method: "POST", body: JSON.stringify({ user: `ALICE${t}`, reason: "r" }) })).json();
      const closes = [await A1.closed, await A2.closed];
      const unban = await (await http(b, "/admin/unban", { admin: true, method: "POST", body: JSON.stringify({ user: `alice${t}` }) })).json();
      const again = await signIn(url(a), `alice${t}`).then((x) => (clients.push(x.client), x.welcome.type));
      return { online, ban, closes, unban, again };
    });
  });

  it("one allowance of new rooms per user, whichever node they are made on", async () => {
    const out = await parity(async (a, b, t) => {
      const A = await user(a, `alice${t}`);
      const B = await user(b, `alice${t}`);
      const answers: unknown[] = [];
      // limits.userRoomBurst (10) at once: five on each connection, then one more.
      for (let i = 0; i < 10; i++) answers.push((await req(i % 2 ? B : A, { type: "join", room: `new${i}${t}` })).type);
      // The other node hears of each new room over the bus, in about a millisecond.
      await new Promise((r) => setTimeout(r, 100));
      const over = await req(B, { type: "join", room: `new10${t}`, ref: 1 });
      const known = await req(B, { type: "join", room: `new0${t}` });
      return { answers, over: over.code, known: known.type };
    });
    expect(out).toMatchObject({ over: "rate_limited", known: "joined" });
  });

  it("changes to a direct message, names as the client spelled them, and a mention of a name made meanwhile", async () => {
    await parity(async (a, b, t) => {
      const A = await user(a, `alice${t}`);
      const B = await user(b, `bob${t}`);
      const none = await req(B, { type: "dm", to: `alice${t}`, text: `@carol${t} not yet` });
      await user(a, `Carol${t}`);
      const m = await req(A, { type: "dm", to: `BOB${t}`, text: `hi @CAROL${t}` });
      const edit = await req(A, { type: "edit", id: m.id as string, text: `hi again @carol${t}` });
      const react = await req(B, { type: "react", id: m.id as string, emoji: "🎉" });
      const notYours = await req(B, { type: "delete", id: m.id as string });
      const read = await req(B, { type: "read", with: `ALICE${t}`, id: m.id as string, ref: "rd" });
      const h = await req(B, { type: "dm_history", with: `ALICE${t}` });
      await expect.poll(() => all(A, "reaction").length).toBe(1);
      const pick = (c: TestClient) => c.frames.filter((f) => ["dm", "edited", "reaction"].includes(f.type));
      return { none, m, edit, react, notYours: notYours.code, read, h, A: pick(A), B: pick(B) };
    });
  });

  it("a leave's reason, a new room and a topic reach the members and the directory of the other node", async () => {
    await parity(async (a, b, t) => {
      const A = await user(a, `alice${t}`);
      const B = await user(b, `bob${t}`);
      const room = `lv${t}`;
      await req(A, { type: "join", room });
      await req(B, { type: "join", room });
      await req(A, { type: "topic", room, text: `topic${t}` });
      await req(A, { type: "leave", room, reason: "lunch" });
      await expect.poll(() => all(B, "presence").filter((f) => f.event === "leave").length).toBe(1);
      await expect
        .poll(() => B.frames.some((f) => f.type === "rooms" && f.ref === undefined && JSON.stringify(f.rooms).includes(`topic${t}`)), { timeout: 5000 })
        .toBe(true);
      return { presence: all(B, "presence"), topic: all(B, "topic") };
    });
  });

  it("past the history kept: recovered, complete, unread and changes of what was dropped", async () => {
    await parity(async (a, b, t) => {
      const A = await user(a, `alice${t}`);
      const room = `cap${t}`;
      await req(A, { type: "join", room });
      await A.close();
      // limits.historyPerRoom is 30 here: 35 messages drop the first 5.
      const senders = [await user(b, `bob${t}`), await user(b, `bob${t}`)];
      for (const c of senders) await req(c, { type: "join", room });
      const ids: string[] = [];
      for (let i = 0; i < 35; i++) ids.push((await req(senders[i % 2]!, { type: "say", room, text: `giraffe${t} ${i}` })).id as string);
      for (let i = 0; i < 35; i++) await req(senders[i % 2]!, { type: "dm", to: `alice${t}`, text: `zebra${t} ${i}` });
      const back = await signIn(url(a), `alice${t}`);
      clients.push(back.client);
      const C = back.client;
      const j = await req(C, { type: "join", room, since: ids[0] });
      const page = await req(C, { type: "history", room, before: ids[6], limit: 5 });
      const dms = await req(C, { type: "dm_history", with: `bob${t}`, limit: 40 });
      const dmFirst = (dms.messages as Frame[])[0]!.id as string;
      const dmSince = await req(C, { type: "dm_history", with: `bob${t}`, since: ids[0] });
      const edit = await req(senders[0]!, { type: "edit", id: ids[0]!, text: "late" });
      const reply = await req(senders[0]!, { type: "say", room, text: "re", replyTo: ids[1]! });
      // (Search is left out: embedded, it finds what the chat log holds beyond the history kept; docs/protocol.md.)
      return {
        welcome: back.welcome.unread,
        joined: { recovered: j.recovered, history: (j.history as Frame[]).length, first: (j.history as Frame[])[0]?.text, unread: j.unread },
        page,
        dms: { n: (dms.messages as Frame[]).length, complete: dms.complete, first: dmFirst === undefined },
        dmSince: { n: (dmSince.messages as Frame[]).length, complete: dmSince.complete },
        edit: edit.code,
        reply: reply.code,
      };
    });
  });
});
