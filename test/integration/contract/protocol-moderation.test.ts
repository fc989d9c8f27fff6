import { afterEach, describe, expect, it } from "vitest";
import type { TestDaemon } from "../../helpers/daemon.ts";
import { World, ask, eventually, say } from "../../helpers/harness.ts";
import { ircSignIn } from "../../helpers/irc.ts";

/**
 * docs/protocol.md, "`kick`, `mute`, `unmute`": a `mute` names a room that exists, as
 * `POST /admin/mute` does (docs/operations.md); else `unknown_room`, and nothing is stored.
 */

async function moderator(world: World, d: TestDaemon, name: string) {
  const { client } = await world.signIn(d, name);
  const role = await d.http("/admin/role", { method: "PUT", admin: true, body: JSON.stringify({ user: name, role: "moderator" }) });
  expect(role.status).toBe(200);
  return client;
}

describe("the mute frame in a room that does not exist", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("is error unknown_room, checked before the user; no mute is stored or told; the room, created later, lets the user speak", async () => {
    const d = await world.daemon();
    const mod = await moderator(world, d, "mod");
    const { client: mallory } = await world.signIn(d, "mallory");
    expect(await ask(mod, { type: "mute", user: "mallory", room: "genral", minutes: 10 })).toMatchObject({
      type: "error",
      code: "unknown_room",
      message: "no room named genral",
    });
    expect(await ask(mod, { type: "mute", user: "nobody", room: "genral", minutes: 10 })).toMatchObject({ code: "unknown_room" });
    // A name no room can have stays bad_name; a plain user still gets forbidden first.
    expect(await ask(mod, { type: "mute", user: "mallory", room: "no room", minutes: 10 })).toMatchObject({ code: "bad_name" });
    const { client: plain } = await world.signIn(d, "plain");
    expect(await ask(plain, { type: "mute", user: "mallory", room: "genral", minutes: 10 })).toMatchObject({ code: "forbidden" });

    expect(mallory.frames.filter((f) => f.type === "notice" && f.kind === "mute")).toEqual([]);
    expect(await mallory.request({ type: "join", room: "genral" }, "joined", "error")).toMatchObject({ type: "joined", room: "genral" });
    expect(await say(mallory, "genral", ["not muted"])).toHaveLength(1);

    // Now that the room exists, the same mute is carried out (any spelling of its name).
    mod.send({ type: "mute", user: "mallory", room: "GENRAL", minutes: 10, ref: "m" });
    expect(await mod.next("moderated")).toMatchObject({
      type: "moderated",
      action: "mute",
      user: "mallory",
      room: "genral",
      ref: "m",
    });
    expect((await ask(mallory, { type: "say", room: "genral", text: "hi" })).code).toBe("muted");
  });

  it("unmute takes any valid room name, existing or not", async () => {
    const d = await world.daemon();
    const mod = await moderator(world, d, "mod");
    await world.signIn(d, "mallory");
    expect(await mod.request({ type: "unmute", user: "mallory", room: "genral", ref: "u" }, "moderated", "error")).toEqual({
      type: "moderated",
      action: "unmute",
      user: "mallory",
      room: "genral",
      ref: "u",
    });
  });
});

describe("the kick frame with a blank reason", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("tells the kicked user `kicked by <the moderator's name>`, as without a reason", async () => {
    const d = await world.daemon();
    const mod = await moderator(world, d, "Mod");
    const { client: mallory } = await world.signIn(d, "mallory");
    expect(await mod.request({ type: "kick", user: "mallory", reason: " ", ref: "k" }, "moderated", "error")).toMatchObject({ type: "moderated", action: "kick", sessions: 1 });
    expect(await mallory.next("notice")).toMatchObject({ kind: "kick", text: "kicked by Mod" });
    expect(await mallory.closed).toMatchObject({ code: 4000 });
  });
});

describe("a muted user's leave and quit reasons", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("are not passed on to the room they are muted in (a mute stops what they say there, a reason included); elsewhere they are", async () => {
    const d = await world.daemon({ irc: { port: 0 } });
    const { client: watcher } = await world.member(d, "watcher");
    await watcher.request({ type: "join", room: "other" }, "joined");
    const { client: loud } = await world.member(d, "loud");
    await loud.request({ type: "join", room: "other" }, "joined");
    expect((await d.http("/admin/mute", { method: "POST", admin: true, body: JSON.stringify({ user: "loud", room: "general", minutes: 5 }) })).status).toBe(200);

    await loud.request({ type: "leave", room: "general", reason: "buy cheap pills" }, "left");
    const leave = await eventually(() => watcher.frames.find((f) => f.type === "presence" && f.user === "loud" && f.event === "leave"), { what: "the leave" });
    expect(leave).toMatchObject({ room: "general" });
    expect(leave).not.toHaveProperty("reason");
    await loud.request({ type: "join", room: "general" }, "joined");

    // The connection closes with a QUIT reason (IRC): dropped in general, kept in other.
    loud.close();
    const quits = () => watcher.frames.filter((f) => f.type === "presence" && f.event === "leave" && f.quit === true && f.user === "loud");
    await eventually(() => quits().length === 2, { what: "the web connection's quits" });
    const irc = await ircSignIn(d.daemon.ircPort!, "loud");
    world.onCleanup(() => irc.close());
    irc.send("JOIN #general,#other");
    await irc.next("366");
    await irc.next("366");
    irc.send("QUIT :buy cheap pills");
    await eventually(() => quits().length === 4, { what: "the IRC connection's quits" });
    const byRoom = Object.fromEntries(quits().slice(2).map((f) => [f.room, f.reason]));
    expect(byRoom).toEqual({ general: undefined, other: "buy cheap pills" });
  });
});
