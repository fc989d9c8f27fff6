import { afterEach, describe, expect, it } from "vitest";
import { World, PASSWORD } from "../../helpers/harness.ts";
import { IrcClient, ircSignIn, plain } from "../../helpers/irc.ts";

describe("IRC registration", () => {
  const world = new World();
  afterEach(() => world.cleanup());
  const ircDaemon = (extra: Record<string, unknown> = {}) =>
    world.daemon({ irc: { port: 0 }, motd: "Be kind.\nMessages are logged.", ...extra });

  it("offers its capabilities with CAP LS 302 (sasl=PLAIN) and refuses an unknown one with NAK", async () => {
    const d = await ircDaemon();
    const c = await IrcClient.connect(d.daemon.ircPort!);
    world.onCleanup(() => c.close());
    c.send("CAP LS 302");
    const ls = await c.next("CAP");
    expect(ls.params.slice(0, 2)).toEqual(["*", "LS"]);
    const caps = ls.params[2]!.split(" ");
    for (const cap of ["sasl=PLAIN", "message-tags", "server-time", "echo-message", "batch", "labeled-response", "account-tag", "away-notify", "draft/chathistory"]) {
      expect(caps).toContain(cap);
    }
    c.send("CAP REQ :server-time no-such-cap");
    expect((await c.next("CAP")).params).toEqual(["*", "NAK", "server-time no-such-cap"]);
    c.send("CAP REQ :server-time echo-message");
    expect((await c.next("CAP")).params).toEqual(["*", "ACK", "server-time echo-message"]);
    c.send("CAP LIST");
    expect((await c.next("CAP")).params[2]!.split(" ").sort()).toEqual(["cap-notify", "echo-message", "server-time"]);
  });

  it("signs in with SASL PLAIN (the first sign-in creates the account), then sends 001-005 and the MOTD", async () => {
    const d = await ircDaemon();
    const c = await IrcClient.connect(d.daemon.ircPort!);
    world.onCleanup(() => c.close());
    c.send("CAP LS 302");
    c.send("NICK Alice");
    c.send("USER alice 0 * :Alice A");
    c.send("CAP REQ :sasl");
    await c.next((l) => l.command === "CAP" && l.params[1] === "ACK");
    c.send("AUTHENTICATE PLAIN");
    expect((await c.next("AUTHENTICATE")).params).toEqual(["+"]);
    c.send(`AUTHENTICATE ${plain("Alice", PASSWORD)}`);
    const loggedIn = await c.next("900");
    expect(loggedIn.params[2]).toBe("Alice");
    await c.next("903");
    // Nothing before CAP END.
    expect(await c.quiet("001", 200)).toBe(true);
    c.send("CAP END");
    const burst = await c.until("376");
    const cmds = burst.map((l) => l.command);
    expect(cmds.slice(0, 4)).toEqual(["001", "002", "003", "004"]);
    expect(burst[0]!.params[0]).toBe("Alice");
    const isupport = burst.filter((l) => l.command === "005").flatMap((l) => l.params.slice(1, -1));
    for (const token of ["CHANTYPES=#", "NICKLEN=32", "CHANNELLEN=33", "CASEMAPPING=rfc8265", "CHATHISTORY=1000", "UTF8ONLY"]) expect(isupport).toContain(token);
    expect(isupport.some((t) => t.startsWith("TOPICLEN="))).toBe(true);
    expect(burst.filter((l) => l.command === "372").map((l) => l.params[1])).toEqual(["- Be kind.", "- Messages are logged."]);

    // The same account signs in on the web with the same password.
    const web = await world.signIn(d, "alice");
    expect(web.welcome.user).toBe("Alice");
  });

  it("signs in with PASS when the client has no SASL, and answers 422 without a MOTD", async () => {
    const d = await ircDaemon({ motd: "" });
    const c = await IrcClient.connect(d.daemon.ircPort!);
    world.onCleanup(() => c.close());
    c.send(`PASS ${PASSWORD}`);
    c.send("NICK bob");
    c.send("USER bob 0 * :Bob");
    await c.next("001");
    await c.next("422");
  });

  it("answers a wrong SASL password with 904 and lets the client try again", async () => {
    const d = await ircDaemon();
    await ircSignIn(d.daemon.ircPort!, "carol").then((c) => c.close());
    const c = await IrcClient.connect(d.daemon.ircPort!);
    world.onCleanup(() => c.close());
    c.send("CAP LS 302");
    c.send("NICK carol");
    c.send("USER carol 0 * :Carol");
    c.send("CAP REQ :sasl");
    await c.next("CAP");
    await c.next("CAP");
    c.send("AUTHENTICATE PLAIN");
    await c.next("AUTHENTICATE");
    c.send(`AUTHENTICATE ${plain("carol", "wrong-password")}`);
    expect((await c.next("904")).params[1]).toMatch(/SASL authentication failed/);
    c.send("AUTHENTICATE PLAIN");
    await c.next("AUTHENTICATE");
    c.send(`AUTHENTICATE ${plain("carol", PASSWORD)}`);
    await c.next("903");
    c.send("CAP END");
    await c.next("001");
  });

  it("refuses a wrong PASS with 464 and closes, and a client with no password at all", async () => {
    const d = await ircDaemon();
    await ircSignIn(d.daemon.ircPort!, "dave").then((c) => c.close());
    const wrong = await IrcClient.connect(d.daemon.ircPort!);
    wrong.send("PASS not-the-password");
    wrong.send("NICK dave");
    wrong.send("USER dave 0 * :Dave");
    await wrong.next("464");
    await wrong.next("ERROR");
    await wrong.closed;

    const none = await IrcClient.connect(d.daemon.ircPort!);
    none.send("NICK erin");
    none.send("USER erin 0 * :Erin");
    expect((await none.next("464")).params[1]).toMatch(/SASL PLAIN or PASS/);
    await none.closed;
  });

  it("refuses a banned account's sign-in, as on the web", async () => {
    const d = await ircDaemon();
    await ircSignIn(d.daemon.ircPort!, "mallory").then((c) => c.close());
    const res = await d.http("/admin/ban", { method: "POST", admin: true, body: JSON.stringify({ user: "mallory", reason: "spam" }) });
    expect(res.status).toBe(200);
    const c = await IrcClient.connect(d.daemon.ircPort!);
    world.onCleanup(() => c.close());
    c.send("CAP LS 302");
    c.send("NICK mallory");
    c.send("USER mallory 0 * :M");
    c.send("CAP REQ :sasl");
    await c.next("CAP");
    await c.next("CAP");
    c.send("AUTHENTICATE PLAIN");
    await c.next("AUTHENTICATE");
    c.send(`AUTHENTICATE ${plain("mallory", PASSWORD)}`);
    expect((await c.next("904")).params[1]).toMatch(/banned: spam/);
  });

  it("answers commands before registration with 451, and PING at any time", async () => {
    const d = await ircDaemon();
    const c = await IrcClient.connect(d.daemon.ircPort!);
    world.onCleanup(() => c.close());
    c.send("JOIN #general");
    expect((await c.next("451")).params[1]).toBe("JOIN");
    c.send("PING :abc");
    expect((await c.next("PONG")).params[1]).toBe("abc");
    c.send("NICK bad.name");
    await c.next("432");
  });

  it("closes a connection that does not sign in within limits.authTimeoutMs with an ERROR", async () => {
    const d = await ircDaemon({ limits: { authTimeoutMs: 1500 } });
    const c = await IrcClient.connect(d.daemon.ircPort!);
    c.send("NICK slow");
    await c.next("ERROR", 5000);
    await c.closed;
    // Signed in by SASL but never ending CAP negotiation: closed too.
    const stuck = await IrcClient.connect(d.daemon.ircPort!);
    stuck.send("CAP LS 302");
    stuck.send("NICK stuck");
    stuck.send("USER stuck 0 * :S");
    stuck.send("CAP REQ :sasl");
    stuck.send("AUTHENTICATE PLAIN");
    await stuck.next("AUTHENTICATE");
    stuck.send(`AUTHENTICATE ${plain("stuck", PASSWORD)}`);
    await stuck.next("903");
    expect((await stuck.next("ERROR", 5000)).params[0]).toMatch(/registration timed out/);
    await stuck.closed;
  });

  it("with irc.guests, a client without a password signs in as a guest; a registered name gets 433", async () => {
    const d = await ircDaemon({ irc: { port: 0, guests: true } });
    await world.signIn(d, "owner");
    const c = await IrcClient.connect(d.daemon.ircPort!);
    world.onCleanup(() => c.close());
    c.send("NICK owner");
    c.send("USER g 0 * :Guest");
    expect((await c.next("433")).params[1]).toBe("owner");
    c.send("NICK visitor");
    expect((await c.next("001")).params[0]).toBe("visitor");
    // A web user can message the guest: it is an account like any other.
    const { client: web } = await world.signIn(d, "webby");
    web.send({ type: "dm", to: "visitor", text: "welcome", ref: 1 });
    expect((await c.next("PRIVMSG")).params).toEqual(["visitor", "welcome"]);
    c.close();
    // The same nick is the same guest again.
    const again = await IrcClient.connect(d.daemon.ircPort!);
    world.onCleanup(() => again.close());
    again.send("NICK visitor");
    again.send("USER g 0 * :Guest");
    await again.next("001");
  });

  it("with irc.guests, two clients asking for one guest nick at once: one gets 001, the other 433", async () => {
    const d = await ircDaemon({ irc: { port: 0, guests: true } });
    const a = await IrcClient.connect(d.daemon.ircPort!);
    const b = await IrcClient.connect(d.daemon.ircPort!);
    world.onCleanup(() => a.close());
    world.onCleanup(() => b.close());
    a.send("NICK twin");
    b.send("NICK twin");
    a.send("USER u * * :Real");
    b.send("USER u * * :Real");
    const first = (l: { command: string }) => l.command === "001" || l.command === "433";
    const got = [(await a.next(first)).command, (await b.next(first)).command].sort();
    expect(got).toEqual(["001", "433"]);
  });

  it("runs commands pipelined behind NICK and USER once the sign-in is checked, in order", async () => {
    const d = await ircDaemon();
    const { client: web } = await world.member(d, "webby");
    const c = await IrcClient.connect(d.daemon.ircPort!);
    world.onCleanup(() => c.close());
    c.socket.write(`PASS ${PASSWORD}\r\nNICK piper\r\nUSER piper 0 * :P\r\nJOIN #general\r\nPRIVMSG #general :right away\r\n`);
    const lines = await c.until("366");
    expect(lines.map((l) => l.command)).toContain("001");
    expect(lines.findIndex((l) => l.command === "376")).toBeLessThan(lines.findIndex((l) => l.command === "JOIN"));
    let got = await web.next("message");
    while (got.from !== "piper") got = await web.next("message");
    expect(got.text).toBe("right away");
  });

  it("keeps no resume token for an IRC sign-in (IRC clients sign in with the password every time)", async () => {
    const d = await ircDaemon();
    const { client: web } = await world.signIn(d, "tokens");
    const tokensOf = async () => (await d.daemon.chat!.accounts.findUser("tokens"))!.tokens.length;
    expect(await tokensOf()).toBe(1);
    const irc = await ircSignIn(d.daemon.ircPort!, "tokens", { password: PASSWORD });
    world.onCleanup(() => irc.close());
    expect(await tokensOf()).toBe(1);
    irc.send("QUIT");
    await irc.closed;
    web.ws.close();
    expect(await tokensOf()).toBe(1);
  });
});
