import { afterEach, describe, expect, it } from "vitest";
import { World, say } from "../../helpers/harness.ts";
import { ircSignIn } from "../../helpers/irc.ts";

describe("IRC replies, redaction and reactions (chatd replyTo, delete, react)", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("+draft/reply is chatd replyTo, both ways", async () => {
    const d = await world.daemon({ irc: { port: 0 } });
    const { client: web } = await world.member(d, "webby");
    const [id] = await say(web, "general", ["question?"]);
    const irc = await ircSignIn(d.daemon.ircPort!, "ircy", { caps: ["message-tags", "echo-message", "draft/chathistory"] });
    world.onCleanup(() => irc.close());
    irc.send("JOIN #general");
    await irc.next("366");
    irc.send(`@+draft/reply=${id} PRIVMSG #general :answer`);
    const echo = await irc.next("PRIVMSG");
    expect(echo.tags.get("+draft/reply")).toBe(id);
    let got = await web.next("message");
    while (got.from !== "ircy") got = await web.next("message");
    expect(got).toMatchObject({ text: "answer", replyTo: id });
    web.send({ type: "say", room: "general", text: "thanks", replyTo: echo.tags.get("msgid"), ref: 5 });
    const back = await irc.next("PRIVMSG");
    expect(back.params[1]).toBe("thanks");
    expect(back.tags.get("+draft/reply")).toBe(echo.tags.get("msgid"));
  });

  it("REDACT is chatd delete; a web deletion reaches draft/message-redaction clients as REDACT", async () => {
    const d = await world.daemon({ irc: { port: 0 } });
    const { client: web } = await world.member(d, "webby");
    const irc = await ircSignIn(d.daemon.ircPort!, "ircy", { caps: ["message-tags", "echo-message", "draft/message-redaction", "labeled-response", "batch"] });
    world.onCleanup(() => irc.close());
    irc.send("JOIN #general");
    await irc.next("366");
    irc.send("PRIVMSG #general :oops");
    const mine = (await irc.next("PRIVMSG")).tags.get("msgid")!;
    irc.send(`@label=r1 REDACT #general ${mine} :typo`);
    expect(await web.next("deleted")).toMatchObject({ id: mine, room: "general" });
    const redact = await irc.next("REDACT");
    expect(redact.params).toEqual(["#general", mine]);
    // Someone else's message: not the author, not a moderator.
    const [theirs] = await say(web, "general", ["mine, not yours"]);
    irc.send(`REDACT #general ${theirs}`);
    expect((await irc.next("FAIL")).params.slice(0, 2)).toEqual(["REDACT", "REDACT_FORBIDDEN"]);
    irc.send("REDACT #general 1764100000000-000099");
    expect((await irc.next("FAIL")).params.slice(0, 2)).toEqual(["REDACT", "UNKNOWN_MSGID"]);
    web.send({ type: "delete", id: theirs, ref: 7 });
    expect((await irc.next("REDACT")).params).toEqual(["#general", theirs]);
  });

  it("TAGMSG +draft/react is chatd react; web reactions reach IRC as TAGMSG", async () => {
    const d = await world.daemon({ irc: { port: 0 } });
    const { client: web } = await world.member(d, "webby");
    const [id] = await say(web, "general", ["react to me"]);
    const irc = await ircSignIn(d.daemon.ircPort!, "ircy", { caps: ["message-tags", "echo-message", "draft/chathistory"] });
    world.onCleanup(() => irc.close());
    irc.send("JOIN #general");
    await irc.next("366");
    irc.send(`@+draft/react=👍;+draft/reply=${id} TAGMSG #general`);
    expect(await web.next("reaction")).toMatchObject({ id, emoji: "👍", user: "ircy", on: true });
    web.send({ type: "react", id, emoji: "🎉", ref: 3 });
    const tag = await irc.next((l) => l.command === "TAGMSG" && l.source === "webby!webby@chatd");
    expect(tag.tags.get("+draft/react")).toBe("🎉");
    expect(tag.tags.get("+draft/reply")).toBe(id);
    expect(tag.params).toEqual(["#general"]);
  });
});
