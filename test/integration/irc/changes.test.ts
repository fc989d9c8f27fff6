import { afterEach, describe, expect, it } from "vitest";
import { World, ask, say } from "../../helpers/harness.ts";
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

  it("a web edit reaches IRC as a PRIVMSG from the author with '* ' and +draft/reply to the message; CHATHISTORY has the new text", async () => {
    const d = await world.daemon({ irc: { port: 0 } });
    const { client: web } = await world.member(d, "webby");
    const tagged = await ircSignIn(d.daemon.ircPort!, "ircy", { caps: ["message-tags", "server-time", "account-tag", "batch", "draft/chathistory"] });
    const bare = await ircSignIn(d.daemon.ircPort!, "old");
    world.onCleanup(() => tagged.close());
    world.onCleanup(() => bare.close());
    for (const c of [tagged, bare]) {
      c.send("JOIN #general");
      await c.next("366");
    }
    const [id] = await say(web, "general", ["helo"]);
    expect((await tagged.next("PRIVMSG")).params[1]).toBe("helo");
    web.send({ type: "edit", id, text: "hello\nworld", ref: 2 });
    const edited = await web.next("edited");
    const line = await tagged.next("PRIVMSG");
    expect(line.source).toBe("webby!webby@chatd");
    expect(line.params).toEqual(["#general", "* hello"]);
    expect(line.tags.get("+draft/reply")).toBe(id);
    expect(line.tags.has("msgid")).toBe(false);
    expect(line.tags.get("account")).toBe("webby");
    expect(line.tags.get("time")).toBe(new Date(edited.editedAt as number).toISOString());
    expect((await tagged.next("PRIVMSG")).params).toEqual(["#general", "world"]);
    // A client without message-tags gets the plain lines.
    await bare.next("PRIVMSG");
    const plainLine = await bare.next("PRIVMSG");
    expect(plainLine.raw).toBe(":webby!webby@chatd PRIVMSG #general :* hello");
    tagged.send("CHATHISTORY LATEST #general * 1");
    const history = (await tagged.until((l) => l.command === "BATCH" && l.params[0]!.startsWith("-"))).filter((l) => l.command === "PRIVMSG");
    expect(history.map((l) => [l.tags.get("msgid"), l.params[1]])).toEqual([
      [id, "hello"],
      [id, "world"],
    ]);

    // In a conversation: from the author to the recipient's nick, on the recipient's connection and the author's own.
    const ircWeb = await ircSignIn(d.daemon.ircPort!, "webby");
    world.onCleanup(() => ircWeb.close());
    const dm = (await ask(web, { type: "dm", to: "ircy", text: "see you at 7" })).id as string;
    await tagged.next("PRIVMSG");
    expect(await ask(web, { type: "edit", id: dm, text: "see you at 8" })).toMatchObject({ type: "ack", id: dm });
    const toRecipient = await tagged.next("PRIVMSG");
    expect([toRecipient.source, ...toRecipient.params]).toEqual(["webby!webby@chatd", "ircy", "* see you at 8"]);
    expect(toRecipient.tags.get("+draft/reply")).toBe(dm);
    expect((await ircWeb.next((l) => l.command === "PRIVMSG" && l.params[1] === "* see you at 8")).params[0]).toBe("ircy");
  });
});
