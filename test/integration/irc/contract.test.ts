import { describe, expect, it } from "vitest";
import { authenticatePlain, saslRequested, saslUpTo903, useIrcWorld } from "../../helpers/irc-world.ts";

/**
 * The IRC gateway's contract as docs/irc.md, the README and docs/configuration.md state it,
 * claim by claim, checked from outside (a real daemon, real TCP clients): here signing in,
 * capabilities, ISUPPORT, connection limits and bad input; the mapping, queries and IRCv3
 * are in the other contract-*.test.ts files. Room operators, MODE, NAMES prefixes, client tags,
 * NICK after sign-in, QUIT, the server password, PING ordering and away-notify are left to
 * their own files.
 */
describe("the IRC gateway as documented: signing in, limits and TLS", () => {
  const { world, daemon, sign, raw, join, last } = useIrcWorld();

  it("registration: SASL is 900 and 903, then 001 to 005, the MOTD and 221 +i, all from irc.serverName; 001 names the account as stored", async () => {
    const d = await daemon({ serverName: "irc.example-1" }, { motd: "first line\nsecond line" });
    await world.signIn(d, "Alice");
    const c = await raw(d);
    await saslRequested(c, "ALICE", "u 0 * :Real Name");
    await authenticatePlain(c, "alice");
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
    await saslUpTo903(c, "isu");
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
    c.send("NICK");
    await c.next("431");
    c.send("USER a 0 *");
    expect((await c.next("461")).params[1]).toBe("USER");
    c.send("USER a 0 * :");
    expect((await c.next("461")).params[1]).toBe("USER");
    c.send("JOIN #general");
    await c.next("451");
    // Before CAP END, even with a sign-in done, other commands get 451.
    await saslRequested(c, "early", "early 0 * :Early Bird");
    await authenticatePlain(c, "early");
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
    await saslRequested(c, "sasly", "sasly 0 * :S");
    await authenticatePlain(c, "sasly", "wrong-password");
    await c.next("904");
    await authenticatePlain(c, "sasly");
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

  it("connections over limits.maxConnectionsPerIp (WebSocket ones too) get an ERROR saying too many connections from this address", async () => {
    const d = await daemon({}, { limits: { maxConnectionsPerIp: 1 } });
    await world.connect(d);
    const c = await raw(d);
    expect(last(await c.next("ERROR"))).toBe("Closing link: too many connections from this address");
    await c.closed;
  });

  it("a ban closes the banned user's IRC connections with a NOTICE and an ERROR", async () => {
    const d = await daemon();
    const c = await sign(d, "mallory");
    expect((await d.http("/admin/ban", { method: "POST", admin: true, body: JSON.stringify({ user: "mallory", reason: "spam" }) })).status).toBe(200);
    await c.next("NOTICE");
    await c.next("ERROR");
    await c.closed;
  });

  it("line limits: 512 bytes with CR LF are read, 513 are 417 Input line was too long, a PRIVMSG too long to relay is refused; tags over 4096 bytes are 417; the connection lives; a line with NUL is dropped; invalid UTF-8 reads as U+FFFD", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby");
    const c = await sign(d, "liner");
    await join(c, "#general");
    // 512 bytes with CR LF are read; a PRIVMSG is then refused whole when its relayed line (with the source) would be over 512.
    const full = "x".repeat(510 - "PRIVMSG #general :".length);
    c.send(`PRIVMSG #general :${full}`);
    expect(last(await c.next("417"))).toBe("Line too long to be relayed without truncation");
    c.send(`PRIVMSG #general :${full}y`);
    expect(last(await c.next("417"))).toBe("Input line was too long");
    const fits = "x".repeat(510 - ":liner!liner@chatd PRIVMSG #general :".length);
    c.send(`PRIVMSG #general :${fits}`);
    expect((await web.next("message")).text).toBe(fits);
    c.send(`@label=${"l".repeat(4100)} PRIVMSG #general :tagged`);
    await c.next("417");
    c.send("PRIVMSG #general :with \0 nul");
    c.socket.write(Buffer.concat([Buffer.from("PRIVMSG #general :caf"), Buffer.from([0xff]), Buffer.from("\r\n")]));
    expect((await web.next("message")).text).toBe("caf\uFFFD");
    c.send("FROB");
    expect((await c.next("421")).params[1]).toBe("FROB");
    c.send("JOIN");
    expect((await c.next("461")).params[1]).toBe("JOIN");
    // Where RFC 2812 has a numeric of its own for a missing parameter, that one.
    c.send("PRIVMSG");
    await c.next("411");
    c.send("PRIVMSG #general");
    await c.next("412");
    c.send("WHOIS");
    await c.next("431");
    c.send("NOTICE");
    c.send("NOTICE #general");
    c.send("LUSERS");
    expect((await c.until("251")).filter((l) => /^\d{3}$/.test(l.command) && l.command.startsWith("4"))).toEqual([]);
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

  it("a restart (POST /admin/restart) sends every IRC client a NOTICE and an ERROR, and the gateway serves again", async () => {
    const d = await daemon();
    const c = await sign(d, "restarter");
    expect((await d.http("/admin/restart", { method: "POST", admin: true })).status).toBe(202);
    expect((await c.next("NOTICE")).source).toBe("chatd");
    await c.next("ERROR");
    await c.closed;
    await d.daemon.settled();
    await sign(d, "restarter");
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
});
