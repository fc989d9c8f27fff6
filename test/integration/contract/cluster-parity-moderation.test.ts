import { describe, expect, it } from "vitest";
import { TestClient, type Frame } from "../../helpers/client.ts";
import { put } from "../../helpers/files.ts";
import { parityWorld } from "../../helpers/parity.ts";

/** Cluster parity (who may do what, from whichever node): see test/helpers/parity.ts. */
const w = parityWorld();

describe("cluster parity: sign-in, moderation, the admin API and the shared allowances", () => {
  it("moderation frames from a moderator on one node against a user on the other", async () => {
    await w.parity(async (a, b, t) => {
      const mod = `mod${t}`;
      const M = await w.user(a, mod);
      const role = await w.http(b, "/admin/role", { admin: true, method: "PUT", body: JSON.stringify({ user: mod, role: "moderator" }) });
      expect(role.status).toBe(200);
      const T = await w.user(b, `tom${t}`);
      const room = `k${t}`;
      await w.req(T, { type: "join", room });
      await w.req(M, { type: "join", room });
      const mute = await w.req(M, { type: "mute", user: `tom${t}`, room, minutes: 1, ref: 1 });
      const notice = await T.next("notice");
      const muted = await w.req(T, { type: "say", room, text: "hi", ref: 2 });
      const topic = await w.req(T, { type: "topic", room, text: "hi", ref: 3 });
      const unmute = await w.req(M, { type: "unmute", user: `tom${t}`, room, ref: 4 });
      let said: Frame | undefined;
      await expect.poll(async () => (said = await w.req(T, { type: "say", room, text: "back", ref: 5 })).type).toBe("ack");
      const unknown = await w.req(M, { type: "mute", user: `ghost${t}`, room, minutes: 1, ref: 6 });
      const forbidden = await w.req(T, { type: "kick", user: mod, ref: 7 });
      const kick = await w.req(M, { type: "kick", user: `tom${t}`, reason: "bye", ref: 8 });
      const kickNotice = await T.next("notice");
      const closed = await T.closed;
      // The server may take a moment more than the client to see the connection gone.
      await expect.poll(async () => JSON.stringify(await (await w.http(b, "/admin/users", { admin: true })).json())).not.toContain(`"tom${t}"`);
      const gone = await w.req(M, { type: "kick", user: `tom${t}`, ref: 9 });
      return { mute, notice, muted, topic, unmute, said, unknown, forbidden, kick, kickNotice, closed, gone };
    });
  });

  it("a role given through the admin API of either node applies to the next request", async () => {
    await w.parity(async (a, b, t) => {
      const M = await w.user(b, `mod${t}`);
      await w.user(b, `tom${t}`);
      const before = await w.req(M, { type: "kick", user: `tom${t}`, ref: 1 });
      await w.http(a, "/admin/role", { admin: true, method: "PUT", body: JSON.stringify({ user: `mod${t}`, role: "moderator" }) });
      const after = await w.req(M, { type: "kick", user: `tom${t}`, ref: 2 });
      await w.http(a, "/admin/role", { admin: true, method: "PUT", body: JSON.stringify({ user: `mod${t}`, role: "user" }) });
      const again = await w.req(M, { type: "kick", user: `tom${t}`, ref: 3 });
      return { before, after, again };
    });
  });

  it("logout revokes the token on every node; a ban refuses sign-in on every node", async () => {
    await w.parity(async (a, b, t) => {
      const first = await w.signIn(a, `alice${t}`);
      const onB = await TestClient.connect(w.url(b));
      w.keep(onB);
      const resumed = await onB.request({ type: "hello", token: first.welcome.token } as Frame, "welcome", "error");
      onB.ws.close();
      first.client.send({ type: "logout" });
      const closed = await first.client.closed;
      const late = await TestClient.connect(w.url(b));
      w.keep(late);
      const refused = await late.request({ type: "hello", token: first.welcome.token } as Frame, "welcome", "error");
      await w.http(a, "/admin/ban", { admin: true, method: "POST", body: JSON.stringify({ user: `alice${t}`, reason: "spam" }) });
      const banned = await late.request({ type: "hello", user: `alice${t}`, password: "correct-horse" }, "welcome", "error");
      return { resumed: resumed.type, closed, refused, banned };
    });
  });

  it("the back-off after failed sign-ins holds on every node", async () => {
    const out = await w.parity(async (a, b, t) => {
      const name = `alice${t}`;
      await w.user(a, name);
      const [c1, c2] = [await TestClient.connect(w.url(a)), await TestClient.connect(w.url(b))];
      w.keep(c1, c2);
      const wrong = { type: "hello", user: name, password: "not-the-password" };
      const failed = [await c1.request(wrong, "welcome", "error"), await c1.request(wrong, "welcome", "error")];
      // The other nodes hear of a failure over the bus, in about a millisecond.
      await new Promise((r) => setTimeout(r, 100));
      const right = await c2.request({ type: "hello", user: name, password: "correct-horse" }, "welcome", "error");
      return { failed, right };
    });
    expect(out).toMatchObject({ right: { type: "error", code: "rate_limited" } });
  });

  it("kicks every session of a user, on one node or on two", async () => {
    await w.parity(async (a, b, t) => {
      const M = await w.user(a, `mod${t}`);
      await w.http(a, "/admin/role", { admin: true, method: "PUT", body: JSON.stringify({ user: `mod${t}`, role: "admin" }) });
      const T1 = await w.user(a, `tom${t}`);
      const T2 = await w.user(b, `tom${t}`);
      const kick = await w.req(M, { type: "kick", user: `TOM${t}`, ref: 1 });
      const closes = [await T1.closed, await T2.closed];
      const T3 = await w.user(b, `tom${t}`);
      const admin = await (await w.http(a, "/admin/kick", { admin: true, method: "POST", body: JSON.stringify({ user: `tom${t}` }) })).json();
      await T3.closed;
      const none = await (await w.http(b, "/admin/kick", { admin: true, method: "POST", body: JSON.stringify({ user: `tom${t}` }) })).json();
      return { kick, closes, admin, none };
    });
  });

  it("a short mute ends on its own on every node", async () => {
    await w.parity(async (a, b, t) => {
      const T = await w.user(b, `tom${t}`);
      const room = `mu${t}`;
      await w.req(T, { type: "join", room });
      const mute = await (await w.http(a, "/admin/mute", { admin: true, method: "POST", body: JSON.stringify({ user: `tom${t}`, room, minutes: 0.01 }) })).json();
      const muted = await w.req(T, { type: "say", room, text: "x" });
      await new Promise((r) => setTimeout(r, 700));
      const after = await w.req(T, { type: "say", room, text: "y" });
      return { mute, muted: muted.code, after: after.type };
    });
  });

  it("admin users, kick and ban count the sessions on every node", async () => {
    await w.parity(async (a, b, t) => {
      const A1 = await w.user(a, `alice${t}`);
      const A2 = await w.user(b, `alice${t}`);
      await w.req(A1, { type: "join", room: `ad${t}` });
      const online = ((await (await w.http(b, "/admin/users", { admin: true })).json()) as { online: Array<{ name: string }> }).online.filter((u) => u.name === `alice${t}`);
      const ban = await (await w.http(a, "/admin/ban", { admin: true, method: "POST", body: JSON.stringify({ user: `ALICE${t}`, reason: "r" }) })).json();
      const closes = [await A1.closed, await A2.closed];
      const unban = await (await w.http(b, "/admin/unban", { admin: true, method: "POST", body: JSON.stringify({ user: `alice${t}` }) })).json();
      const again = await w.signIn(a, `alice${t}`).then((x) => (w.keep(x.client), x.welcome.type));
      return { online, ban, closes, unban, again };
    });
  });

  it("one allowance of new rooms per user, whichever node they are made on", async () => {
    const out = await w.parity(async (a, b, t) => {
      const A = await w.user(a, `alice${t}`);
      const B = await w.user(b, `alice${t}`);
      const answers: unknown[] = [];
      // limits.userRoomBurst (10) at once: five on each connection, then one more.
      for (let i = 0; i < 10; i++) answers.push((await w.req(i % 2 ? B : A, { type: "join", room: `new${i}${t}` })).type);
      // The other node hears of each new room over the bus, in about a millisecond.
      await new Promise((r) => setTimeout(r, 100));
      const over = await w.req(B, { type: "join", room: `new10${t}`, ref: 1 });
      const known = await w.req(B, { type: "join", room: `new0${t}` });
      return { answers, over: over.code, known: known.type };
    });
    expect(out).toMatchObject({ over: "rate_limited", known: "joined" });
  });

  it("admin log, files and users answer the same from either node", async () => {
    await w.parity(async (a, b, t) => {
      const A = await w.signIn(a, `alice${t}`);
      const room = `adm${t}`;
      await w.req(A.client, { type: "join", room });
      await w.req(A.client, { type: "say", room, text: "logged" });
      const file = await put(`http://127.0.0.1:${w.port(a)}`, A.welcome.token, "hello file", "f.txt");
      const sayFile = await w.req(A.client, { type: "say", room, files: [file.id as string], ref: 1 });
      const log = await (await w.http(b, `/admin/log?room=${room}`, { admin: true })).json();
      const files = await (await w.http(b, `/admin/files?user=alice${t}`, { admin: true })).json();
      const rooms = ((await (await w.http(b, "/admin/rooms", { admin: true })).json()) as { rooms: Array<{ name: string }> }).rooms.filter((r) => r.name === room);
      const del = await w.http(b, `/admin/files/${file.id as string}`, { admin: true, method: "DELETE" });
      const gone = await w.http(a, (file.url as string) ?? "", {});
      return { sayFile: sayFile.type, log, files: JSON.parse(JSON.stringify(files).split(file.id as string).join("F")), rooms, del: del.status, gone: gone.status };
    });
  });

  it("broadcast recipients and registered accounts count every node", async () => {
    await w.parity(async (a, b, t) => {
      const post = (path: string, body: object) => w.http(a, path, { admin: true, method: "POST", body: JSON.stringify(body) }).then((r) => r.json() as Promise<Record<string, number>>);
      const registered = async () => ((await (await w.http(b, "/admin/users", { admin: true })).json()) as { registered: number }).registered;
      const [r0, n0] = [(await post("/admin/broadcast", { text: "before" })).recipients!, await registered()];
      const A = await w.user(a, `alice${t}`);
      const B = await w.user(b, `bob${t}`);
      const [r1, n1] = [(await post("/admin/broadcast", { text: `hello${t}` })).recipients!, await registered()];
      const heard = [await A.next("notice"), await B.next("notice")];
      return { recipients: r1 - r0, registered: n1 - n0, heard };
    });
  });

  it("a direct message's file, and the admin's deletion of that message from the other node", async () => {
    await w.parity(async (a, b, t) => {
      const A = await w.signIn(a, `alice${t}`);
      const B = await w.user(b, `bob${t}`);
      const file = await put(`http://127.0.0.1:${w.port(a)}`, A.welcome.token, "dm bytes", "d.txt");
      const dm = await w.req(A.client, { type: "dm", to: `bob${t}`, files: [file.id as string] });
      const got = await B.next("dm");
      const before = (await w.http(b, file.url as string)).status;
      const del = await (await w.http(b, `/admin/messages/${dm.id as string}`, { admin: true, method: "DELETE" })).json();
      const told = [await A.client.next("deleted"), await B.next("deleted")];
      const after = (await w.http(a, file.url as string)).status;
      const again = await (await w.http(a, `/admin/messages/${dm.id as string}`, { admin: true, method: "DELETE" })).json();
      const h = await w.req(B, { type: "dm_history", with: `alice${t}` });
      return { dm: dm.type, got, before, del, told, after, again, h };
    });
  });

  it("a mute set while the user is away holds on the node they sign in to, until lifted from another", async () => {
    await w.parity(async (a, b, t) => {
      const room = `away${t}`;
      const T = await w.user(b, `tom${t}`);
      await w.req(T, { type: "join", room });
      await T.close();
      const post = (path: string, body: object) => w.http(a, path, { admin: true, method: "POST", body: JSON.stringify(body) }).then((r) => r.json());
      const mute = await post("/admin/mute", { user: `tom${t}`, room, minutes: 5 });
      const back = await w.user(b, `tom${t}`);
      await w.req(back, { type: "join", room });
      const muted = await w.req(back, { type: "say", room, text: "hello?" });
      const unmute = await post("/admin/unmute", { user: `tom${t}`, room });
      let said: string | undefined;
      await expect.poll(async () => (said = (await w.req(back, { type: "say", room, text: "back" })).type)).toBe("ack");
      return { mute, muted: muted.code, unmute, said };
    });
  });
});
