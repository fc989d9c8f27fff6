import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { ircSignIn } from "../../helpers/irc.ts";

describe("IRC and web users in the same rooms", () => {
  const world = new World();
  afterEach(() => world.cleanup());
  const ircDaemon = () => world.daemon({ irc: { port: 0 } });
  /** An IRC client (nick, caps) signed in and in #general. */
  const inGeneral = async (d: Awaited<ReturnType<typeof ircDaemon>>, [nick, caps]: [string, string[]]) => {
    const c = await ircSignIn(d.daemon.ircPort!, nick, { caps });
    world.onCleanup(() => c.close());
    c.send("JOIN #general");
    await c.next("366");
    return c;
  };

  it("JOIN shows the web members; a web message reaches IRC and an IRC message reaches the web, with the stored id", async () => {
    const d = await ircDaemon();
    const { client: web } = await world.member(d, "webby");
    const irc = await ircSignIn(d.daemon.ircPort!, "ircy", { caps: ["server-time", "message-tags", "account-tag", "echo-message"] });
    world.onCleanup(() => irc.close());

    irc.send("JOIN #general");
    const join = await irc.next("JOIN");
    expect(join.source).toBe("ircy!ircy@chatd");
    expect(join.params).toEqual(["#general"]);
    const names = await irc.next("353");
    expect(names.params.slice(1, 3)).toEqual(["=", "#general"]);
    expect(names.params[3]!.split(" ").sort()).toEqual(["ircy", "webby"]);
    await irc.next("366");
    // The web user sees the IRC user join.
    expect(await web.next("presence")).toMatchObject({ room: "general", user: "ircy", event: "join" });

    web.send({ type: "say", room: "general", text: "hello from the web", ref: 1 });
    const ack = await web.next("ack");
    const got = await irc.next("PRIVMSG");
    expect(got.source).toBe("webby!webby@chatd");
    expect(got.params).toEqual(["#general", "hello from the web"]);
    expect(got.tags.get("msgid")).toBe(ack.id);
    expect(got.tags.get("account")).toBe("webby");
    expect(Date.parse(got.tags.get("time")!)).toBe(ack.ts);

    irc.send("PRIVMSG #general :hello from IRC");
    const echo = await irc.next("PRIVMSG");
    expect(echo.source).toBe("ircy!ircy@chatd");
    expect(echo.params).toEqual(["#general", "hello from IRC"]);
    const msg = await web.next("message");
    expect(msg).toMatchObject({ room: "general", from: "ircy", text: "hello from IRC" });
    // echo-message is the ack: it carries the stored message's id.
    expect(echo.tags.get("msgid")).toBe(msg.id);
  });

  it("sends nothing back to a sender without echo-message, and PART is seen on the web", async () => {
    const d = await ircDaemon();
    const { client: web } = await world.member(d, "webby");
    const irc = await ircSignIn(d.daemon.ircPort!, "plainy");
    world.onCleanup(() => irc.close());
    irc.send("JOIN #general");
    await irc.next("366");
    irc.send("PRIVMSG #general :one");
    irc.send("PRIVMSG #general :two");
    expect((await web.next("message")).text).toBe("one");
    expect((await web.next("message")).text).toBe("two");
    expect(await irc.quiet("PRIVMSG")).toBe(true);
    irc.send("PART #general :bye");
    expect((await irc.next("PART")).params).toEqual(["#general", "bye"]);
    let presence = await web.next("presence");
    while (presence.event !== "leave") presence = await web.next("presence");
    expect(presence).toMatchObject({ user: "plainy", event: "leave", reason: "bye" });
    // A web user's leave with a reason reaches IRC members as PART with it.
    irc.send("JOIN #general");
    await irc.next("366");
    web.send({ type: "leave", room: "general", reason: "off to lunch" });
    const part = await irc.next((l) => l.command === "PART" && l.source?.startsWith("webby!") === true);
    expect(part.params).toEqual(["#general", "off to lunch"]);
  });

  it("direct messages both ways: PRIVMSG to a nick is a chatd dm", async () => {
    const d = await ircDaemon();
    const { client: web } = await world.signIn(d, "webby");
    const irc = await ircSignIn(d.daemon.ircPort!, "ircy", { caps: ["message-tags"] });
    world.onCleanup(() => irc.close());
    irc.send("PRIVMSG webby :psst");
    expect(await web.next("dm")).toMatchObject({ from: "ircy", to: "webby", text: "psst" });
    web.send({ type: "dm", to: "ircy", text: "hi back", ref: 1 });
    const ack = await web.next("ack");
    const got = await irc.next("PRIVMSG");
    expect(got.source).toBe("webby!webby@chatd");
    expect(got.params).toEqual(["ircy", "hi back"]);
    expect(got.tags.get("msgid")).toBe(ack.id);
    irc.send("PRIVMSG nobody-here :hello?");
    expect((await irc.next("401")).params[1]).toBe("nobody-here");
  });

  it("splits a multi-line web message into lines, maps /me to ACTION, and keeps control characters from web users", async () => {
    const d = await ircDaemon();
    const { client: web } = await world.member(d, "webby");
    const irc = await ircSignIn(d.daemon.ircPort!, "ircy");
    world.onCleanup(() => irc.close());
    irc.send("JOIN #general");
    await irc.next("366");
    web.send({ type: "say", room: "general", text: "line one\nline two\n\nline three", ref: 1 });
    const lines = [await irc.next("PRIVMSG"), await irc.next("PRIVMSG"), await irc.next("PRIVMSG")];
    expect(lines.map((l) => l.params[1])).toEqual(["line one", "line two", "line three"]);
    web.send({ type: "say", room: "general", text: "/me waves", ref: 2 });
    expect((await irc.next("PRIVMSG")).params[1]).toBe("\u0001ACTION waves\u0001");
    irc.send("PRIVMSG #general :\u0001ACTION nods\u0001");
    let got = await web.next("message");
    while (got.from !== "ircy") got = await web.next("message");
    expect(got.text).toBe("/me nods");
  });

  it("passes IRC formatting codes to web users and drops every other control character", async () => {
    const d = await ircDaemon();
    const { client: web } = await world.member(d, "webby");
    const irc = await ircSignIn(d.daemon.ircPort!, "ircy");
    world.onCleanup(() => irc.close());
    irc.send("JOIN #general");
    await irc.next("366");
    irc.send("PRIVMSG #general :\u0002bold\u0002 \u000304red\u0003 bell\u0007 esc\u001b[31m tab\there");
    expect((await web.next("message")).text).toBe("\u0002bold\u0002 \u000304red\u0003 bell esc[31m tab here");
    // A CTCP request other than ACTION goes nowhere.
    irc.send("PRIVMSG #general :\u0001VERSION\u0001");
    irc.send("PRIVMSG #general :after");
    expect((await web.next("message")).text).toBe("after");
  });

  it("answers PRIVMSG to a channel it is not in with 404, and JOIN of a bad name with 403", async () => {
    const d = await ircDaemon();
    const irc = await ircSignIn(d.daemon.ircPort!, "ircy");
    world.onCleanup(() => irc.close());
    irc.send("PRIVMSG #random :hi");
    expect((await irc.next("404")).params[1]).toBe("#random");
    irc.send("JOIN #bad.name");
    expect((await irc.next("403")).params[1]).toBe("#bad.name");
    irc.send("PART #general");
    expect((await irc.next("442")).params[1]).toBe("#general");
  });

  it("WHO and WHOIS show USER's user and real names and AWAY of IRC users; WHO takes wildcard masks", async () => {
    const d = await ircDaemon();
    await world.member(d, "webby");
    const irc = await ircSignIn(d.daemon.ircPort!, "coolNick", { userName: "myusernam", realName: "My UniqueReal Name" });
    const other = await ircSignIn(d.daemon.ircPort!, "otherNick");
    world.onCleanup(() => irc.close());
    world.onCleanup(() => other.close());
    // Every user is +i: a mask finds only those sharing a room (a nick finds anyone online).
    other.send("WHO coolni*");
    expect((await other.until("315")).filter((l) => l.command === "352")).toEqual([]);
    other.send("WHO coolNick");
    expect((await other.until("315")).filter((l) => l.command === "352")).toHaveLength(1);
    for (const c of [irc, other]) {
      c.send("JOIN #general");
      await c.next("366");
    }
    irc.send("AWAY :be right back");
    await irc.next("306");
    other.send("WHO coolni*");
    const who = await other.until("315");
    expect(who.filter((l) => l.command === "352").map((l) => l.params.slice(1))).toEqual([["*", "myusernam", "chatd", "chatd", "coolNick", "G", "0 My UniqueReal Name"]]);
    expect(who.at(-1)!.params[1]).toBe("coolni*");
    other.send("WHO *");
    const all = await other.until("315");
    expect(all.filter((l) => l.command === "352").map((l) => l.params[5]).sort()).toEqual(["coolNick", "otherNick", "webby"]);
    // A web user has no USER line: the account's name stands for both.
    expect(all.find((l) => l.params[5] === "webby")!.params.slice(2)).toEqual(["webby", "chatd", "chatd", "webby", "H", "0 webby"]);
    other.send("WHOIS coolnick");
    const whois = await other.until("318");
    expect(whois.find((l) => l.command === "311")!.params.slice(1)).toEqual(["coolNick", "myusernam", "chatd", "*", "My UniqueReal Name"]);
  });

  it("a PRIVMSG to one's own nick comes back as received, besides its echo; TOPIC of a room nobody is in is 403; NICK to a taken name is 433", async () => {
    const d = await ircDaemon();
    const irc = await ircSignIn(d.daemon.ircPort!, "selfie", { caps: ["echo-message", "labeled-response", "batch"] });
    world.onCleanup(() => irc.close());
    irc.send("@label=12345 PRIVMSG selfie :hi");
    const both = [await irc.next("PRIVMSG"), await irc.next("PRIVMSG")];
    expect(both.map((l) => l.params)).toEqual([["selfie", "hi"], ["selfie", "hi"]]);
    expect(both.filter((l) => l.tags.get("label") === "12345")).toHaveLength(1);
    irc.send("TOPIC #nobodyhere");
    expect((await irc.next("403")).params[1]).toBe("#nobodyhere");
    // The nick is the account's name: NICK to someone's name is 433, to a free one 432.
    await world.member(d, "webby");
    irc.send("NICK Webby");
    expect((await irc.next("433")).params[1]).toBe("Webby");
    irc.send("NICK freshname");
    expect((await irc.next("432")).params[1]).toBe("freshname");
  });

  it("NOTICE is stored as a notice: IRC members get NOTICE, the web a message with notice: true", async () => {
    const d = await ircDaemon();
    const { client: web } = await world.member(d, "webby");
    const a = await ircSignIn(d.daemon.ircPort!, "noticer", { caps: ["echo-message"] });
    const b = await ircSignIn(d.daemon.ircPort!, "reader");
    world.onCleanup(() => a.close());
    world.onCleanup(() => b.close());
    for (const c of [a, b]) {
      c.send("JOIN #general");
      await c.next("366");
    }
    a.send("NOTICE #general :heads up");
    expect((await a.next("NOTICE")).params).toEqual(["#general", "heads up"]);
    const got = await b.next((l) => l.command === "NOTICE" || l.command === "PRIVMSG");
    expect([got.command, ...got.params]).toEqual(["NOTICE", "#general", "heads up"]);
    expect(await web.next("message")).toMatchObject({ from: "noticer", text: "heads up", notice: true });
    a.send("NOTICE reader :psst");
    const dm = await b.next((l) => l.command === "NOTICE" || l.command === "PRIVMSG");
    expect([dm.command, ...dm.params]).toEqual(["NOTICE", "reader", "psst"]);
    // A PRIVMSG is no notice.
    a.send("PRIVMSG #general :plain");
    expect((await b.next((l) => l.command === "NOTICE" || l.command === "PRIVMSG")).command).toBe("PRIVMSG");
    expect((await web.next("message")).notice).toBeUndefined();
  });

  it("answers NAMES, WHO, WHOIS, LIST, LUSERS, TOPIC, MODE and AWAY", async () => {
    const d = await ircDaemon();
    const { client: web } = await world.member(d, "webby");
    const irc = await ircSignIn(d.daemon.ircPort!, "ircy");
    world.onCleanup(() => irc.close());
    irc.send("JOIN #general");
    await irc.next("366");
    irc.send("NAMES #general");
    expect((await irc.next("353")).params[3]!.split(" ").sort()).toEqual(["ircy", "webby"]);
    irc.send("WHO #General");
    const who = await irc.until("315");
    expect(who.filter((l) => l.command === "352").map((l) => l.params[5]).sort()).toEqual(["ircy", "webby"]);
    // 352 names the channel as it is, 315 the mask as sent.
    expect(who.filter((l) => l.command === "352").map((l) => l.params[1])).toEqual(["#general", "#general"]);
    expect(who.at(-1)!.params[1]).toBe("#General");
    irc.send("WHOIS webby");
    const whois = await irc.until("318");
    expect(whois.find((l) => l.command === "311")!.params[1]).toBe("webby");
    expect(whois.find((l) => l.command === "319")!.params[2]).toBe("#general");
    expect(whois.find((l) => l.command === "330")!.params[2]).toBe("webby");
    irc.send("WHOIS ghost");
    await irc.next("401");
    irc.send("LIST");
    const list = await irc.until("323");
    const general = list.find((l) => l.command === "322" && l.params[1] === "#general")!;
    expect(general.params[2]).toBe("2");
    irc.send("LUSERS");
    expect((await irc.next("251")).params[1]).toMatch(/There are 2 users/);
    irc.send("TOPIC #general");
    await irc.next("331");
    irc.send("TOPIC #general :Release on Friday");
    const set = await irc.next("TOPIC");
    expect(set.source).toBe("ircy!ircy@chatd");
    expect(set.params).toEqual(["#general", "Release on Friday"]);
    expect(await web.next("topic")).toMatchObject({ room: "general", text: "Release on Friday", by: "ircy" });
    irc.send("TOPIC #general");
    expect((await irc.next("332")).params.slice(1)).toEqual(["#general", "Release on Friday"]);
    expect((await irc.next("333")).params[2]).toBe("ircy");
    web.send({ type: "topic", room: "general", text: "Ship it", ref: 9 });
    expect((await irc.next("TOPIC")).params).toEqual(["#general", "Ship it"]);
    irc.send("LIST *gen*");
    const listed = await irc.until("323");
    const rows = listed.filter((l) => l.command === "322");
    expect(rows.map((l) => [l.params[1], l.params[3]])).toEqual([["#general", "Ship it"]]);
    expect(rows[0]!.params[2]).toMatch(/^\d+$/);
    const late = await ircSignIn(d.daemon.ircPort!, "late", { caps: ["draft/chathistory"] });
    world.onCleanup(() => late.close());
    late.send("JOIN #general");
    const joinLines = await late.until("366");
    expect(joinLines.map((l) => l.command)).toEqual(["JOIN", "332", "333", "353", "366"]);
    expect(joinLines[1]!.params[2]).toBe("Ship it");
    irc.send("MODE #general");
    expect((await irc.next("324")).params.slice(1)).toEqual(["#general", "+n"]);
    irc.send("MODE ircy");
    await irc.next("221");
    irc.send("AWAY :lunch");
    await irc.next("306");
    irc.send("AWAY");
    await irc.next("305");
  });

  it("away-notify tells IRC channel members of AWAY; WHOIS shows it; typing travels as TAGMSG +typing both ways", async () => {
    const d = await ircDaemon();
    const { client: web } = await world.member(d, "webby");
    const a = await inGeneral(d, ["alpha", ["message-tags"]]);
    const b = await inGeneral(d, ["beta", ["away-notify", "message-tags"]]);
    a.send("AWAY :lunch");
    await a.next("306");
    const away = await b.next("AWAY");
    expect(away.source).toBe("alpha!alpha@chatd");
    expect(away.params).toEqual(["lunch"]);
    b.send("WHOIS alpha");
    expect((await b.until("318")).find((l) => l.command === "301")!.params[2]).toBe("lunch");

    web.send({ type: "typing", room: "general" });
    const typing = await b.next("TAGMSG");
    expect(typing.source).toBe("webby!webby@chatd");
    expect(typing.tags.get("+typing")).toBe("active");
    a.send("@+typing=active TAGMSG #general");
    expect(await web.next("typing")).toMatchObject({ room: "general", user: "alpha" });
  });

  it("an AWAY flood reaches the channel as one AWAY line per 2 s, the state it ends in; 305/306 and WHOIS follow each at once", async () => {
    const d = await ircDaemon();
    const a = await inGeneral(d, ["flapper", []]);
    const b = await inGeneral(d, ["watcher", ["away-notify"]]);
    a.send("AWAY :first");
    await a.next("306");
    expect((await b.next("AWAY")).params).toEqual(["first"]);
    // 400 toggles at once: before, each was an AWAY line to every away-notify member of every shared room.
    let flood = "";
    for (let i = 0; i < 400; i++) flood += i % 2 ? "AWAY\r\n" : `AWAY :flap ${i}\r\n`;
    a.socket.write(`${flood}AWAY :last one\r\n`);
    for (let i = 0; i < 400; i++) await a.next((l) => l.command === "305" || l.command === "306");
    expect((await a.next((l) => l.command === "305" || l.command === "306")).command).toBe("306");
    b.send("WHOIS flapper");
    expect((await b.until("318")).find((l) => l.command === "301")!.params[2]).toBe("last one");
    const told = (await b.until((l) => l.command === "AWAY" && l.params[0] === "last one", 6000)).filter((l) => l.command === "AWAY");
    // One line 2 s after "first" (two if the flood took longer than that to read: the one read then, and the last).
    expect(told.length).toBeLessThanOrEqual(2);
    expect(await b.quiet("AWAY", 2500)).toBe(true);
  });
});
