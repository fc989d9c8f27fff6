import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { ircSignIn } from "../../helpers/irc.ts";

describe("IRC moderation", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  async function withModerator() {
    const d = await world.daemon({ irc: { port: 0 } });
    await ircSignIn(d.daemon.ircPort!, "mod").then((c) => c.close());
    const res = await d.http("/admin/role", { method: "PUT", admin: true, body: JSON.stringify({ user: "mod", role: "moderator" }) });
    expect(res.status).toBe(200);
    const mod = await ircSignIn(d.daemon.ircPort!, "mod");
    world.onCleanup(() => mod.close());
    return { d, mod };
  }

  it("KICK by a moderator is chatd's kick: the web user is closed with 4000", async () => {
    const { d, mod } = await withModerator();
    const { client: web } = await world.member(d, "webby");
    mod.send("JOIN #general");
    await mod.next("366");
    mod.send("KICK #general webby :behave");
    expect((await mod.next("NOTICE")).params[1]).toMatch(/kicked webby/);
    expect(await web.next("notice")).toMatchObject({ kind: "kick", text: "behave" });
    expect((await web.closed).code).toBe(4000);
    // Kicked is disconnected from the chat: IRC members see it quit.
    expect((await mod.next("QUIT")).source).toBe("webby!webby@chatd");
  });

  it("MODE +q mutes a user in the room (chatd mute), -q unmutes; a user who is no moderator gets 482", async () => {
    const { d, mod } = await withModerator();
    const user = await ircSignIn(d.daemon.ircPort!, "talker");
    world.onCleanup(() => user.close());
    user.send("JOIN #general");
    await user.next("366");
    mod.send("MODE #general +q talker 5");
    expect((await mod.next("NOTICE")).params[1]).toMatch(/muted talker/);
    expect((await user.next("NOTICE")).params[1]).toMatch(/muted in general/);
    user.send("PRIVMSG #general :can I talk?");
    expect((await user.next("404")).params[2]).toMatch(/muted/);
    mod.send("MODE #general -q talker");
    await mod.next("NOTICE");
    user.send("KICK #general mod");
    expect((await user.next("482")).params[1]).toBe("#general");
  });

  it("MODE +q on a channel that is no room is 403 No such channel and mutes no one (as POST /admin/mute's 404 unknown_room)", async () => {
    const { d, mod } = await withModerator();
    const user = await ircSignIn(d.daemon.ircPort!, "talker");
    world.onCleanup(() => user.close());
    mod.send("MODE #nowhere +q talker 5");
    expect((await mod.next("403")).params.slice(1)).toEqual(["#nowhere", "No such channel"]);
    // The next mute is the first the user is told of: none was stored for #nowhere.
    mod.send("MODE #general +q talker 5");
    expect((await mod.next("NOTICE")).params[1]).toMatch(/muted talker in #general/);
    expect((await user.next("NOTICE")).params[1]).toMatch(/muted in general/);
  });

  it("MODE +q with minutes that are no number from above 0 to 525600 is FAIL MODE INVALID_PARAMS <channel>, naming the field, and mutes no one", async () => {
    const { d, mod } = await withModerator();
    const { client: web } = await world.member(d, "quiet");
    for (const minutes of ["abc", "0", "525601"]) {
      mod.send(`MODE #general +q quiet ${minutes}`);
      const fail = await mod.next("FAIL");
      expect(fail.params.slice(0, 3)).toEqual(["MODE", "INVALID_PARAMS", "#general"]);
      expect(fail.params.at(-1)).toMatch(/^minutes: /);
    }
    expect(await web.request({ type: "say", room: "general", text: "still here", ref: "s" }, "ack", "error")).toMatchObject({ type: "ack" });
  });

  it("OPER works for a moderator with their own password, and not for a user", async () => {
    const { d, mod } = await withModerator();
    mod.send("OPER mod correct-horse");
    await mod.next("381");
    mod.send("MODE mod");
    expect((await mod.next("221")).params[1]).toBe("+io");
    const user = await ircSignIn(d.daemon.ircPort!, "plain");
    world.onCleanup(() => user.close());
    user.send("OPER plain correct-horse");
    await user.next("491");
  });

  it("a ban closes the IRC connection with an ERROR", async () => {
    const d = await world.daemon({ irc: { port: 0 } });
    const irc = await ircSignIn(d.daemon.ircPort!, "mallory");
    const res = await d.http("/admin/ban", { method: "POST", admin: true, body: JSON.stringify({ user: "mallory", reason: "spam" }) });
    expect(res.status).toBe(200);
    expect((await irc.next("NOTICE")).params[1]).toMatch(/spam/);
    expect((await irc.next("ERROR")).params[0]).toMatch(/banned/);
    await irc.closed;
  });
});
