import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, TestClient, type Frame } from "../../helpers/client.ts";
import { startCluster, type TestCluster } from "../../helpers/cluster.ts";
import { put } from "../../helpers/files.ts";

/**
 * Cluster parity: each scenario runs twice on one cluster of two nodes, once with both users
 * on node-1 and once with them on node-1 and node-2, and must give the same frames.
 */
let cluster: TestCluster;
let filesDir: string;
beforeAll(async () => {
  filesDir = await mkdtemp(join(tmpdir(), "chatd-parity-files-"));
  cluster = await startCluster(2, { CHAT_FILES_DIR: filesDir });
});
afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  await cluster?.close();
  await rm(filesDir, { recursive: true, force: true });
});

const clients: TestClient[] = [];
const url = (i: number) => cluster.nodes[i]!.wsUrl;
const http = (i: number, path: string, init: RequestInit & { admin?: boolean } = {}) => cluster.nodes[i]!.http(path, init);
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
/** Runs `scenario` with both users on node-1, then across the two nodes, and compares. */
async function parity(scenario: Scenario): Promise<unknown> {
  const tag = `p${++runs}x`;
  const same = normal(await scenario(0, 0, tag), tag);
  const tag2 = `p${++runs}x`;
  const cross = normal(await scenario(0, 1, tag2), tag2);
  if (process.env.PARITY_DUMP) console.log(JSON.stringify(same));
  expect(cross).toEqual(same);
  return same;
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
      const role = await http(1, "/admin/role", { admin: true, method: "PUT", body: JSON.stringify({ user: mod, role: "moderator" }) });
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
      const file = await put(`http://127.0.0.1:${cluster.nodes[a]!.port}`, A.welcome.token, "hello file", "f.txt");
      const sayFile = await req(A.client, { type: "say", room, files: [file.id as string], ref: 1 });
      const log = await (await http(b, `/admin/log?room=${room}`, { admin: true })).json();
      const files = await (await http(b, `/admin/files?user=alice${t}`, { admin: true })).json();
      const rooms = ((await (await http(b, "/admin/rooms", { admin: true })).json()) as { rooms: Array<{ name: string }> }).rooms.filter((r) => r.name === room);
      const del = await http(b, `/admin/files/${file.id as string}`, { admin: true, method: "DELETE" });
      const gone = await http(a, (file.url as string) ?? "", {});
      return { sayFile: sayFile.type, log, files: JSON.parse(JSON.stringify(files).split(file.id as string).join("F")), rooms, del: del.status, gone: gone.status };
    });
  });
});
