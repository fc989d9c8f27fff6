import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { put } from "../../helpers/files.ts";
import { World, ask, eventually, say, writeConfig } from "../../helpers/harness.ts";

/**
 * docs/operations.md, "Logs": each operator and moderator action is logged at `info` with
 * `by`. The actions of the admin API beyond kick, ban, mute and role: a password set, a
 * message deleted (also by a moderator), a file removed. Read from the process's stdout.
 */

const TOKEN = "logs-token";

describe("operator actions in the log", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("logs a password set, a message deleted by the operator or a moderator, and a file removed; never the password", async () => {
    const dir = await world.tempDir();
    const p = await world.spawn({ CHAT_CONFIG: await writeConfig(dir, { bcryptCost: 4 }), CHAT_DATA_DIR: join(dir, "data"), CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_ADMIN_TOKEN: TOKEN });
    const url = `http://127.0.0.1:${p.port}`;
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(`${url}${path}`, { method, headers: { Authorization: `Bearer ${TOKEN}` }, body: body === undefined ? undefined : JSON.stringify(body) });
    const wsUrl = `ws://127.0.0.1:${p.port}/ws`;
    const { client: alice, welcome } = await world.signIn(wsUrl, "alice");
    await alice.request({ type: "join", room: "general" }, "joined");
    const { client: mod } = await world.signIn(wsUrl, "mod");
    await mod.request({ type: "join", room: "general" }, "joined");
    expect((await admin("PUT", "/admin/role", { user: "mod", role: "moderator" })).status).toBe(200);
    const [first, second, own] = await say(alice, "general", ["one", "two", "three"]);
    // Before the password change, which revokes the token the upload signs in with.
    const file = await put(url, welcome.token, "hello", "hello.txt");

    expect((await admin("DELETE", `/admin/messages/${first}`)).status).toBe(200);
    expect(await ask(mod, { type: "delete", id: second })).toMatchObject({ type: "ack" });
    expect(await ask(alice, { type: "delete", id: own })).toMatchObject({ type: "ack" });
    expect((await admin("POST", "/admin/users/ALICE/password", { password: "a secret new one" })).status).toBe(200);
    expect((await admin("DELETE", "/admin/files/q8Zr1mQyT0u4pXW2c9vLbA")).status).toBe(404);
    expect((await admin("DELETE", `/admin/files/${file.id as string}`)).status).toBe(200);

    const lines = () => p.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    await eventually(() => lines().some((l) => l.msg === "file removed"), { what: "the line of the last action" });
    expect(lines().filter((l) => l.msg === "message deleted")).toEqual([
      expect.objectContaining({ level: "info", by: "operator", id: first }),
      expect.objectContaining({ level: "info", by: "mod", user: "alice", room: "general", id: second }),
    ]);
    // The user as the account spells it, whatever spelling the path used.
    expect(lines().filter((l) => l.msg === "password set")).toEqual([expect.objectContaining({ level: "info", by: "operator", user: "alice" })]);
    // An action that found nothing is not logged (the unknown file), and a password never is.
    expect(lines().filter((l) => l.msg === "file removed")).toEqual([expect.objectContaining({ level: "info", by: "operator", id: file.id })]);
    expect(p.output()).not.toContain("a secret new one");
  });
});
