import { describe, expect, it } from "vitest";
import { ircClusterOfTwo, useIrcWorld } from "../../helpers/irc-world.ts";
import { IrcClient, ircSignIn } from "../../helpers/irc.ts";
import { World } from "../../helpers/harness.ts";

/**
 * docs/irc.md, read from outside: claims a black-box review found the daemon
 * did not keep (each test failed before its fix).
 */
describe("docs/irc.md, as a client sees it", () => {
  const { daemon, sign, raw, join } = useIrcWorld();

  /** A guest (irc.guests): NICK and USER alone, through the welcome burst. */
  async function guest(d: Awaited<ReturnType<typeof daemon>>, nick: string): Promise<IrcClient> {
    const c = await raw(d);
    c.send(`NICK ${nick}`);
    c.send(`USER ${nick} 0 * :Guest`);
    await c.next("221");
    return c;
  }

  it("Order: the answers to the commands sent before a QUIT come before its ERROR", async () => {
    const d = await daemon();
    const c = await sign(d, "quitter", { caps: ["echo-message"] });
    await join(c, "#here");
    c.send(`TOPIC #here :${"t".repeat(301)}`);
    c.send("PRIVMSG #elsewhere :x");
    c.send("PRIVMSG nosuchuser :x");
    c.send("PRIVMSG #here :last words");
    c.send("QUIT :bye");
    c.send("PRIVMSG #here :after the quit");
    const lines = await c.until("ERROR");
    expect(lines.map((l) => `${l.command} ${l.params.slice(0, 2).join(" ")}`)).toEqual([
      "FAIL TOPIC TOO_LARGE",
      "404 quitter #elsewhere",
      "401 quitter nosuchuser",
      "PRIVMSG #here last words",
      "ERROR Closing link: 127.0.0.1 (Quit: bye)",
    ]);
    await c.closed;
    expect(c.lines.some((l) => l.params.includes("after the quit"))).toBe(false);
  });

  it("Changing nick: a member sharing two rooms with a guest who renames twice at once sees each NICK once", async () => {
    const d = await daemon({ guests: true });
    const g = await guest(d, "kim");
    const watcher = await sign(d, "watcher");
    for (const channel of ["#one", "#two"]) await join(g, channel);
    for (const channel of ["#one", "#two"]) await join(watcher, channel);
    // Both renames before the presence batch (50 ms) goes out.
    g.send("NICK kim2");
    g.send("NICK kim3");
    await g.next((l) => l.command === "NICK" && l.params[0] === "kim3");
    g.send("QUIT :bye");
    await watcher.next("QUIT");
    watcher.send("PING sync");
    await watcher.next("PONG");
    expect(watcher.lines.filter((l) => l.command === "NICK" || l.command === "QUIT").map((l) => `${l.source} ${l.command} ${l.params.join(" ")}`)).toEqual([
      "kim!kim@chatd NICK kim2",
      "kim2!kim2@chatd NICK kim3",
      "kim3!kim3@chatd QUIT Quit: bye",
    ]);
  });

  it("Order, labeled-response: the REDACT line and the reaction TAGMSG a client's own REDACT and TAGMSG cause are their answers, labeled and in command order", async () => {
    const d = await daemon();
    const caps = ["message-tags", "draft/message-redaction", "echo-message", "labeled-response", "batch"];
    const c = await sign(d, "redactor", { caps });
    const other = await sign(d, "witness", { caps: ["message-tags", "draft/message-redaction"] });
    await join(c, "#here");
    await join(other, "#here");
    c.send("PRIVMSG #here :to delete");
    c.send("PRIVMSG #here :to react to");
    const gone = (await c.next("PRIVMSG")).tags.get("msgid")!;
    const kept = (await c.next("PRIVMSG")).tags.get("msgid")!;
    c.send(`@label=r1;+draft/react=👍;+draft/reply=${kept} TAGMSG #here`);
    c.send(`@label=r2 REDACT #here ${gone}`);
    c.send(`@label=r3 REDACT #here ${gone}`);
    c.send(`@label=r4;+draft/react=👍;+draft/reply=${kept} TAGMSG #here`);
    c.send("@label=r5 PING end");
    const answers = await c.until("PONG");
    expect(answers.map((l) => `${l.tags.get("label")} ${l.command} ${l.params.slice(0, 2).join(" ")}`)).toEqual([
      "r1 TAGMSG #here",
      `r2 REDACT #here ${gone}`,
      "r3 FAIL REDACT UNKNOWN_MSGID",
      "r4 TAGMSG #here",
      "r5 PONG chatd end",
    ]);
    expect([answers[0]!.tags.get("+draft/react"), answers[3]!.tags.get("+draft/unreact")]).toEqual(["👍", "👍"]);
    // The others get the same lines, unlabeled.
    const seen = await other.until((l) => l.command === "TAGMSG" && l.tags.has("+draft/unreact"));
    expect(seen.filter((l) => l.command !== "PRIVMSG").map((l) => `${l.tags.get("label")} ${l.command}`)).toEqual(["undefined TAGMSG", "undefined REDACT", "undefined TAGMSG"]);
  });

  it("JOIN, PART and JOIN 0 pipelined act in the order sent (a PART right behind its JOIN parts, JOIN 0 leaves the rooms joined just before); a PART's reason is cut to 300 for the one parting too", async () => {
    const d = await daemon();
    const c = await sign(d, "piper");
    const watcher = await sign(d, "watcher");
    await join(watcher, "#s");
    c.send("JOIN #s");
    c.send(`PART #s :${"r".repeat(310)}`);
    c.send("JOIN #s");
    c.send("JOIN #s");
    c.send("JOIN #t,#u");
    c.send("PART #u");
    c.send("JOIN 0");
    c.send("JOIN 0");
    c.send("JOIN #t");
    c.send("PING end");
    const lines = (await c.until("PONG")).filter((l) => l.command !== "353" && l.command !== "366");
    expect(lines.map((l) => `${l.command} ${l.params[0]}`)).toEqual([
      "JOIN #s",
      "PART #s",
      "JOIN #s",
      "JOIN #t",
      "JOIN #u",
      "PART #u",
      "PART #s",
      "PART #t",
      "JOIN #t",
      "PONG chatd",
    ]);
    expect(lines[1]!.params[1]).toBe("r".repeat(300));
    expect((await watcher.next((l) => l.command === "PART")).params).toEqual(["#s", "r".repeat(300)]);
    c.send("WHOIS piper");
    expect((await c.next("319")).params.at(-1)).toBe("#t");
  });

  it("WHOIS of a user who is offline: 311, 312, 301 offline, 330, 318, in the order the mapping lists them", async () => {
    const d = await daemon();
    const gone = await sign(d, "sleeper");
    gone.send("QUIT");
    await gone.closed;
    const c = await sign(d, "asker");
    c.send("WHOIS sleeper");
    const lines = await c.until("318");
    expect(lines.map((l) => [l.command, ...l.params.slice(1)].join(" "))).toEqual([
      "311 sleeper sleeper chatd * sleeper",
      "312 sleeper chatd chatd",
      "301 sleeper offline",
      "330 sleeper sleeper is logged in as",
      "318 sleeper End of /WHOIS list",
    ]);
  });

  it("004 names the modes chatd knows: user modes io, channel modes bnoqstv (CHANMODES and PREFIX of 005)", async () => {
    const d = await daemon();
    const c = await raw(d);
    c.send("PASS correct-horse");
    c.send("NICK modal");
    c.send("USER modal 0 * :Modal");
    expect((await c.next("004")).params.slice(3)).toEqual(["io", "bnoqstv"]);
  });

  it("multi-prefix: an operator who is also voiced is @+ in 353 and WHO's flags for a client with the capability, @ for the others", async () => {
    const d = await daemon();
    const op = await sign(d, "opvoice", { caps: ["multi-prefix"] });
    const plain = await sign(d, "plainone");
    await join(op, "#mp");
    await join(plain, "#mp");
    op.send("MODE #mp +v opvoice");
    await plain.next("MODE");
    for (const [c, prefix] of [[op, "@+"], [plain, "@"]] as const) {
      c.send("NAMES #mp");
      expect((await c.next("353")).params[3]!.split(" ").sort()).toEqual([`${prefix}opvoice`, "plainone"]);
      c.send("WHO #mp");
      const rows = (await c.until("315")).filter((l) => l.command === "352");
      expect(rows.map((l) => `${l.params[5]} ${l.params[6]}`).sort()).toEqual([`opvoice H${prefix}`, "plainone H"]);
    }
  });

  it("USERHOST: nick=+nick@host, with * after an IRC operator's nick and - when away (as WHO's flags)", async () => {
    const { hashSync } = await import("bcryptjs");
    const d = await daemon({ operators: [{ name: "ops", passwordHash: hashSync("operpw", 4), role: "moderator" }] });
    const c = await sign(d, "someone");
    await sign(d, "present");
    c.send("AWAY :brb");
    await c.next("306");
    c.send("OPER ops operpw");
    await c.next("381");
    c.send("USERHOST someone present nobody");
    expect((await c.next("302")).params[1]).toBe("someone*=-someone@chatd present=+present@chatd");
  });
});

describe("docs/irc.md: guests when registration is closed", () => {
  const { daemon, raw } = useIrcWorld();

  it("a nick that is no account gets 464 Password required and ERROR (not 433 Nickname is registered)", async () => {
    const d = await daemon({ guests: true }, { registration: "closed" });
    const c = await raw(d);
    c.send("NICK newbie");
    c.send("USER newbie 0 * :N");
    expect((await c.next((l) => l.command === "464" || l.command === "433" || l.command === "001")).params).toEqual([
      "newbie",
      "Password required: sign in with SASL PLAIN or PASS (your chatd account and password)",
    ]);
    await c.next("ERROR");
    await c.closed;
  });
});

describe("docs/irc.md in a cluster, as a client sees it", () => {
  const { nodes, clients } = ircClusterOfTwo(new World(), ["contract-a", "contract-b"], { guests: true });

  it("Changing nick: a member on another node sharing two rooms with a guest who renames twice at once sees each NICK once", async () => {
    const g = await IrcClient.connect(nodes.a.daemon.ircPort!);
    clients.push(g);
    g.send("NICK nico");
    g.send("USER nico 0 * :Guest");
    await g.next("221");
    const watcher = await ircSignIn(nodes.b.daemon.ircPort!, "farwatcher");
    clients.push(watcher);
    for (const c of [g, watcher]) {
      for (const channel of ["#one", "#two"]) {
        c.send(`JOIN ${channel}`);
        await c.next((l) => l.command === "366" && l.params[1] === channel);
      }
    }
    g.send("NICK nico2");
    g.send("NICK nico3");
    await g.next((l) => l.command === "NICK" && l.params[0] === "nico3");
    g.send("QUIT :bye");
    await watcher.next("QUIT");
    expect(watcher.lines.filter((l) => l.command === "NICK" || l.command === "QUIT").map((l) => `${l.source} ${l.command} ${l.params.join(" ")}`)).toEqual([
      "nico!nico@chatd NICK nico2",
      "nico2!nico2@chatd NICK nico3",
      "nico3!nico3@chatd QUIT Quit: bye",
    ]);
  });
});

