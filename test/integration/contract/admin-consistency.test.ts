import { afterEach, describe, expect, it } from "vitest";
import type { TestDaemon } from "../../helpers/daemon.ts";
import { World, ask, say } from "../../helpers/harness.ts";
import { put, startWithAlice } from "../../helpers/files.ts";

/**
 * docs/operations.md, "Admin API": one behaviour across endpoints, as an operator with curl
 * expects it. The answer names a user as their account spells it (kick as ban, mute and role
 * do); a body's user that breaks the naming rule is 400 bad_request (kick as ban and mute); a query parameter naming a user or room that breaks the naming rule is 400
 * bad_request (`?user=` of /admin/files as `?room=` of /admin/log); a mute names a room that
 * exists, else 404 unknown_room.
 */

type Json = Record<string, unknown>;

async function call(d: TestDaemon, method: string, path: string, body?: unknown) {
  const headers = { Authorization: `Bearer ${d.config.adminToken}` };
  const res = await fetch(`${d.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  expect(res.headers.get("content-type") ?? "", `${method} ${path} answers JSON`).toContain("application/json");
  return { status: res.status, body: (await res.json()) as Json };
}

describe("POST /admin/kick names the user as their account spells it, as ban, mute and role do", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("answers kicked with the account's display name, whatever spelling the operator typed", async () => {
    const d = await world.daemon();
    const { client } = await world.signIn(d, "Erin");
    const kicked = await call(d, "POST", "/admin/kick", { user: "ERIN" });
    expect(kicked).toEqual({ status: 200, body: { kicked: "Erin", sessions: 1 } });
    expect((await client.closed).code).toBe(4000);

    await world.signIn(d, "Erin");
    // The same account, the same spelling, from every endpoint that names it.
    expect((await call(d, "POST", "/admin/mute", { user: "eRIN", room: "general", minutes: 1 })).body).toMatchObject({ muted: "Erin" });
    expect((await call(d, "PUT", "/admin/role", { user: "erin", role: "user" })).body).toEqual({ user: "Erin", role: "user" });
    expect((await call(d, "POST", "/admin/ban", { user: "ERIN" })).body).toEqual({ banned: "Erin", sessions: 1 });
  });
});

describe("a body's user that breaks the naming rule is 400 bad_request on every endpoint, kick as ban and mute", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it.each([
    ["POST", "/admin/kick", { user: "../x" }],
    ["POST", "/admin/ban", { user: "../x" }],
    ["POST", "/admin/unban", { user: "../x" }],
    ["POST", "/admin/mute", { user: "../x", room: "general", minutes: 1 }],
    ["POST", "/admin/unmute", { user: "../x", room: "general" }],
    ["PUT", "/admin/role", { user: "../x", role: "user" }],
  ])("%s %s", async (method, path, body) => {
    const d = await world.daemon();
    expect(await call(d, method, path, body)).toEqual({ status: 400, body: { error: "bad_request", message: expect.stringMatching(/^user name may hold only/) } });
  });

  it("a valid name with no session is still 404 not_online for kick", async () => {
    const d = await world.daemon();
    expect(await call(d, "POST", "/admin/kick", { user: "nobody" })).toMatchObject({ status: 404, body: { error: "not_online" } });
  });
});

describe("GET /admin/files?user= with a name that breaks the naming rule", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it.each(["no%20spaces", "-dash-first", "a%2Fb", "..", "u".repeat(33), "u".repeat(65)])("?user=%s is 400 bad_request naming user, as /admin/log?room= is", async (user) => {
    const d = await world.daemon();
    const answer = await call(d, "GET", `/admin/files?user=${user}`);
    expect(answer).toEqual({ status: 400, body: { error: "bad_request", message: expect.stringMatching(/^user\b/) } });
    const room = await call(d, "GET", `/admin/log?room=${user}`);
    expect(room).toEqual({ status: 400, body: { error: "bad_request", message: expect.stringMatching(/^room\b/) } });
  });

  it("a valid name still lists that user's files (any spelling), none for a name with no files, all users for an empty one", async () => {
    const { d, token } = await startWithAlice(world);
    const stored = await put(d.url, token, "hello", "a.txt");
    expect(await call(d, "GET", "/admin/files?user=ALICE")).toMatchObject({ status: 200, body: { users: [{ user: "alice", files: 1 }], files: [{ id: stored.id }] } });
    expect(await call(d, "GET", "/admin/files?user=nobody")).toMatchObject({ status: 200, body: { users: [], files: [] } });
    expect(await call(d, "GET", "/admin/files?user=")).toMatchObject({ status: 200, body: { users: [{ user: "alice", files: 1 }] } });
  });
});

describe("POST /admin/mute in a room that does not exist", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("is 404 unknown_room and stores no mute: the room, created later, lets the user speak", async () => {
    const d = await world.daemon();
    const { client } = await world.signIn(d, "alice");
    expect(await call(d, "POST", "/admin/mute", { user: "alice", room: "genral", minutes: 10 })).toEqual({
      status: 404,
      body: { error: "unknown_room", message: expect.any(String) },
    });
    // An unknown user in an unknown room: the room is named first.
    expect(await call(d, "POST", "/admin/mute", { user: "nobody", room: "genral", minutes: 10 })).toMatchObject({ status: 404, body: { error: "unknown_room" } });
    expect(client.frames.filter((f) => f.type === "notice" && f.kind === "mute")).toEqual([]);
    expect(await client.request({ type: "join", room: "genral" }, "joined", "error")).toMatchObject({ type: "joined", room: "genral" });
    expect(await say(client, "genral", ["not muted"])).toHaveLength(1);
  });

  it("mutes in a default room nobody joined and in a room a join created, any spelling; a bad name is 400", async () => {
    const d = await world.daemon({ rooms: ["general", "lobby"] });
    await world.signIn(d, "alice");
    const { client: bob } = await world.member(d, "bob", "Dev-Talk");
    expect(await call(d, "POST", "/admin/mute", { user: "alice", room: "Lobby", minutes: 1 })).toMatchObject({ status: 200, body: { muted: "alice", room: "lobby" } });
    expect(await call(d, "POST", "/admin/mute", { user: "bob", room: "DEV-TALK", minutes: 1 })).toMatchObject({ status: 200, body: { muted: "bob", room: "dev-talk" } });
    expect((await ask(bob, { type: "say", room: "dev-talk", text: "hi" })).code).toBe("muted");
    expect(await call(d, "POST", "/admin/mute", { user: "bob", room: "no spaces", minutes: 1 })).toMatchObject({ status: 400, body: { error: "bad_request" } });
  });

  it("unmute still lifts a mute in a room that is gone (a mute outlasts a forgotten room, which a join creates again)", async () => {
    const d = await world.daemon();
    await world.signIn(d, "alice");
    expect(await call(d, "POST", "/admin/unmute", { user: "alice", room: "genral" })).toEqual({ status: 200, body: { unmuted: "alice", room: "genral" } });
  });
});
