import bcrypt from "bcryptjs";
import { afterEach, describe, expect, it } from "vitest";
import { World, say } from "../../helpers/harness.ts";
import { IrcClient, ircSignIn, plain, type Line } from "../../helpers/irc.ts";
import { makeCertificate } from "../../helpers/tls.ts";
import { createLogger } from "../../../src/log.ts";
import type { TestDaemon } from "../../helpers/daemon.ts";

/**
 * The IRC gateway's contract as docs/irc.md, the README and docs/configuration.md state it,
 * claim by claim, checked from outside (a real daemon, real TCP clients). Room operators, MODE,
 * NAMES prefixes, client tags, NICK after sign-in, QUIT, PING ordering and away-notify are
 * other files' (they are changing).
 */
describe("the IRC gateway as documented", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  async function daemon(irc: Record<string, unknown> = {}, rest: Record<string, unknown> = {}): Promise<TestDaemon> {
    return world.daemon({ irc: { port: 0, ...irc }, ...rest });
  }
  async function sign(d: TestDaemon, nick: string, options: Parameters<typeof ircSignIn>[2] = {}): Promise<IrcClient> {
    const c = await ircSignIn(d.daemon.ircPort!, nick, options);
    world.onCleanup(() => c.close());
    return c;
  }
  async function raw(d: TestDaemon): Promise<IrcClient> {
    const c = await IrcClient.connect(d.daemon.ircPort!);
    world.onCleanup(() => c.close());
    return c;
  }
  async function join(c: IrcClient, channel: string): Promise<Line[]> {
    c.send(`JOIN ${channel}`);
    return c.until("366");
  }
  const last = (l: Line) => l.params.at(-1)!;

  it("registration: SASL is 900 and 903, then 001 to 005, the MOTD and 221 +i, all from irc.serverName; 001 names the account as stored", async () => {
    const d = await daemon({ serverName: "irc.example-1" }, { motd: "first line\nsecond line" });
    await world.signIn(d, "Alice");
    const c = await raw(d);
    c.send("CAP LS 302");
    c.send("NICK ALICE");
    c.send("USER u 0 * :Real Name");
    c.send("CAP REQ :sasl");
    await c.next((l) => l.command === "CAP" && l.params[1] === "ACK");
    c.send("AUTHENTICATE PLAIN");
    await c.next("AUTHENTICATE");
    c.send(`AUTHENTICATE ${plain("alice", "correct-horse")}`);
    await c.next("900");
    await c.next("903");
    c.send("CAP END");
    const burst = await c.until("221");
    const numerics = burst.filter((l) => /^\d{3}$/.test(l.command));
    expect(numerics.map((l) => l.command).filter((n, i, a) => a.indexOf(n) === i)).toEqual(["001", "002", "003", "004", "005", "375", "372", "376", "221"]);
    for (const l of numerics) expect(l.source).toBe("irc.example-1");
    expect(numerics[0]!.params[0]).toBe("Alice");
    expect(burst.filter((l) => l.command === "372").map(last).join("\n")).toMatch(/first line[^]*second line/);
    expect(burst.at(-1)!.params).toEqual(["Alice", "+i"]);
    // Sources are name!name@<serverName>.
    await join(c, "#general");
    expect(c.lines.find((l) => l.command === "JOIN")!.source).toBe("Alice!Alice@irc.example-1");
    // MOTD again: 375, 372 a line, 376.
    c.send("MOTD");
    const motd = await c.until("376");
    expect(motd.map((l) => l.command)).toEqual(["375", "372", "372", "376"]);
  });

  it("MOTD without a message of the day is 422", async () => {
    const d = await daemon();
    const c = await sign(d, "nomotd");
    c.send("MOTD");
    await c.next("422");
  });

  it("CAP LS 302 offers the documented capabilities and none of those said not to be offered", async () => {
    const d = await daemon();
    const c = await raw(d);
    c.send("CAP LS 302");
    const ls = await c.next("CAP");
    const offered = last(ls).split(" ");
    expect(offered).toEqual(
      expect.arrayContaining([
        "account-tag", "away-notify", "batch", "cap-notify", "draft/chathistory", "draft/message-redaction", "echo-message",
        "labeled-response", "message-tags", "multi-prefix", "sasl=PLAIN", "server-time", "userhost-in-names",
      ]),
    );
    for (const absent of ["draft/multiline", "extended-join", "chghost", "draft/read-marker", "draft/event-playback"]) {
      expect(offered.filter((cap) => cap.split("=")[0] === absent)).toEqual([]);
    }
  });

  it("ISUPPORT has the documented tokens, NETWORK from the config's name, CHANLIMIT and CHATHISTORY from the limits", async () => {
    const d = await daemon({}, { name: "My Chat!! (test)", limits: { maxRoomsPerSession: 7, historyPerRoom: 300 } });
    const c = await raw(d);
    c.send("CAP LS 302");
    c.send("CAP REQ :sasl");
    c.send("NICK isu");
    c.send("USER isu 0 * :isu");
    await c.next((l) => l.command === "CAP" && l.params[1] === "ACK");
    c.send("AUTHENTICATE PLAIN");
    await c.next("AUTHENTICATE");
    c.send(`AUTHENTICATE ${plain("isu", "correct-horse")}`);
    await c.next("903");
    c.send("CAP END");
    const burst = await c.until("221");
    const tokens = burst.filter((l) => l.command === "005").flatMap((l) => l.params.slice(1, -1));
    expect(tokens).toEqual(
      expect.arrayContaining([
        "AWAYLEN=200", "CASEMAPPING=rfc8265", "CHANLIMIT=#:7", "CHANNELLEN=33", "CHANTYPES=#", "CHATHISTORY=300", "ELIST=MNU",
        "KICKLEN=500", "MAXTARGETS=4", "MSGREFTYPES=msgid,timestamp", "NETWORK=My-Chat-test-", "NICKLEN=32",
        "TARGMAX=PRIVMSG:4,NOTICE:4,JOIN:,PART:", "TOPICLEN=300", "UTF8ONLY", "WHOX",
      ]),
    );
  });

  it("CHATHISTORY in ISUPPORT is capped at 1000", async () => {
    const d = await daemon({}, { limits: { historyPerRoom: 5000 } });
    const c = await sign(d, "capped");
    expect(c.lines.filter((l) => l.command === "005").flatMap((l) => l.params)).toContain("CHATHISTORY=1000");
  });

  it("without SASL or PASS and without irc.guests: 464 Password required, and the connection closes", async () => {
    const d = await daemon();
    const c = await raw(d);
    c.send("NICK someone");
    c.send("USER someone 0 * :Some One");
    const refused = await c.next("464");
    expect(last(refused)).toBe("Password required: sign in with SASL PLAIN or PASS (your chatd account and password)");
    await c.closed;
  });

  it("USER needs four parameters and a non-empty real name (461); commands before registration get 451", async () => {
    const d = await daemon();
    const c = await raw(d);
    c.send("USER a 0 *");
    expect((await c.next("461")).params[1]).toBe("USER");
    c.send("USER a 0 * :");
    expect((await c.next("461")).params[1]).toBe("USER");
    c.send("JOIN #general");
    await c.next("451");
    // Before CAP END, even with a sign-in done, other commands get 451.
    c.send("CAP LS 302");
    c.send("CAP REQ :sasl");
    c.send("NICK early");
    c.send("USER early 0 * :Early Bird");
    await c.next((l) => l.command === "CAP" && l.params[1] === "ACK");
    c.send("AUTHENTICATE PLAIN");
    await c.next("AUTHENTICATE");
    c.send(`AUTHENTICATE ${plain("early", "correct-horse")}`);
    await c.next("903");
    c.send("LUSERS");
    await c.next("451");
    c.send("CAP END");
    await c.next("001");
  });

  it("a wrong SASL password is 904 and the client may try again", async () => {
    const d = await daemon();
    await world.signIn(d, "sasly");
    const c = await raw(d);
    c.send("CAP LS 302");
    c.send("CAP REQ :sasl");
    c.send("NICK sasly");
    c.send("USER sasly 0 * :S");
    await c.next((l) => l.command === "CAP" && l.params[1] === "ACK");
    c.send("AUTHENTICATE PLAIN");
    await c.next("AUTHENTICATE");
    c.send(`AUTHENTICATE ${plain("sasly", "wrong-password")}`);
    await c.next("904");
    c.send("AUTHENTICATE PLAIN");
    await c.next("AUTHENTICATE");
    c.send(`AUTHENTICATE ${plain("sasly", "correct-horse")}`);
    await c.next("903");
    c.send("CAP END");
    await c.next("001");
  });

  it("registration not finished within limits.authTimeoutMs gets ERROR and is closed", async () => {
    const d = await daemon({}, { limits: { authTimeoutMs: 300 } });
    const c = await raw(d);
    c.send("NICK slowpoke");
    await c.next("ERROR", 5000);
    await c.closed;
  });

  it("irc.guests: a nick that is an account is 433 Nickname is registered, one online (a guest's or a web user's) 433 Nickname is already in use; another NICK then signs in; web users can message guests", async () => {
    const d = await daemon({ guests: true });
    await world.signIn(d, "owner").then(({ client }) => client.close());
    const { client: web } = await world.signIn(d, "webby");
    const g1 = await raw(d);
    g1.send("NICK guesty");
    g1.send("USER g 0 * :Guest");
    await g1.next("001");
    await g1.next("221");

    const c = await raw(d);
    c.send("NICK owner");
    c.send("USER g 0 * :Guest");
    expect((await c.next("433")).params.slice(1)).toEqual(["owner", "Nickname is registered: sign in with SASL or PASS, or pick another"]);
    c.send("NICK guesty");
    expect((await c.next("433")).params.slice(1)).toEqual(["guesty", "Nickname is already in use"]);
    c.send("NICK webby");
    expect((await c.next("433")).params.slice(1)).toEqual(["webby", "Nickname is already in use"]);
    c.send("NICK visitor");
    expect((await c.next("001")).params[0]).toBe("visitor");
    web.send({ type: "dm", to: "visitor", text: "welcome, guest", ref: 1 });
    expect((await c.next("PRIVMSG")).params).toEqual(["visitor", "welcome, guest"]);
  });

  it("connections over limits.maxConnections get ERROR :Closing link: server full", async () => {
    const d = await daemon({}, { limits: { maxConnections: 1 } });
    await raw(d);
    const c = await raw(d);
    expect(last(await c.next("ERROR"))).toBe("Closing link: server full");
    await c.closed;
  });

  it("connections over limits.maxConnectionsPerIp get an ERROR saying too many connections from this address", async () => {
    const d = await daemon({}, { limits: { maxConnectionsPerIp: 1 } });
    await raw(d);
    const c = await raw(d);
    expect(last(await c.next("ERROR"))).toBe("Closing link: too many connections from this address");
    await c.closed;
  });

  it("JOIN #a,#b joins each with JOIN, 353 and 366 (web members too); JOIN 0 leaves every room; rooms are case-insensitive", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby", "alpha");
    const c = await sign(d, "joiner");
    c.send("JOIN #alpha,#beta");
    const lines = await c.until((l) => l.command === "366" && l.params[1] === "#beta");
    expect(lines.filter((l) => l.command === "JOIN").map((l) => l.params[0])).toEqual(["#alpha", "#beta"]);
    const names = lines.filter((l) => l.command === "353");
    expect(names.map((l) => l.params[2])).toEqual(["#alpha", "#beta"]);
    expect(names[0]!.params[3]!.split(" ").sort()).toEqual(["joiner", "webby"]);
    expect(names[1]!.params[3]!.split(" ")).toEqual(["joiner"]);
    // #ALPHA is #alpha.
    c.send("PRIVMSG #ALPHA :same room");
    expect(await web.next("message")).toMatchObject({ room: "alpha", from: "joiner", text: "same room" });
    c.send("JOIN 0");
    const parts = [await c.next("PART"), await c.next("PART")];
    expect(parts.map((l) => l.params[0]).sort()).toEqual(["#alpha", "#beta"]);
    c.send("PRIVMSG #alpha :gone");
    await c.next("404");
  });

  it("a PART's reason reaches web and IRC members, cut to 300 characters", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby");
    const stay = await sign(d, "stayer");
    await join(stay, "#general");
    const c = await sign(d, "leaver");
    await join(c, "#general");
    c.send(`PART #general :${"r".repeat(400)}`);
    const part = await stay.next((l) => l.command === "PART" && l.source?.startsWith("leaver!") === true);
    expect(part.params).toEqual(["#general", "r".repeat(300)]);
    let presence = await web.next("presence");
    while (presence.event !== "leave") presence = await web.next("presence");
    expect(presence).toMatchObject({ user: "leaver", reason: "r".repeat(300) });
  });

  it("NOTICE to a room is a stored notice (web: notice true, IRC: NOTICE); a NOTICE is never answered with an error", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby");
    const other = await sign(d, "other");
    await join(other, "#general");
    const c = await sign(d, "noticer");
    await join(c, "#general");
    c.send("NOTICE #general :heads up");
    expect(await web.next("message")).toMatchObject({ from: "noticer", text: "heads up", notice: true });
    expect((await other.next((l) => l.command === "NOTICE" || l.command === "PRIVMSG")).command).toBe("NOTICE");
    // Errors a PRIVMSG would get: not for a NOTICE.
    c.send("NOTICE #elsewhere :no such membership");
    c.send("NOTICE nobody-by-that-name :hello?");
    c.send("NOTICE #general :");
    c.send("LUSERS");
    const until = await c.until("251");
    expect(until.filter((l) => /^(4\d\d|FAIL)$/.test(l.command))).toEqual([]);
  });

  it("PRIVMSG to a nick is a dm; to one's own nick it comes back as received besides the echo; ACTION is /me; other CTCP is not relayed", async () => {
    const d = await daemon();
    const { client: web } = await world.signIn(d, "webby");
    const c = await sign(d, "talker", { caps: ["echo-message"] });
    c.send("PRIVMSG webby :\u0001ACTION waves\u0001");
    expect(await web.next("dm")).toMatchObject({ from: "talker", to: "webby", text: "/me waves" });
    c.send("PRIVMSG webby :\u0001VERSION\u0001");
    c.send("PRIVMSG webby :after the ctcp");
    expect((await web.next("dm")).text).toBe("after the ctcp");
    await c.next((l) => l.command === "PRIVMSG" && last(l) === "after the ctcp"); // its echo
    web.send({ type: "dm", to: "talker", text: "/me nods", ref: 1 });
    expect((await c.next((l) => l.command === "PRIVMSG" && l.source?.startsWith("webby!") === true)).params).toEqual(["talker", "\u0001ACTION nods\u0001"]);
    c.send("PRIVMSG talker :note to self");
    const back = [await c.next("PRIVMSG"), await c.next("PRIVMSG")];
    expect(back.map((l) => [l.source, ...l.params])).toEqual([
      ["talker!talker@chatd", "talker", "note to self"],
      ["talker!talker@chatd", "talker", "note to self"],
    ]);
  });

  it("IRC formatting passes through; other control characters are dropped and a tab becomes a space", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby");
    const c = await sign(d, "fmt");
    await join(c, "#general");
    const formatting = "\u0002b\u0002 \u000304c\u0003 \u0004ff0000h\u0004 \u000fr \u0011m \u0016v \u001di \u001es \u001fu";
    c.send(`PRIVMSG #general :${formatting}`);
    expect((await web.next("message")).text).toBe(formatting);
    c.send("PRIVMSG #general :a\u0007b\u001bc\td\u0005e");
    expect((await web.next("message")).text).toBe("abc de");
  });

  it("a web message of several lines is a PRIVMSG per non-blank line, each with the same tags; a line over 512 bytes is split", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby");
    const c = await sign(d, "reader", { caps: ["message-tags", "server-time"] });
    await join(c, "#general");
    web.send({ type: "say", room: "general", text: "one\n\n  \ntwo", ref: 1 });
    const ack = await web.next("ack");
    const lines = [await c.next("PRIVMSG"), await c.next("PRIVMSG")];
    expect(lines.map((l) => l.params)).toEqual([["#general", "one"], ["#general", "two"]]);
    expect(lines.map((l) => l.tags.get("msgid"))).toEqual([ack.id, ack.id]);
    expect(lines[0]!.tags.get("time")).toBe(lines[1]!.tags.get("time"));
    const long = "word ".repeat(300).trim(); // 1499 bytes
    web.send({ type: "say", room: "general", text: long, ref: 2 });
    const parts: Line[] = [];
    while (parts.map((l) => last(l)).join("").replace(/ /g, "").length < long.replace(/ /g, "").length) parts.push(await c.next("PRIVMSG"));
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      const withoutTags = p.raw.replace(/^@\S+ /, "");
      expect(Buffer.byteLength(withoutTags) + 2).toBeLessThanOrEqual(512);
    }
    expect(parts.map((l) => last(l)).join(" ").replace(/\s+/g, " ")).toBe(long);
  });

  it("web joins and leaves are JOIN and PART; broadcasts and a motd change are NOTICEs from the server", async () => {
    const d = await daemon();
    const c = await sign(d, "watcher");
    await join(c, "#general");
    const { client: web } = await world.member(d, "webby");
    expect((await c.next("JOIN")).source).toBe("webby!webby@chatd");
    web.send({ type: "leave", room: "general" });
    expect((await c.next("PART")).source).toBe("webby!webby@chatd");
    expect((await d.http("/admin/broadcast", { method: "POST", admin: true, body: JSON.stringify({ text: "Maintenance soon" }) })).status).toBe(200);
    const notice = await c.next("NOTICE");
    expect(notice.source).toBe("chatd");
    expect(notice.params[0]).toBe("watcher");
    expect(last(notice)).toContain("Maintenance soon");
    expect((await d.http("/admin/motd", { method: "PUT", admin: true, body: JSON.stringify({ motd: "New rules" }) })).status).toBe(200);
    const motd = await c.next("NOTICE");
    expect(motd.source).toBe("chatd");
    expect(last(motd)).toContain("New rules");
  });

  it("TOPIC: 331 with members and no topic, 403 with neither, 332 and 333 once set (also on JOIN); an empty text clears it; 442 outside the room", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby");
    const c = await sign(d, "topical");
    c.send("TOPIC #nobodyhere");
    expect((await c.next("403")).params[1]).toBe("#nobodyhere");
    c.send("TOPIC #general");
    expect((await c.next("331")).params[1]).toBe("#general");
    c.send("TOPIC #general :not a member");
    expect((await c.next("442")).params[1]).toBe("#general");
    await join(c, "#general");
    const text = "t".repeat(300);
    c.send(`TOPIC #general :${text}`);
    const set = await c.next("TOPIC");
    expect([set.source, ...set.params]).toEqual(["topical!topical@chatd", "#general", text]);
    expect(await web.next("topic")).toMatchObject({ room: "general", text, by: "topical" });
    c.send("TOPIC #general");
    expect((await c.next("332")).params.slice(1)).toEqual(["#general", text]);
    const who = await c.next("333");
    expect(who.params.slice(1, 3)).toEqual(["#general", "topical"]);
    expect(Number(who.params[3])).toBeGreaterThan(1_700_000_000);
    expect(Number(who.params[3])).toBeLessThan(Date.now() / 1000 + 5);
    const late = await sign(d, "late");
    const joined = await join(late, "#general");
    expect(joined.map((l) => l.command).slice(0, 3)).toEqual(["JOIN", "332", "333"]);
    c.send("TOPIC #general :");
    expect((await late.next("TOPIC")).params).toEqual(["#general", ""]);
    c.send("TOPIC #general");
    await c.next("331");
  });

  it("WHO: a channel, a nick (anyone online) and a mask (only users sharing a room); 352 names the channel as it is and 315 echoes the mask", async () => {
    const d = await daemon();
    await world.member(d, "webby", "lobby");
    await world.signIn(d, "loner");
    const c = await sign(d, "asker", { userName: "askuser", realName: "Ask Er" });
    await join(c, "#Lobby");
    c.send("WHO #LOBBY");
    const chan = await c.until("315");
    const rows = chan.filter((l) => l.command === "352").sort((a, b) => a.params[5]!.localeCompare(b.params[5]!));
    expect(rows.map((l) => l.params.slice(1))).toEqual([
      ["#lobby", "askuser", "chatd", "chatd", "asker", "H", "0 Ask Er"],
      ["#lobby", "webby", "chatd", "chatd", "webby", "H", "0 webby"],
    ]);
    expect(chan.at(-1)!.params[1]).toBe("#LOBBY");
    // A plain nick finds anyone online; a mask only those sharing a room (and the asker).
    c.send("WHO loner");
    expect((await c.until("315")).filter((l) => l.command === "352").map((l) => l.params[5])).toEqual(["loner"]);
    c.send("WHO *O*");
    const masked = await c.until("315");
    expect(masked.filter((l) => l.command === "352").map((l) => l.params[5])).toEqual([]);
    c.send("WHO ?EBB*");
    expect((await c.until("315")).filter((l) => l.command === "352").map((l) => l.params[5])).toEqual(["webby"]);
    c.send("WHO ask*");
    const self = await c.until("315");
    expect(self.filter((l) => l.command === "352").map((l) => l.params[5])).toEqual(["asker"]);
    expect(self.at(-1)!.params[1]).toBe("ask*");
  });

  it("WHOX: exactly the fields asked for, in the documented order; token 1 to 3 digits else 0; one's own address only; other letters ignored", async () => {
    const d = await daemon({ serverName: "irc.test" });
    await world.member(d, "webby", "room1");
    const c = await sign(d, "whoxer", { userName: "wu", realName: "Who X" });
    await join(c, "#room1");
    const ask = async (line: string) => {
      c.send(line);
      const lines = await c.until("315");
      expect(lines.filter((l) => l.command === "352")).toEqual([]);
      return lines.filter((l) => l.command === "354").map((l) => l.params.slice(1));
    };
    expect(await ask("WHO whoxer %tcuihsnfdlaor,42")).toEqual([
      ["42", "*", "wu", "127.0.0.1", "irc.test", "irc.test", "whoxer", "H", "0", expect.stringMatching(/^\d+$/), "whoxer", "n/a", "Who X"],
    ]);
    expect(await ask("WHO webby %rao,1234")).toEqual([["webby", "n/a", "webby"]]);
    expect(await ask("WHO webby %tni,1234")).toEqual([["0", "255.255.255.255", "webby"]]);
    expect(await ask("WHO webby %tn")).toEqual([["0", "webby"]]);
    expect(await ask("WHO webby %tl,7")).toEqual([["7", "0"]]);
    expect(await ask("WHO webby %nqzx")).toEqual([["webby"]]);
    expect(await ask("WHO webby o%nc")).toEqual([["*", "webby"]]);
    expect((await ask("WHO #room1 %cn")).sort()).toEqual([["#room1", "webby"], ["#room1", "whoxer"]]);
  });

  it("WHOIS: 311 with USER's names, 319, 312, 330, 318; 301 when away or offline; 313 for a moderator; 401 for no such account", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby", "general");
    await world.signIn(d, "sleeper").then(({ client }) => client.close());
    expect((await d.http("/admin/role", { method: "PUT", admin: true, body: JSON.stringify({ user: "webby", role: "moderator" }) })).status).toBe(200);
    const target = await sign(d, "target", { userName: "tuser", realName: "Tar Get" });
    await join(target, "#general");
    const c = await sign(d, "asker");
    c.send("WHOIS target");
    const t = await c.until("318");
    const by = (n: string) => t.filter((l) => l.command === n).map((l) => l.params.slice(1));
    expect(by("311")).toEqual([["target", "tuser", "chatd", "*", "Tar Get"]]);
    expect(by("319")).toEqual([["target", "#general"]]);
    expect(by("312").map((p) => p[0])).toEqual(["target"]);
    expect(by("330").map((p) => p.slice(0, 2))).toEqual([["target", "target"]]);
    expect(by("301")).toEqual([]);
    expect(by("313")).toEqual([]);
    target.send("AWAY :at lunch");
    await target.next("306");
    c.send("WHOIS target");
    expect((await c.until("318")).filter((l) => l.command === "301").map((l) => l.params.slice(1))).toEqual([["target", "at lunch"]]);
    c.send("WHOIS sleeper");
    const off = await c.until("318");
    expect(off.filter((l) => l.command === "301").map((l) => l.params.slice(1))).toEqual([["sleeper", "offline"]]);
    c.send("WHOIS webby");
    const mod = await c.until("318");
    expect(mod.filter((l) => l.command === "313").map((l) => l.params.slice(1))).toEqual([["webby", "is a chatd moderator"]]);
    c.send("WHOIS ghost");
    expect((await c.next("401")).params[1]).toBe("ghost");
    web.close();
  });

  it("LIST: 321, a 322 per room with its members and topic, 323; masks, !masks, >n and <n combine; C and T items are ignored", async () => {
    const d = await daemon();
    const { client: w1 } = await world.member(d, "w1", "dev-one");
    await world.member(d, "w2", "dev-one");
    await world.member(d, "w3", "dev-two");
    await world.member(d, "w4", "ops");
    w1.send({ type: "topic", room: "dev-one", text: "Dev talk", ref: 1 });
    await w1.next("topic");
    const c = await sign(d, "lister");
    const list = async (line: string) => {
      c.send(line);
      const lines = await c.until("323");
      expect(lines[0]!.command).toBe("321");
      return lines.filter((l) => l.command === "322").map((l) => l.params.slice(1));
    };
    const all = await list("LIST");
    expect(all.map((r) => r[0])).toEqual(["#dev-one", "#dev-two", "#general", "#ops"]);
    expect(all[0]).toEqual(["#dev-one", "2", "Dev talk"]);
    expect(all[1]).toEqual(["#dev-two", "1", ""]);
    expect((await list("LIST #OPS")).map((r) => r[0])).toEqual(["#ops"]);
    expect((await list("LIST *dev*")).map((r) => r[0])).toEqual(["#dev-one", "#dev-two"]);
    expect((await list("LIST dev-t?o")).map((r) => r[0])).toEqual(["#dev-two"]);
    expect((await list("LIST #ops,#dev-one")).map((r) => r[0])).toEqual(["#dev-one", "#ops"]);
    expect((await list("LIST !*dev*")).map((r) => r[0])).toEqual(["#general", "#ops"]);
    expect((await list("LIST >1")).map((r) => r[0])).toEqual(["#dev-one"]);
    expect((await list("LIST <1")).map((r) => r[0])).toEqual(["#general"]);
    expect((await list("LIST #dev*,>1")).map((r) => r[0])).toEqual(["#dev-one"]);
    expect((await list("LIST C<10,T>5")).map((r) => r[0])).toEqual(["#dev-one", "#dev-two", "#general", "#ops"]);
  });

  it("LUSERS is 251 with the users online, 252, 254 with the rooms, 255; ISON and USERHOST name online users", async () => {
    const d = await daemon();
    await world.member(d, "webby", "general");
    await world.signIn(d, "offline").then(({ client }) => client.close());
    const c = await sign(d, "counter");
    c.send("LUSERS");
    const lines = await c.until("255");
    expect(lines.map((l) => l.command)).toEqual(["251", "252", "254", "255"]);
    expect(last(lines[0]!)).toMatch(/\b2 users\b/);
    expect(lines[2]!.params[1]).toBe("1");
    c.send("ISON webby offline nobody counter");
    expect(last(await c.next("303")).split(" ").sort()).toEqual(["counter", "webby"]);
    c.send("USERHOST webby offline");
    const uh = last(await c.next("302"));
    expect(uh).toMatch(/^webby[*]?=[+-]webby@chatd$/);
  });

  it("AWAY is 306 and AWAY alone 305; WHO shows G while away", async () => {
    const d = await daemon();
    const c = await sign(d, "awayer");
    c.send("AWAY :brb");
    await c.next("306");
    c.send("WHO awayer");
    expect((await c.next("352")).params[6]).toBe("G");
    c.send("AWAY");
    await c.next("305");
    c.send("WHO awayer");
    expect((await c.next("352")).params[6]).toBe("H");
  });

  it("the errors table: 404, 401, 412, 403, 405, 442, 482 (muted TOPIC), FAIL with the code otherwise", async () => {
    const d = await daemon({}, { limits: { maxRoomsPerSession: 2, maxTextLength: 20 } });
    const c = await sign(d, "erring");
    c.send("PRIVMSG #general :not in it");
    expect((await c.next("404")).params[1]).toBe("#general");
    expect(last(c.lines.at(-1)!)).toMatch(/^Cannot send to channel/);
    c.send("PRIVMSG nobody :hi");
    expect((await c.next("401")).params[1]).toBe("nobody");
    c.send("PRIVMSG bad.name! :hi");
    expect((await c.next("401")).params[1]).toBe("bad.name!");
    await join(c, "#general");
    c.send("PRIVMSG #general :   ");
    await c.next("412");
    c.send("JOIN #no.dots");
    expect((await c.next("403")).params[1]).toBe("#no.dots");
    await join(c, "#second");
    c.send("JOIN #third");
    expect((await c.next("405")).params[1]).toBe("#third");
    c.send("PART #third");
    expect((await c.next("442")).params[1]).toBe("#third");
    c.send(`PRIVMSG #general :${"x".repeat(21)}`);
    const fail = await c.next("FAIL");
    expect(fail.params.slice(0, 3)).toEqual(["PRIVMSG", "TOO_LARGE", "#general"]);
    // Muted: PRIVMSG is 404, TOPIC 482.
    expect((await d.http("/admin/mute", { method: "POST", admin: true, body: JSON.stringify({ user: "erring", room: "general", minutes: 5 }) })).status).toBe(200);
    c.send("PRIVMSG #general :muted now");
    expect((await c.next("404")).params[1]).toBe("#general");
    c.send("TOPIC #general :muted topic");
    expect((await c.next("482")).params[1]).toBe("#general");
  });

  it("echo-message is the ack: it comes once the message is stored, with its msgid, time and account tags", async () => {
    const d = await daemon();
    const c = await sign(d, "echoer", { caps: ["echo-message", "message-tags", "server-time", "account-tag"] });
    await join(c, "#general");
    c.send("PRIVMSG #general :durable");
    const echo = await c.next("PRIVMSG");
    expect(echo.params).toEqual(["#general", "durable"]);
    expect(echo.tags.get("account")).toBe("echoer");
    const res = await d.http("/admin/log?room=general&limit=5", { admin: true });
    const body = (await res.json()) as { messages?: Array<{ id: string; ts: number; text: string }> } | Array<{ id: string; ts: number; text: string }>;
    const messages = Array.isArray(body) ? body : body.messages!;
    const stored = messages.find((m) => m.text === "durable")!;
    expect(echo.tags.get("msgid")).toBe(stored.id);
    expect(Date.parse(echo.tags.get("time")!)).toBe(stored.ts);
  });

  it("labeled-response: one line carries the label, several come in a labeled-response batch, none is ACK", async () => {
    const d = await daemon();
    const c = await sign(d, "labeler", { caps: ["labeled-response", "batch", "message-tags"] });
    c.send("@label=one LUSERS");
    const opened = await c.next("BATCH");
    expect(opened.tags.get("label")).toBe("one");
    expect(opened.params[1]).toBe("labeled-response");
    await c.next((l) => l.command === "BATCH" && l.params[0] === `-${opened.params[0]!.slice(1)}`);
    c.send("@label=two AWAY :x");
    const single = await c.next("306");
    expect(single.tags.get("label")).toBe("two");
    await join(c, "#general");
    c.send("@label=three PRIVMSG #general :no echo without echo-message");
    const ack = await c.next((l) => l.tags.get("label") === "three");
    expect(ack.command).toBe("ACK");
  });

  it("CHATHISTORY: LATEST, BEFORE, AFTER, AROUND, BETWEEN and TARGETS as documented; bad input is INVALID_PARAMS, a room one is not in INVALID_TARGET", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby", "hist");
    const ids = await say(web, "hist", ["m1", "m2", "m3", "m4", "m5"]);
    const c = await sign(d, "historian", { caps: ["draft/chathistory", "batch", "message-tags", "server-time"] });
    const joined = await join(c, "#hist");
    // With draft/chathistory there is no replay on JOIN.
    expect(joined.filter((l) => l.command === "PRIVMSG")).toEqual([]);
    const history = async (line: string) => {
      c.send(line);
      const start = await c.next((l) => l.command === "BATCH" || l.command === "FAIL");
      if (start.command === "FAIL") return start;
      expect(start.params[1]).toBe("chathistory");
      const lines = await c.until((l) => l.command === "BATCH" && l.params[0] === `-${start.params[0]!.slice(1)}`);
      return lines.filter((l) => l.command === "PRIVMSG").map((l) => last(l));
    };
    expect(await history("CHATHISTORY LATEST #hist * 2")).toEqual(["m4", "m5"]);
    expect(await history(`CHATHISTORY LATEST #hist msgid=${ids[2]} 10`)).toEqual(["m4", "m5"]);
    expect(await history(`CHATHISTORY BEFORE #hist msgid=${ids[2]} 2`)).toEqual(["m1", "m2"]);
    expect(await history(`CHATHISTORY AFTER #hist msgid=${ids[2]} 1`)).toEqual(["m4"]);
    expect(await history(`CHATHISTORY AROUND #hist msgid=${ids[2]} 1`)).toEqual(["m3"]);
    expect(await history(`CHATHISTORY AROUND #hist msgid=${ids[2]} 3`)).toEqual(["m2", "m3", "m4"]);
    expect(await history(`CHATHISTORY BETWEEN #hist msgid=${ids[0]} msgid=${ids[4]} 10`)).toEqual(["m2", "m3", "m4"]);
    expect(await history(`CHATHISTORY BETWEEN #hist msgid=${ids[4]} msgid=${ids[0]} 2`)).toEqual(["m3", "m4"]);
    const bad = await history("CHATHISTORY SIDEWAYS #hist * 2");
    expect([(bad as Line).command, ...(bad as Line).params.slice(0, 2)]).toEqual(["FAIL", "CHATHISTORY", "INVALID_PARAMS"]);
    const outside = await history("CHATHISTORY LATEST #general * 2");
    expect((outside as Line).params.slice(0, 4)).toEqual(["CHATHISTORY", "INVALID_TARGET", "LATEST", "#general"]);
    // A timestamp stands for its millisecond.
    c.send("CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=2100-01-01T00:00:00.000Z 10");
    const start = await c.next("BATCH");
    expect(start.params[1]).toBe("draft/chathistory-targets");
    const targets = (await c.until((l) => l.command === "BATCH" && l.params[0]!.startsWith("-"))).filter((l) => l.command === "CHATHISTORY");
    expect(targets.map((l) => [l.source, ...l.params.slice(0, 2)])).toEqual([["chatd", "TARGETS", "#hist"]]);
  });

  it("replay on JOIN: a client without draft/chathistory gets the latest limits.historyOnJoin messages, with time under server-time; irc.replayOnJoin false sends none", async () => {
    const d = await daemon({}, { limits: { historyOnJoin: 2 } });
    const { client: web } = await world.member(d, "webby");
    await say(web, "general", ["a", "b", "c"]);
    const c = await sign(d, "replayed", { caps: ["server-time"] });
    const lines = await join(c, "#general");
    await c.quiet("PRIVMSG", 300);
    const replay = c.lines.filter((l) => l.command === "PRIVMSG");
    expect(replay.map((l) => last(l))).toEqual(["b", "c"]);
    expect(replay.every((l) => l.tags.has("time"))).toBe(true);
    expect(lines.length).toBeGreaterThan(0);

    const d2 = await daemon({ replayOnJoin: false });
    const { client: web2 } = await world.member(d2, "webby");
    await say(web2, "general", ["x"]);
    const c2 = await sign(d2, "fresh");
    await join(c2, "#general");
    expect(await c2.quiet("PRIVMSG", 300)).toBe(true);
  });

  it("REDACT: the author's is chatd delete; another's is REDACT_FORBIDDEN, an unknown id UNKNOWN_MSGID; a web deletion comes as REDACT from the server", async () => {
    const d = await daemon({ serverName: "srv" });
    const { client: web } = await world.member(d, "webby");
    const c = await sign(d, "redactor", { caps: ["draft/message-redaction", "echo-message", "message-tags"] });
    await join(c, "#general");
    c.send("PRIVMSG #general :oops");
    const mine = (await c.next("PRIVMSG")).tags.get("msgid")!;
    c.send(`REDACT #general ${mine} :typo`);
    expect(await web.next("deleted")).toMatchObject({ id: mine });
    const [theirs] = await say(web, "general", ["web words"]);
    c.send(`REDACT #general ${theirs}`);
    expect((await c.next("FAIL")).params.slice(0, 2)).toEqual(["REDACT", "REDACT_FORBIDDEN"]);
    c.send("REDACT #general 1700000000000-999999");
    expect((await c.next("FAIL")).params.slice(0, 2)).toEqual(["REDACT", "UNKNOWN_MSGID"]);
    web.send({ type: "delete", id: theirs, ref: "d" });
    const redact = await c.next((l) => l.command === "REDACT" && l.params[1] === theirs);
    expect([redact.source, ...redact.params]).toEqual(["srv", "#general", theirs]);
  });

  it("OPER with an irc.operators block: 381 and MODE +o, then 221 +io, WHO's *, WHOIS 313; 464 for a wrong password, 491 for no such operator", async () => {
    const d = await daemon({ operators: [{ name: "ops", passwordHash: bcrypt.hashSync("op-secret", 4), role: "moderator" }] });
    const c = await sign(d, "wannabe");
    c.send("OPER ops wrong");
    expect(last(await c.next("464"))).toBe("Password incorrect");
    c.send("OPER nosuch whatever");
    expect(last(await c.next("491"))).toBe("No O-lines for your host (no operator of that name in irc.operators, and not your own moderator or admin account)");
    // The failure back-off (from the second wrong password) may hold the next try back.
    let answer: Line;
    for (;;) {
      c.send("OPER OPS op-secret");
      answer = await c.next((l) => l.command === "381" || l.command === "FAIL" || l.command === "464");
      if (answer.command !== "FAIL") break;
      await new Promise((r) => setTimeout(r, 1100));
    }
    expect(answer.command).toBe("381");
    expect(last(answer)).toBe("You are now an IRC operator");
    const mode = await c.next("MODE");
    expect([mode.source, ...mode.params]).toEqual(["wannabe!wannabe@chatd", "wannabe", "+o"]);
    c.send("MODE wannabe");
    expect((await c.next("221")).params[1]).toBe("+io");
    c.send("WHO wannabe");
    expect((await c.next("352")).params[6]).toBe("H*");
    c.send("WHOIS wannabe");
    const whois = await c.until("318");
    expect(whois.filter((l) => l.command === "313").map((l) => l.params.slice(1))).toEqual([["wannabe", "is an IRC operator (chatd moderator)"]]);
  });

  it("a ban closes the banned user's IRC connections with a NOTICE and an ERROR", async () => {
    const d = await daemon();
    const c = await sign(d, "mallory");
    expect((await d.http("/admin/ban", { method: "POST", admin: true, body: JSON.stringify({ user: "mallory", reason: "spam" }) })).status).toBe(200);
    await c.next("NOTICE");
    await c.next("ERROR");
    await c.closed;
  });

  it("line limits: 512 bytes with CR LF fit, 513 are 417 Input line was too long; tags over 8191 bytes too; the connection lives; a line with NUL is dropped; invalid UTF-8 reads as U+FFFD", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby");
    const c = await sign(d, "liner");
    await join(c, "#general");
    const fits = "x".repeat(510 - "PRIVMSG #general :".length);
    c.send(`PRIVMSG #general :${fits}`);
    expect((await web.next("message")).text).toBe(fits);
    c.send(`PRIVMSG #general :${fits}y`);
    expect(last(await c.next("417"))).toBe("Input line was too long");
    c.send(`@label=${"l".repeat(8200)} PRIVMSG #general :tagged`);
    await c.next("417");
    c.send("PRIVMSG #general :with \0 nul");
    c.socket.write(Buffer.concat([Buffer.from("PRIVMSG #general :caf"), Buffer.from([0xff]), Buffer.from("\r\n")]));
    expect((await web.next("message")).text).toBe("caf\uFFFD");
    c.send("FROB");
    expect((await c.next("421")).params[1]).toBe("FROB");
    c.send("JOIN");
    expect((await c.next("461")).params[1]).toBe("JOIN");
  });

  it("input without a line end past 512 bytes is thrown away up to the next line end, with one 417", async () => {
    const d = await daemon();
    const c = await sign(d, "streamer");
    c.socket.write("y".repeat(5000));
    await new Promise((r) => setTimeout(r, 100));
    c.socket.write("z".repeat(5000));
    c.send(" tail");
    c.send("LUSERS");
    const lines = await c.until("251");
    expect(lines.filter((l) => l.command === "417")).toHaveLength(1);
    expect(lines.filter((l) => l.command === "421")).toEqual([]);
  });

  it("a rate-limited PRIVMSG is FAIL PRIVMSG RATE_LIMITED <target> with the retry in ms", async () => {
    const d = await daemon({}, { limits: { messagesPerSecond: 0.5, messageBurst: 1 } });
    const c = await sign(d, "hasty");
    await join(c, "#general");
    c.send("PRIVMSG #general :one");
    c.send("PRIVMSG #general :two");
    const fail = await c.next("FAIL");
    expect(fail.params.slice(0, 3)).toEqual(["PRIVMSG", "RATE_LIMITED", "#general"]);
    expect(last(fail)).toMatch(/\(retry after \d+ ms\)$/);
  });

  it("a stop sends every IRC client a NOTICE and an ERROR", async () => {
    const d = await daemon();
    const c = await sign(d, "stopper");
    const stopped = d.daemon.stop();
    const notice = await c.next("NOTICE");
    expect(notice.source).toBe("chatd");
    await c.next("ERROR");
    await c.closed;
    await stopped;
  });

  it("irc.tlsPort serves IRC over TLS with the daemon's certificate; irc.port 0 is printed in the irc listening log line", async () => {
    const dir = await world.tempDir();
    const { cert, key } = makeCertificate(dir);
    const logged: string[] = [];
    const logger = createLogger({ level: "info", write: (line) => logged.push(line) });
    const d = await world.daemon({ irc: { port: 0, tlsPort: 0 }, tls: { cert, key } }, { logger });
    const line = logged.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === "irc listening")!;
    expect(line.port).toBe(d.daemon.ircPort);
    const c = await ircSignIn(d.daemon.ircTlsPort!, "secure", { tls: true });
    world.onCleanup(() => c.close());
    expect(c.socket.constructor.name).toBe("TLSSocket");
    await join(c, "#general");
  });

  it("irc.tlsPort without tls.cert and tls.key: the daemon does not start (exit code 1)", async () => {
    const dir = await world.tempDir();
    const p = await world.spawn({ CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_DATA_DIR: dir, CHAT_IRC_TLS_PORT: "0" }, { waitListening: false });
    expect((await p.exited).code).toBe(1);
  });
});
