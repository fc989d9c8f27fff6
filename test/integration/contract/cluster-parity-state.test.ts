import { describe, expect, it } from "vitest";
import { type Frame } from "../../helpers/client.ts";
import { all, parityWorld } from "../../helpers/parity.ts";

/** Cluster parity (what users are told of one another and of their rooms): see test/helpers/parity.ts. */
const w = parityWorld();

describe("cluster parity: conversation state, presence, modes and a restart", () => {
  it("unread counts, mentions and conversations in welcome and joined", async () => {
    await w.parity(async (a, b, t) => {
      const A = await w.user(a, `alice${t}`);
      const room = `u${t}`;
      await w.req(A, { type: "join", room });
      await A.close();
      const B = await w.user(b, `bob${t}`);
      await w.req(B, { type: "join", room });
      for (const text of ["one", `two @alice${t}`, "three"]) await w.req(B, { type: "say", room, text });
      await w.req(B, { type: "dm", to: `alice${t}`, text: `psst @alice${t}` });
      const again = await w.signIn(a, `alice${t}`);
      const j = await w.req(again.client, { type: "join", room });
      const wel = again.welcome;
      return { unread: wel.unread, conversations: wel.conversations, rooms: wel.rooms, lastRead: j.lastRead, jUnread: j.unread, history: j.history };
    });
  });

  it("unread after deletions, edits, reactions and a topic, and after reading a conversation", async () => {
    const out = await w.parity(async (a, b, t) => {
      const A = await w.user(a, `alice${t}`);
      const room = `ud${t}`;
      await w.req(A, { type: "join", room });
      const mine = await w.req(A, { type: "say", room, text: "mine" });
      await A.close();
      const B = await w.user(b, `bob${t}`);
      await w.req(B, { type: "join", room });
      const ids: string[] = [];
      for (const text of ["a", `b @alice${t}`, "c", `d @room`]) ids.push((await w.req(B, { type: "say", room, text })).id as string);
      await w.req(B, { type: "delete", id: ids[1]! });
      await w.req(B, { type: "edit", id: ids[2]!, text: `c @alice${t}` });
      await w.req(B, { type: "react", id: mine.id as string, emoji: "👍" });
      await w.req(B, { type: "topic", room, text: "t" });
      const d1 = await w.req(B, { type: "dm", to: `alice${t}`, text: "x" });
      await w.req(B, { type: "dm", to: `alice${t}`, text: "y" });
      const back = await w.signIn(a, `alice${t}`);
      const readDm = await w.req(back.client, { type: "read", with: `bob${t}`, id: d1.id as string, ref: 1 });
      const j = await w.req(back.client, { type: "join", room });
      const again = await w.signIn(b, `alice${t}`);
      return { welcome: back.welcome.unread, readDm, joined: { unread: j.unread, history: j.history }, after: again.welcome.unread };
    });
    // "c" was edited to mention alice, "d" mentions @room; "b", which did, was deleted.
    expect(out).toMatchObject({ welcome: [{ room: "ud", count: 3, mentions: 2 }, { with: "bob", count: 2, mentions: 0 }] });
  });

  it("read markers move forward only and reach the user's other sessions", async () => {
    await w.parity(async (a, b, t) => {
      const A1 = await w.user(a, `alice${t}`);
      const A2 = await w.user(b, `alice${t}`);
      const B = await w.user(b, `bob${t}`);
      const room = `m${t}`;
      await w.req(A1, { type: "join", room });
      await w.req(B, { type: "join", room });
      const x = await w.req(B, { type: "say", room, text: "x" });
      const y = await w.req(B, { type: "say", room, text: "y" });
      const r1 = await w.req(A1, { type: "read", room, id: y.id as string, ref: 1 });
      const seen = await A2.next("read");
      const r2 = await w.req(A2, { type: "read", room, id: x.id as string, ref: 2 });
      const r3 = await w.req(A2, { type: "read", room: `nope${t}`, id: x.id as string, ref: 3 });
      const r4 = await w.req(A2, { type: "read", with: `ghost${t}`, id: x.id as string, ref: 4 });
      const A3 = await w.signIn(b, `alice${t}`);
      const j = await w.req(A3.client, { type: "join", room });
      await new Promise((r) => setTimeout(r, 200));
      return { r1, seen, r2, r3, r4, lastRead: j.lastRead, unread: j.unread, welcome: A3.welcome.unread, extraA1: A1.unread().filter((f) => f.type === "read") };
    });
  });

  it("leave from a connection that has not joined, and presence quit", async () => {
    await w.parity(async (a, b, t) => {
      const A1 = await w.user(a, `alice${t}`);
      const A2 = await w.user(b, `alice${t}`);
      const B = await w.user(a, `bob${t}`);
      const room = `l${t}`;
      await w.req(B, { type: "join", room });
      await w.req(A1, { type: "join", room });
      const join = await B.next("presence");
      const left = await w.req(A2, { type: "leave", room, reason: "lunch" });
      await new Promise((r) => setTimeout(r, 300));
      const afterLeave = B.unread().filter((f) => f.type === "presence");
      const say = await w.req(A1, { type: "say", room, text: "still here?", ref: 1 });
      const j = await w.signIn(b, `carol${t}`);
      const members = (await w.req(j.client, { type: "join", room })).members;
      return { join, left, afterLeave, say: say.type === "ack" ? "ack" : say, members, welcome: (await w.signIn(b, `alice${t}`)).welcome.rooms };
    });
  });

  it("secret rooms in the directory", async () => {
    await w.parity(async (a, b, t) => {
      const A = await w.user(a, `alice${t}`);
      const B = await w.user(b, `bob${t}`);
      const room = `sec${t}`;
      await w.req(A, { type: "join", room });
      const mode = await w.req(A, { type: "mode", room, mode: "secret", on: true, ref: 1 });
      await new Promise((r) => setTimeout(r, 300));
      const hidden = await w.req(B, { type: "rooms", query: t });
      const joined = await w.req(B, { type: "join", room });
      const shown = await w.req(B, { type: "rooms", query: t });
      const op = await w.req(B, { type: "mode", room, mode: "voice", on: true, user: `alice${t}`, ref: 2 });
      const grant = await w.req(A, { type: "mode", room, mode: "operator", on: true, user: `bob${t}`, ref: 3 });
      const op2 = await w.req(B, { type: "mode", room, mode: "topicLock", on: true, ref: 4 });
      return { mode: mode.type, hidden, joined: { ...joined, members: joined.members }, shown, op, grant: grant.type, op2: op2.type };
    });
  });

  it("a locked topic, set by the room's operator, a member and a moderator from either node", async () => {
    await w.parity(async (a, b, t) => {
      const O = await w.user(a, `op${t}`);
      const room = `tl${t}`;
      await w.req(O, { type: "join", room });
      const B = await w.user(b, `bob${t}`);
      await w.req(B, { type: "join", room });
      const M = await w.user(b, `mod${t}`);
      await w.http(a, "/admin/role", { admin: true, method: "PUT", body: JSON.stringify({ user: `mod${t}`, role: "moderator" }) });
      await w.req(O, { type: "mode", room, mode: "topicLock", on: true });
      const member = await w.req(B, { type: "topic", room, text: "mine" });
      const mod = await w.req(M, { type: "topic", room, text: "mod's" });
      const modeByMod = await w.req(M, { type: "mode", room, mode: "voice", on: true, user: `bob${t}` });
      const notMember = await w.req(M, { type: "mode", room, mode: "operator", on: true, user: `mod${t}` });
      const op = await w.req(O, { type: "topic", room, text: "op's" });
      const tooLong = await w.req(O, { type: "topic", room, text: "x".repeat(301) });
      const j = await w.req(B, { type: "join", room });
      return { member: member.code, mod: mod.type, modeByMod: modeByMod.type, notMember: notMember.code, op: op.type, tooLong: tooLong.code, topic: j.topic, voiced: j.voiced, ops: j.operators };
    });
  });

  it("what a node shows after it restarts: roles, modes, topic, mutes, markers, conversations, search", async () => {
    // `a` restarts in place; `b` is where the users act (the same node, or the other one).
    await w.parity(async (a, b, t) => {
      const O = await w.user(b, `op${t}`);
      const B = await w.user(b, `bob${t}`);
      const room = `rs${t}`;
      await w.req(O, { type: "join", room });
      await w.req(B, { type: "join", room });
      await w.http(b, "/admin/role", { admin: true, method: "PUT", body: JSON.stringify({ user: `bob${t}`, role: "moderator" }) });
      await w.req(O, { type: "mode", room, mode: "secret", on: true });
      await w.req(O, { type: "mode", room, mode: "voice", on: true, user: `bob${t}` });
      await w.req(O, { type: "topic", room, text: "kept" });
      const m = await w.req(O, { type: "say", room, text: `ocelot${t} @bob${t}` });
      await w.req(O, { type: "react", id: m.id as string, emoji: "👍" });
      await w.req(O, { type: "dm", to: `bob${t}`, text: `ocelot${t} private` });
      await w.req(B, { type: "read", room, id: m.id as string });
      await w.http(b, "/admin/mute", { admin: true, method: "POST", body: JSON.stringify({ user: `op${t}`, room, minutes: 10 }) });
      await Promise.all([O.close(), B.close()]);
      expect((await w.http(a, "/admin/restart", { admin: true, method: "POST" })).status).toBe(202);
      await expect
        .poll(async () => ((await (await w.http(a, "/healthz").catch(() => undefined))?.json()) as { state?: string } | undefined)?.state, { timeout: 10_000 })
        .toBe("running");
      const back = await w.signIn(a, `bob${t}`);
      const j = await w.req(back.client, { type: "join", room });
      const O2 = await w.user(a, `op${t}`);
      await w.req(O2, { type: "join", room });
      const muted = await w.req(O2, { type: "say", room, text: "still muted?" });
      const stranger = await w.user(a, `eve${t}`);
      const hidden = await w.req(stranger, { type: "rooms", query: room });
      const shown = await w.req(back.client, { type: "rooms", query: room });
      let found: Frame | undefined;
      await expect
        .poll(async () => ((found = await w.req(back.client, { type: "search", q: `ocelot${t}` })).messages as unknown[] | undefined)?.length, { timeout: 10_000 })
        .toBe(2);
      const wel = back.welcome;
      return { welcome: { role: wel.role, rooms: wel.rooms, unread: wel.unread, conversations: wel.conversations }, j, muted: muted.code, hidden, shown, found };
    });
  });

  it("presence of a user with a connection on each node: told once, on the first join and the last close", async () => {
    await w.parity(async (a, b, t) => {
      const B = await w.user(a, `bob${t}`);
      const room = `pr${t}`;
      await w.req(B, { type: "join", room });
      const A1 = await w.user(a, `alice${t}`);
      const A2 = await w.user(b, `alice${t}`);
      await w.req(A1, { type: "join", room });
      await w.req(A2, { type: "join", room });
      await A1.close();
      await w.req(A2, { type: "say", room, text: "still here" });
      await A2.close();
      await expect.poll(() => all(B, "presence").length).toBe(2);
      await w.req(B, { type: "ping" });
      return B.frames.filter((f) => f.type === "presence" || f.type === "message");
    });
  });

  it("a leave's reason, a new room and a topic reach the members and the directory of the other node", async () => {
    await w.parity(async (a, b, t) => {
      const A = await w.user(a, `alice${t}`);
      const B = await w.user(b, `bob${t}`);
      const room = `lv${t}`;
      await w.req(A, { type: "join", room });
      await w.req(B, { type: "join", room });
      await w.req(A, { type: "topic", room, text: `topic${t}` });
      await w.req(A, { type: "leave", room, reason: "lunch" });
      await expect.poll(() => all(B, "presence").filter((f) => f.event === "leave").length).toBe(1);
      await expect
        .poll(() => B.frames.some((f) => f.type === "rooms" && f.ref === undefined && JSON.stringify(f.rooms).includes(`topic${t}`)), { timeout: 5000 })
        .toBe(true);
      return { presence: all(B, "presence"), topic: all(B, "topic") };
    });
  });

  it("the sender's other connections get its direct messages and tags; a look-alike room name is refused", async () => {
    await w.parity(async (a, b, t) => {
      const A1 = await w.user(a, `alice${t}`);
      const A2 = await w.user(b, `alice${t}`);
      const B = await w.user(b, `bob${t}`);
      const dm = await w.req(A1, { type: "dm", to: `bob${t}`, text: "hi" });
      const tags = await w.req(A1, { type: "tags", to: `bob${t}`, tags: { "+x/y": "z" } });
      const self = await w.req(A1, { type: "tags", to: `alice${t}`, tags: { "+x/y": "me" } });
      await expect.poll(() => all(A2, "tags").length).toBe(2);
      await expect.poll(() => all(B, "tags").length).toBe(1);
      await w.req(A1, { type: "join", room: `lamp${t}` });
      await w.req(A1, { type: "leave", room: `lamp${t}` });
      const look = await w.req(B, { type: "join", room: `1amp${t}` });
      const strip = (fs: Frame[]) => fs.filter((f) => f.type === "dm" || f.type === "tags").map((f) => ({ ...f, id: f.type === "tags" ? "tag" : f.id }));
      return { dm: dm.type, tags: tags.type, self: self.type, A1: strip(A1.frames), A2: strip(A2.frames), B: strip(B.frames), look: look.code ?? look.type };
    });
  });

  it("a member hears of a join before the joiner's first message, sent right behind it", async () => {
    await w.parity(async (a, b, t) => {
      const room = `ord${t}`;
      const B = await w.user(b, `bob${t}`);
      await w.req(B, { type: "join", room });
      const A = await w.user(a, `alice${t}`);
      A.send({ type: "join", room });
      A.send({ type: "say", room, text: "first" });
      A.send({ type: "say", room, text: "second" });
      await expect.poll(() => B.frames.filter((f) => f.type === "message").length).toBe(2);
      return B.frames.filter((f) => f.type === "presence" || f.type === "message");
    });
  });
});
