import { afterEach, describe, expect, it } from "vitest";
import type { TestDaemon } from "../../helpers/daemon.ts";
import { PASSWORD, World, ask, say } from "../../helpers/harness.ts";

/**
 * docs/operations.md, "Admin API": the errors and limits of the bodies, the paths that are no
 * endpoint, and the endpoints the README's five calls leave out (a user's password, deleting a
 * message, files). Only HTTP, as curl would send it, and real WebSocket clients.
 */

type Json = Record<string, unknown>;

/** `token` null: no Authorization header. */
async function call(d: TestDaemon, method: string, path: string, body?: unknown, token: string | null = d.config.adminToken) {
  const headers: Record<string, string> = token === null ? {} : { Authorization: `Bearer ${token}` };
  const res = await fetch(`${d.url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
  expect(res.headers.get("content-type") ?? "", `${method} ${path} answers JSON`).toContain("application/json");
  return { status: res.status, body: (await res.json()) as Json };
}

describe("admin bodies: the documented limits, the first invalid field named", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it.each([
    ["POST", "/admin/kick", "user", { user: "u".repeat(65) }],
    ["POST", "/admin/kick", "user", { user: "" }],
    ["POST", "/admin/kick", "reason", { user: "alice", reason: "r".repeat(501) }],
    ["POST", "/admin/ban", "reason", { user: "alice", reason: "r".repeat(501) }],
    ["POST", "/admin/ban", "user", { user: "u".repeat(65) }],
    ["POST", "/admin/mute", "room", { user: "alice", room: "r".repeat(65), minutes: 1 }],
    ["POST", "/admin/mute", "room", { user: "alice", room: "", minutes: 1 }],
    ["POST", "/admin/mute", "minutes", { user: "alice", room: "general", minutes: -1 }],
    ["POST", "/admin/mute", "minutes", { user: "alice", room: "general", minutes: "10" }],
    ["POST", "/admin/broadcast", "text", { text: "" }],
    // Blank, as the console's `say    ` is (its usage): a notice of nothing is no notice.
    ["POST", "/admin/broadcast", "text", { text: " \n\t " }],
    ["POST", "/admin/broadcast", "text", { text: "\u200b\u2060 " }],
    ["POST", "/admin/broadcast", "text", { text: "t".repeat(4001) }],
    ["PUT", "/admin/motd", "motd", { motd: "m".repeat(2001) }],
    ["PUT", "/admin/role", "role", { user: "alice", role: "Moderator" }],
  ])("%s %s: 400 bad_request naming %s", async (method, path, field, body) => {
    const d = await world.daemon();
    const { status, body: answer } = await call(d, method, path, body);
    expect(status).toBe(400);
    expect(answer).toEqual({ error: "bad_request", message: expect.any(String) });
    expect(answer.message).toMatch(new RegExp(`^${field}\\b`));
  });

  it("takes the largest documented values", async () => {
    const d = await world.daemon();
    await world.signIn(d, "alice");
    expect(await call(d, "POST", "/admin/broadcast", { text: "t".repeat(4000) })).toEqual({ status: 200, body: { sent: true, recipients: 1 } });
    expect(await call(d, "PUT", "/admin/motd", { motd: "m".repeat(2000) })).toEqual({ status: 200, body: { motd: "m".repeat(2000) } });
    expect(await call(d, "PUT", "/admin/motd", { motd: "" })).toEqual({ status: 200, body: { motd: "" } });
    const mute = await call(d, "POST", "/admin/mute", { user: "alice", room: "general", minutes: 525_600 });
    expect(mute.status).toBe(200);
    expect(mute.body.until as number).toBeGreaterThan(Date.now() + 525_599 * 60_000);
    expect((await call(d, "POST", "/admin/ban", { user: "alice", reason: "r".repeat(500) })).status).toBe(200);
  });

  it("counts lengths in code points: an emoji beyond U+FFFF counts 1", async () => {
    const d = await world.daemon();
    expect(await call(d, "PUT", "/admin/motd", { motd: "😀".repeat(2000) })).toEqual({ status: 200, body: { motd: "😀".repeat(2000) } });
    expect(await call(d, "PUT", "/admin/motd", { motd: "😀".repeat(2001) })).toMatchObject({ status: 400, body: { error: "bad_request" } });
    await world.signIn(d, "alice");
    expect(await call(d, "POST", "/admin/ban", { user: "alice", reason: "🚫".repeat(500) })).toMatchObject({ status: 200, body: { banned: "alice" } });
  });

  it.each([["not json"], ["[1,2]"], ['"a string"'], ["42"], ["null"]])("a body %s that is not a JSON object: body must be a JSON object", async (body) => {
    const d = await world.daemon();
    expect(await call(d, "POST", "/admin/kick", body)).toEqual({ status: 400, body: { error: "bad_request", message: "body must be a JSON object" } });
  });
});

describe("paths under /admin that are no endpoint", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("answer 404 not_found with the token, 401 without it, 403 when no token is configured", async () => {
    const d = await world.daemon();
    const off = await world.daemon({ adminToken: "" });
    for (const [method, path] of [["GET", "/admin/nothing"], ["GET", "/admin/users/alice"], ["POST", "/admin/uptime"], ["GET", "/admin/kick"], ["DELETE", "/admin/motd"]]) {
      expect(await call(d, method!, path!), `${method} ${path}`).toEqual({ status: 404, body: { error: "not_found", message: expect.any(String) } });
      expect(await call(d, method!, path!, undefined, null), `${method} ${path} without a token`).toMatchObject({ status: 401, body: { error: "unauthorized" } });
      expect(await call(off, method!, path!, undefined, "anything"), `${method} ${path} with the API off`).toMatchObject({ status: 403, body: { error: "admin_disabled" } });
    }
  });

  it("GET /admin/log?room= with a name that breaks the naming rule is 400 bad_request; an empty one means all rooms", async () => {
    const d = await world.daemon();
    for (const room of ["no%20spaces", "-dash-first", "a%2Fb", "r".repeat(65)]) {
      expect(await call(d, "GET", `/admin/log?room=${room}`), room).toMatchObject({ status: 400, body: { error: "bad_request" } });
    }
    const { client } = await world.member(d, "alice");
    const [id] = await say(client, "general", ["hello"]);
    expect(await call(d, "GET", "/admin/log?room=")).toMatchObject({ status: 200, body: { messages: [{ id, room: "general", from: "alice", text: "hello" }] } });
    expect(await call(d, "GET", "/admin/log?room=GENERAL")).toMatchObject({ status: 200, body: { messages: [{ id }] } });
    expect(await call(d, "GET", "/admin/log?room=elsewhere")).toEqual({ status: 200, body: { messages: [] } });
  });
});

describe("POST /admin/users/{name}/password", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("changes the password, stops every resume token and closes every connection with 4002 password changed", async () => {
    // No failure back-off: the old password and token are tried on purpose below.
    const d = await world.daemon({ limits: { signInFailureDelayMs: 0 } });
    const { client: one, welcome } = await world.signIn(d, "alice");
    const { client: two } = await world.signIn(d, "alice");
    expect(await call(d, "POST", "/admin/users/alice/password", { password: "a new long password" })).toEqual({ status: 200, body: { user: "alice", password: "changed" } });
    for (const c of [one, two]) expect(await c.closed).toEqual({ code: 4002, reason: "password changed" });
    const old = await world.connect(d);
    expect(await old.request({ type: "hello", token: welcome.token }, "welcome", "error")).toMatchObject({ type: "error", code: "auth_failed" });
    const wrong = await world.connect(d);
    expect(await wrong.request({ type: "hello", user: "alice", password: PASSWORD }, "welcome", "error")).toMatchObject({ type: "error", code: "auth_failed" });
    await world.signIn(d, "alice", "a new long password");
  });

  it("400 bad_password under limits.passwordMinLength or over 72 bytes (never truncated), 404 unknown_user", async () => {
    const d = await world.daemon({ limits: { passwordMinLength: 10 } });
    await world.signIn(d, "alice", "long enough pw");
    expect(await call(d, "POST", "/admin/users/alice/password", { password: "123456789" })).toMatchObject({ status: 400, body: { error: "bad_password" } });
    // 72 bytes in 36 two-byte characters and one more: over, though only 37 characters.
    expect(await call(d, "POST", "/admin/users/alice/password", { password: "é".repeat(37) })).toMatchObject({ status: 400, body: { error: "bad_password" } });
    expect((await call(d, "POST", "/admin/users/alice/password", { password: "é".repeat(36) })).status).toBe(200);
    expect(await call(d, "POST", "/admin/users/nobody/password", { password: "a new long password" })).toMatchObject({ status: 404, body: { error: "unknown_user" } });
    expect(await call(d, "POST", "/admin/users/alice/password", { password: 12345678901 })).toMatchObject({ status: 400, body: { error: "bad_request" } });
    await world.signIn(d, "alice", "é".repeat(36));
  });
});

describe("POST /admin/users/{name}/password: the name as the other user endpoints take it", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("answers `user` as the account spells it, whatever spelling the path used (as kick, ban and role answer)", async () => {
    const d = await world.daemon();
    const { client } = await world.signIn(d, "Alice");
    expect(await call(d, "POST", "/admin/users/aLICE/password", { password: "a new long password" })).toEqual({ status: 200, body: { user: "Alice", password: "changed" } });
    expect(await client.closed).toEqual({ code: 4002, reason: "password changed" });
    await world.signIn(d, "alice", "a new long password");
  });

  it("400 bad_request naming the rule for a name that breaks it (as kick, ban and mute), 404 only for a valid name without an account", async () => {
    const d = await world.daemon();
    for (const name of ["bad%20name", "con", "a".repeat(33)]) {
      const { status, body } = await call(d, "POST", `/admin/users/${name}/password`, { password: "a new long password" });
      expect({ name, status, error: body.error }).toEqual({ name, status: 400, error: "bad_request" });
      expect(body.message).toMatch(/^user name /);
    }
    expect(await call(d, "POST", "/admin/users/nobody/password", { password: "a new long password" })).toMatchObject({ status: 404, body: { error: "unknown_user" } });
  });
});

describe("kick and ban with a blank reason: as without one", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("tells the kicked user `kicked by an operator` and the banned one `banned by an operator`, not an empty notice", async () => {
    const d = await world.daemon();
    const { client: mia } = await world.signIn(d, "mia");
    const { client: ned } = await world.signIn(d, "ned");
    expect(await call(d, "POST", "/admin/kick", { user: "mia", reason: "" })).toEqual({ status: 200, body: { kicked: "mia", sessions: 1 } });
    expect(await call(d, "POST", "/admin/ban", { user: "ned", reason: " \u200b " })).toEqual({ status: 200, body: { banned: "ned", sessions: 1 } });
    expect(await mia.next("notice")).toMatchObject({ kind: "kick", text: "kicked by an operator" });
    expect(await ned.next("notice")).toMatchObject({ kind: "ban", text: "banned by an operator" });
    expect(await mia.closed).toMatchObject({ code: 4000 });
    expect(await ned.closed).toMatchObject({ code: 4002 });
    const again = await world.connect(d);
    expect(await again.request({ type: "hello", user: "ned", password: PASSWORD }, "welcome", "error")).toMatchObject({
      code: "banned",
      message: "this account is banned: banned by an operator",
    });
  });
});

describe("DELETE /admin/messages/{id} and DELETE /admin/files/{id}", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("deletes a room message once: members get deleted, the log keeps only its mark; then 404 not_found", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    const [id] = await say(alice, "general", ["regrettable"]);
    expect(await call(d, "DELETE", `/admin/messages/${id}`)).toEqual({ status: 200, body: { deleted: id } });
    expect(await bob.next("deleted")).toMatchObject({ type: "deleted", id, room: "general" });
    const { body } = await call(d, "GET", "/admin/log?room=general");
    expect(JSON.stringify(body)).not.toContain("regrettable");
    expect(body.messages).toEqual([expect.objectContaining({ id, room: "general", from: "alice" })]);
    expect(await call(d, "DELETE", `/admin/messages/${id}`)).toMatchObject({ status: 404, body: { error: "not_found" } });
    expect(await call(d, "DELETE", "/admin/messages/1764100000000-000003")).toMatchObject({ status: 404, body: { error: "not_found" } });
  });

  it("deletes a direct message too", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.signIn(d, "alice");
    await world.signIn(d, "bob");
    const ack = await ask(alice, { type: "dm", to: "bob", text: "oops" });
    expect(ack.type).toBe("ack");
    expect(await call(d, "DELETE", `/admin/messages/${ack.id as string}`)).toEqual({ status: 200, body: { deleted: ack.id } });
  });

  it("answers 404 not_found for a file that does not exist, and lists no files on a fresh daemon", async () => {
    const d = await world.daemon();
    expect(await call(d, "DELETE", "/admin/files/q8Zr1mQyT0u4pXW2c9vLbA")).toMatchObject({ status: 404, body: { error: "not_found" } });
    expect(await call(d, "GET", "/admin/files")).toEqual({ status: 200, body: { users: [], total: { files: 0, bytes: 0 } } });
  });
});
