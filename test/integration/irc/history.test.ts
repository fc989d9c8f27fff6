import { afterEach, describe, expect, it } from "vitest";
import { World, say } from "../../helpers/harness.ts";
import { ircSignIn } from "../../helpers/irc.ts";

describe("IRC history and IRCv3 replies", () => {
  const world = new World();
  afterEach(() => world.cleanup());
  const ircDaemon = () => world.daemon({ irc: { port: 0 } });

  it("CHATHISTORY LATEST, BEFORE and AFTER answer with chatd's messages in a batch, msgid = chatd id", async () => {
    const d = await ircDaemon();
    const { client: web } = await world.member(d, "webby");
    const ids = await say(web, "general", ["m1", "m2", "m3", "m4", "m5"]);
    const irc = await ircSignIn(d.daemon.ircPort!, "ircy", { caps: ["batch", "server-time", "message-tags", "draft/chathistory"] });
    world.onCleanup(() => irc.close());
    irc.send("JOIN #general");
    await irc.next("366");
    // With draft/chathistory nothing is replayed on JOIN: the client asks.
    expect(await irc.quiet("PRIVMSG", 200)).toBe(true);

    irc.send("CHATHISTORY LATEST #general * 3");
    const open = await irc.next("BATCH");
    expect(open.params.slice(1)).toEqual(["chathistory", "#general"]);
    const batch = open.params[0]!.slice(1);
    const latest = (await irc.until("BATCH")).filter((l) => l.command === "PRIVMSG");
    expect(latest.map((l) => l.params[1])).toEqual(["m3", "m4", "m5"]);
    expect(latest.map((l) => l.tags.get("msgid"))).toEqual(ids.slice(2));
    expect(latest.every((l) => l.tags.get("batch") === batch)).toBe(true);

    irc.send(`CHATHISTORY BEFORE #general msgid=${ids[2]} 10`);
    expect((await irc.until((l) => l.command === "BATCH" && l.params[0]!.startsWith("-"))).filter((l) => l.command === "PRIVMSG").map((l) => l.params[1])).toEqual(["m1", "m2"]);

    // A reconnecting client fetches exactly what it missed.
    irc.send(`CHATHISTORY AFTER #general msgid=${ids[1]} 2`);
    expect((await irc.until((l) => l.command === "BATCH" && l.params[0]!.startsWith("-"))).filter((l) => l.command === "PRIVMSG").map((l) => l.params[1])).toEqual(["m3", "m4"]);

    irc.send("CHATHISTORY LATEST #general bogus 3");
    expect((await irc.next("FAIL")).params.slice(0, 2)).toEqual(["CHATHISTORY", "INVALID_PARAMS"]);
  });

  it("CHATHISTORY on a direct conversation reads chatd's dm history", async () => {
    const d = await ircDaemon();
    const { client: web } = await world.signIn(d, "webby");
    await ircSignIn(d.daemon.ircPort!, "ircy").then((c) => c.close());
    web.send({ type: "dm", to: "ircy", text: "first", ref: 1 });
    await web.next("ack");
    web.send({ type: "dm", to: "ircy", text: "second", ref: 2 });
    await web.next("ack");
    const irc = await ircSignIn(d.daemon.ircPort!, "ircy", { caps: ["batch", "draft/chathistory"] });
    world.onCleanup(() => irc.close());
    irc.send("CHATHISTORY LATEST webby * 10");
    const lines = (await irc.until((l) => l.command === "BATCH" && l.params[0]!.startsWith("-"))).filter((l) => l.command === "PRIVMSG");
    expect(lines.map((l) => [l.source, l.params[0], l.params[1]])).toEqual([
      ["webby!webby@chatd", "ircy", "first"],
      ["webby!webby@chatd", "ircy", "second"],
    ]);
  });

  it("replays the latest messages on JOIN to a client without draft/chathistory", async () => {
    const d = await ircDaemon();
    const { client: web } = await world.member(d, "webby");
    await say(web, "general", ["before you came"]);
    const irc = await ircSignIn(d.daemon.ircPort!, "ircy", { caps: ["server-time"] });
    world.onCleanup(() => irc.close());
    irc.send("JOIN #general");
    await irc.next("366");
    const replay = await irc.next("PRIVMSG");
    expect(replay.params).toEqual(["#general", "before you came"]);
    expect(replay.tags.has("time")).toBe(true);
  });

  it("labeled-response: one line is labeled, several come in a labeled batch, none is an ACK", async () => {
    const d = await ircDaemon();
    const irc = await ircSignIn(d.daemon.ircPort!, "ircy", { caps: ["batch", "labeled-response", "echo-message", "message-tags"] });
    world.onCleanup(() => irc.close());
    irc.send("@label=p1 PING :x");
    const pong = await irc.next("PONG");
    expect(pong.tags.get("label")).toBe("p1");
    irc.send("@label=j1 JOIN #general");
    const open = await irc.next("BATCH");
    expect(open.tags.get("label")).toBe("j1");
    expect(open.params[1]).toBe("labeled-response");
    const inside = await irc.until("BATCH");
    expect(inside.map((l) => l.command)).toEqual(["JOIN", "353", "366", "BATCH"]);
    irc.send("@label=m1 PRIVMSG #general :labeled");
    const echo = await irc.next("PRIVMSG");
    expect(echo.tags.get("label")).toBe("m1");
    expect(echo.tags.has("msgid")).toBe(true);
    irc.send("@label=a1 PONG :nothing");
    irc.send("@label=t1 TAGMSG #general");
    expect((await irc.next("ACK")).tags.get("label")).toBe("a1");
    expect((await irc.next("ACK")).tags.get("label")).toBe("t1");
    // An error is labeled too.
    irc.send("@label=u1 NOSUCHCOMMAND");
    expect((await irc.next("421")).tags.get("label")).toBe("u1");
  });
});
