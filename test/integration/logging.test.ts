import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.ts";
import { World, eventually, say } from "../helpers/harness.ts";
import { runConsoleCommand } from "../../src/ops/console.ts";

describe("the daemon's logs", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("never contain the password or the resume token of a sign-in, even at debug level", async () => {
    const lines: string[] = [];
    const d = await world.daemon({}, { logger: createLogger({ level: "debug", write: (l) => lines.push(l) }) });
    const password = "very-secret-password";
    const { client, welcome } = await world.signIn(d, "alice", password);
    await client.request({ type: "join", room: "general" }, "joined");
    await say(client, "general", ["hello"]);
    const failed = await world.connect(d);
    await failed.request({ type: "hello", user: "alice", password: "wrong-secret-guess" }, "error");
    await world.resume(d, welcome.token);

    const all = lines.join("\n");
    expect(all).toContain('"msg":"signed in"');
    expect(all).not.toContain(password);
    expect(all).not.toContain("wrong-secret-guess");
    expect(all).not.toContain(welcome.token as string);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) });
  });

  describe("at the default level (info)", () => {
    /** A daemon whose JSON log lines are collected, parsed. */
    async function logged() {
      const lines: string[] = [];
      const d = await world.daemon({}, { logger: createLogger({ level: "info", write: (l) => lines.push(l) }) });
      const entries = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const find = (msg: string) => entries().filter((e) => e.msg === msg);
      return { d, lines, entries, find };
    }

    it("log a failed sign-in with the name, address and reason, never the password", async () => {
      const { d, lines, find } = await logged();
      const { welcome } = await world.signIn(d, "alice", "the-right-password");
      // alice's token with a made-up secret (43 characters, as a real one).
      const forged = `${(welcome.token as string).split(".")[0]}.${"NotARealSecret".padEnd(43, "0")}`;
      const c = await world.connect(d);
      expect(await c.request({ type: "hello", user: "Alice", password: "a-wrong-guess" }, "error")).toMatchObject({ code: "auth_failed" });
      const bad = await world.connect(d);
      expect(await bad.request({ type: "hello", token: forged }, "error")).toMatchObject({ code: "auth_failed" });
      await eventually(() => find("sign-in failed").length === 2);
      const [password, token] = find("sign-in failed");
      expect(password).toMatchObject({ level: "info", user: "alice", with: "password", reason: "auth_failed", address: expect.any(String) });
      expect(token).toMatchObject({ level: "info", user: "alice", with: "token", reason: "auth_failed" });
      expect(lines.join("\n")).not.toContain("a-wrong-guess");
      expect(lines.join("\n")).not.toContain("NotARealSecret");
    });

    it("log a sign-in refused for a ban", async () => {
      const { d, find } = await logged();
      await world.signIn(d, "mallory");
      expect((await d.http("/admin/ban", { admin: true, method: "POST", body: JSON.stringify({ user: "mallory", reason: "spam" }) })).status).toBe(200);
      const c = await world.connect(d);
      expect(await c.request({ type: "hello", user: "mallory", password: "correct-horse" }, "error")).toMatchObject({ code: "banned" });
      expect(await eventually(() => find("sign-in failed")[0])).toMatchObject({ user: "mallory", reason: "banned", with: "password" });
    });

    it("log every operator action of the admin API, by operator", async () => {
      const { d, find } = await logged();
      await world.signIn(d, "bob");
      const admin = (method: string, path: string, body?: object) =>
        d.http(path, { admin: true, method, ...(body ? { body: JSON.stringify(body) } : {}) }).then((r) => expect(r.status).toBeLessThan(300));
      await admin("POST", "/admin/mute", { user: "bob", room: "general", minutes: 5 });
      await admin("POST", "/admin/unmute", { user: "bob", room: "general" });
      await admin("PUT", "/admin/role", { user: "bob", role: "moderator" });
      await admin("POST", "/admin/broadcast", { text: "hello all" });
      await admin("PUT", "/admin/motd", { motd: "new motd" });
      await admin("POST", "/admin/kick", { user: "bob", reason: "cool off" });
      await admin("POST", "/admin/ban", { user: "bob", reason: "spam" });
      await admin("POST", "/admin/unban", { user: "bob" });
      expect(find("user muted")).toEqual([expect.objectContaining({ level: "info", by: "operator", user: "bob", room: "general", minutes: 5, until: expect.any(Number) })]);
      expect(find("user unmuted")).toEqual([expect.objectContaining({ by: "operator", user: "bob", room: "general" })]);
      expect(find("role set")).toEqual([expect.objectContaining({ by: "operator", user: "bob", role: "moderator" })]);
      expect(find("broadcast sent")).toEqual([expect.objectContaining({ by: "operator", text: "hello all", recipients: 1 })]);
      expect(find("motd set")).toEqual([expect.objectContaining({ by: "operator", motd: "new motd" })]);
      expect(find("user kicked")).toEqual([expect.objectContaining({ by: "operator", user: "bob", sessions: 1, reason: "cool off" })]);
      expect(find("user banned")).toEqual([expect.objectContaining({ by: "operator", user: "bob", reason: "spam" })]);
      expect(find("user unbanned")).toEqual([expect.objectContaining({ by: "operator", user: "bob" })]);
      // An action that found no one is not logged.
      await d.http("/admin/ban", { admin: true, method: "POST", body: JSON.stringify({ user: "nobody" }) });
      expect(find("user banned")).toHaveLength(1);
    });

    it("log the console's say, kick and stop as operator actions", async () => {
      const { d, find } = await logged();
      await world.signIn(d, "carol");
      await runConsoleCommand(d.daemon, "say from the console");
      await runConsoleCommand(d.daemon, "kick carol");
      expect(find("broadcast sent")).toEqual([expect.objectContaining({ by: "operator", text: "from the console", recipients: 1 })]);
      expect(find("user kicked")).toEqual([expect.objectContaining({ by: "operator", user: "carol", sessions: 1 })]);
      await runConsoleCommand(d.daemon, "stop");
      expect(find("stop requested")).toEqual([expect.objectContaining({ by: "operator" })]);
    });

    it("log a moderator's kick, mute and unmute with the moderator's name", async () => {
      const { d, find } = await logged();
      const { client: mod } = await world.signIn(d, "modmary");
      await world.signIn(d, "dave");
      await d.http("/admin/role", { admin: true, method: "PUT", body: JSON.stringify({ user: "modmary", role: "moderator" }) });
      await mod.request({ type: "mute", user: "dave", room: "general", minutes: 2 }, "moderated");
      await mod.request({ type: "unmute", user: "dave", room: "general" }, "moderated");
      await mod.request({ type: "kick", user: "dave", reason: "enough" }, "moderated");
      expect(find("user muted").filter((e) => e.by === "modmary")).toEqual([expect.objectContaining({ user: "dave", room: "general", minutes: 2 })]);
      expect(find("user unmuted").filter((e) => e.by === "modmary")).toEqual([expect.objectContaining({ user: "dave", room: "general" })]);
      expect(find("user kicked").filter((e) => e.by === "modmary")).toEqual([expect.objectContaining({ user: "dave", sessions: 1, reason: "enough" })]);
    });
  });
});
