import { afterEach, describe, expect, it } from "vitest";
import { World, PASSWORD } from "../helpers/harness.ts";

const post = (_path: string, body: unknown) => ({ method: "POST", body: JSON.stringify(body), admin: true }) as const;

describe("moderation", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  describe("POST /admin/ban and /admin/unban", () => {
    it("closes the user's connections with 4002, revokes their tokens and refuses sign-in until unbanned", async () => {
      // No sign-in back-off: this test fails on purpose twice and then signs in again.
      const d = await world.daemon({ limits: { signInFailureDelayMs: 0 } });
      const { client, welcome } = await world.signIn(d, "mallory");
      const res = await d.http("/admin/ban", post("/admin/ban", { user: "Mallory", reason: "spam" }));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ banned: "mallory", sessions: 1 });
      expect(await client.next("notice")).toMatchObject({ kind: "ban", text: "spam" });
      expect(await client.closed).toMatchObject({ code: 4002, reason: "banned" });

      const again = await world.connect(d);
      expect(await again.request({ type: "hello", user: "mallory", password: PASSWORD }, "welcome", "error")).toMatchObject({ code: "banned" });
      expect(await again.request({ type: "hello", token: welcome.token }, "welcome", "error")).toMatchObject({ code: "auth_failed" });
      // A wrong password still gets the generic answer: a ban is not revealed to guessers.
      const guesser = await world.connect(d);
      expect(await guesser.request({ type: "hello", user: "mallory", password: "wrong-password" }, "welcome", "error")).toMatchObject({ code: "auth_failed" });

      const unban = await d.http("/admin/unban", post("/admin/unban", { user: "mallory" }));
      expect(await unban.json()).toEqual({ unbanned: "mallory" });
      await world.signIn(d, "mallory");
    });

    it("answers 404 unknown_user for a name with no account, and 401 without the token", async () => {
      const d = await world.daemon();
      const res = await d.http("/admin/ban", post("/admin/ban", { user: "nobody" }));
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: "unknown_user" });
      const anon = await d.http("/admin/ban", { method: "POST", body: JSON.stringify({ user: "nobody" }) });
      expect(anon.status).toBe(401);
    });
  });

  describe("POST /admin/mute", () => {
    it("stops the user from saying anything in that room (muted), and only that room, until unmuted", async () => {
      const d = await world.daemon();
      const { client } = await world.member(d, "loud");
      await client.request({ type: "join", room: "other" }, "joined");
      const res = await d.http("/admin/mute", post("/admin/mute", { user: "loud", room: "General", minutes: 5 }));
      expect(await res.json()).toMatchObject({ muted: "loud", room: "general", until: expect.any(Number) });
      expect(await client.next("notice")).toMatchObject({ kind: "mute" });
      expect(await client.request({ type: "say", room: "general", text: "hi", ref: 1 }, "ack", "error")).toMatchObject({ code: "muted", ref: 1 });
      expect(await client.request({ type: "say", room: "other", text: "hi", ref: 2 }, "ack", "error")).toMatchObject({ type: "ack", ref: 2 });
      await d.http("/admin/unmute", post("/admin/unmute", { user: "loud", room: "general" }));
      expect(await client.request({ type: "say", room: "general", text: "hi", ref: 3 }, "ack", "error")).toMatchObject({ type: "ack", ref: 3 });
    });

    it("keeps a mute across sign-ins", async () => {
      const d = await world.daemon();
      await world.signIn(d, "loud");
      await d.http("/admin/mute", post("/admin/mute", { user: "loud", room: "general", minutes: 5 }));
      const { client } = await world.member(d, "loud");
      expect(await client.request({ type: "say", room: "general", text: "hi" }, "ack", "error")).toMatchObject({ code: "muted" });
    });
  });

  describe("roles and moderation frames", () => {
    it("answers forbidden to a kick or mute from a user without the moderator role", async () => {
      const d = await world.daemon();
      const { client } = await world.signIn(d, "alice");
      await world.signIn(d, "bob");
      expect(await client.request({ type: "kick", user: "bob", ref: 1 }, "moderated", "error")).toMatchObject({ code: "forbidden", ref: 1 });
      expect(await client.request({ type: "mute", user: "bob", room: "general", minutes: 1 }, "moderated", "error")).toMatchObject({ code: "forbidden" });
    });

    it("lets a moderator (PUT /admin/role) kick and mute over the WebSocket", async () => {
      const d = await world.daemon();
      const { client: mod } = await world.signIn(d, "mod");
      const { client: bob } = await world.member(d, "bob");
      const role = await d.http("/admin/role", { method: "PUT", body: JSON.stringify({ user: "mod", role: "moderator" }), admin: true });
      expect(await role.json()).toEqual({ user: "mod", role: "moderator" });

      expect(await mod.request({ type: "mute", user: "bob", room: "general", minutes: 1, ref: "m" }, "moderated", "error")).toMatchObject({
        type: "moderated",
        action: "mute",
        user: "bob",
        room: "general",
        ref: "m",
      });
      expect(await bob.request({ type: "say", room: "general", text: "hi" }, "ack", "error")).toMatchObject({ code: "muted" });
      expect(await mod.request({ type: "kick", user: "bob", reason: "calm down", ref: "k" }, "moderated", "error")).toMatchObject({
        action: "kick",
        user: "bob",
        sessions: 1,
        ref: "k",
      });
      expect(await bob.closed).toMatchObject({ code: 4000 });
    });

    it("refuses an unknown role with 400", async () => {
      const d = await world.daemon();
      await world.signIn(d, "alice");
      const res = await d.http("/admin/role", { method: "PUT", body: JSON.stringify({ user: "alice", role: "god" }), admin: true });
      expect(res.status).toBe(400);
    });
  });
});
