import { beforeAll, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { ircSignIn, type IrcClient, type Line } from "../../helpers/irc.ts";
import type { TestDaemon } from "../../helpers/daemon.ts";
import { ircClusterOfTwo } from "../../helpers/irc-world.ts";

/**
 * The IRC gateway on two daemons sharing one Redis (issue 21: every feature
 * works in a cluster too): what an IRC user does on node A reaches IRC users
 * on node B as it would on one node.
 */
describe("IRC in a cluster of two daemons on one Redis", () => {
  const world = new World();
  const { nodes, clients } = ircClusterOfTwo(world, ["irc-a", "irc-b"]);
  let a: TestDaemon;
  let b: TestDaemon;
  beforeAll(() => {
    ({ a, b } = nodes);
  });

  async function irc(d: TestDaemon, user: string, caps: string[] = []): Promise<IrcClient> {
    const c = await ircSignIn(d.daemon.ircPort!, user, { caps });
    clients.push(c);
    return c;
  }
  async function joined(c: IrcClient, channel: string): Promise<Line[]> {
    c.send(`JOIN ${channel}`);
    return c.until("366");
  }
  const from = (nick: string, command: string) => (l: Line) => l.command === command && l.source?.startsWith(`${nick}!`) === true;

  it("JOIN, NAMES, PRIVMSG, PART and a closed connection reach the members on the other node", async () => {
    const ann = await irc(a, "clann", ["echo-message"]);
    const ben = await irc(b, "clben");
    await joined(ann, "#both");
    const burst = await joined(ben, "#both");
    // The JOIN burst on B names the member on A (the room's creator, so its operator: `@`).
    expect(burst.find((l) => l.command === "353")!.params[3]!.split(" ").sort()).toEqual(["@clann", "clben"]);
    expect((await ann.next(from("clben", "JOIN"))).params).toEqual(["#both"]);
    ann.send("NAMES #both");
    expect((await ann.next("353")).params[3]!.split(" ").sort()).toEqual(["@clann", "clben"]);

    ann.send("PRIVMSG #both :across");
    await ann.next("PRIVMSG");
    expect((await ben.next(from("clann", "PRIVMSG"))).params).toEqual(["#both", "across"]);
    ben.send("PRIVMSG #both :and back");
    expect((await ann.next(from("clben", "PRIVMSG"))).params).toEqual(["#both", "and back"]);

    ben.send("PART #both :see you");
    expect((await ann.next(from("clben", "PART"))).params).toEqual(["#both", "see you"]);
    await joined(ben, "#both");
    await ann.next(from("clben", "JOIN"));
    // B's connection goes: A's member sees the user leave (a PART, or a QUIT).
    ben.send("QUIT :bye");
    await ben.closed;
    const gone = await ann.next((l) => (l.command === "PART" || l.command === "QUIT") && l.source?.startsWith("clben!") === true);
    expect(gone.source).toBe("clben!clben@chatd");
  });

  it("DMs both ways between nodes, and WHOIS, WHO, ISON and USERHOST of a user on the other node", async () => {
    const cat = await irc(a, "clcat");
    const dan = await irc(b, "cldan", ["echo-message"]);
    await joined(cat, "#whois");
    dan.send("PRIVMSG clcat :psst");
    await dan.next("PRIVMSG");
    expect((await cat.next(from("cldan", "PRIVMSG"))).params).toEqual(["clcat", "psst"]);
    cat.send("PRIVMSG cldan :hi");
    expect((await dan.next(from("clcat", "PRIVMSG"))).params).toEqual(["cldan", "hi"]);

    dan.send("WHOIS clcat");
    const whois = await dan.until("318");
    expect(whois.find((l) => l.command === "311")!.params.slice(1, 3)).toEqual(["clcat", "clcat"]);
    expect(whois.find((l) => l.command === "319")!.params.slice(1)).toEqual(["clcat", "#whois"]);
    expect(whois.some((l) => l.command === "401" || (l.command === "301" && l.params[2] === "offline"))).toBe(false);
    dan.send("WHO #whois");
    const who = await dan.until("315");
    expect(who.filter((l) => l.command === "352").map((l) => [l.params[5], l.params[6]])).toEqual([["clcat", "H@"]]); // the room's creator: its operator
    dan.send("ISON clcat nobody");
    expect((await dan.next("303")).params[1]).toBe("clcat");
    dan.send("USERHOST clcat");
    expect((await dan.next("302")).params[1]).toBe("clcat=+clcat@chatd");
  });

  it("AWAY on one node reaches away-notify members on the other, and WHO and WHOIS there show it", async () => {
    const eve = await irc(a, "cleve");
    const fay = await irc(b, "clfay", ["away-notify"]);
    const gil = await irc(b, "clgil");
    for (const c of [eve, fay, gil]) await joined(c, "#away");
    eve.send("AWAY :out for lunch");
    await eve.next("306");
    expect((await fay.next(from("cleve", "AWAY"))).params).toEqual(["out for lunch"]);
    fay.send("WHO #away");
    const who = await fay.until("315");
    expect(who.filter((l) => l.command === "352").map((l) => [l.params[5], l.params[6]])).toEqual([
      ["cleve", "G@"], // away; the room's creator, so its operator
      ["clfay", "H"],
      ["clgil", "H"],
    ]);
    fay.send("WHOIS cleve");
    const whois = await fay.until("318");
    expect(whois.filter((l) => l.command === "301").map((l) => l.params[2])).toEqual(["out for lunch"]);
    // The one without away-notify is not told.
    gil.send("PING :g");
    expect((await gil.until((l) => l.command === "PONG")).some((l) => l.command === "AWAY")).toBe(false);

    eve.send("AWAY");
    await eve.next("305");
    expect((await fay.next(from("cleve", "AWAY"))).params).toEqual([]);
    fay.send("WHOIS cleve");
    expect((await fay.until("318")).some((l) => l.command === "301")).toBe(false);

    // Two AWAYs in a row, within 2 s of the last one told: the other node hears the state they end in, once.
    eve.socket.write("AWAY :quick\r\nAWAY :back soon\r\n");
    expect((await fay.next(from("cleve", "AWAY"))).params).toEqual(["back soon"]);

    // One who is away and joins: the channel's away-notify members hear it after the JOIN.
    await joined(fay, "#later");
    const hal = await irc(a, "clhal");
    hal.send("AWAY :brb");
    await hal.next("306");
    await joined(hal, "#later");
    await fay.next(from("clhal", "JOIN"));
    expect((await fay.next((l) => l.source?.startsWith("clhal!") === true)).raw).toMatch(/ AWAY :brb$/);
    hal.send("PING :h");
    expect((await hal.until("PONG")).some((l) => l.command === "AWAY")).toBe(false);
  });

  it("TOPIC set on one node reaches the other; a topic read there is the same", async () => {
    const ivy = await irc(a, "clivy");
    const jon = await irc(b, "cljon");
    await joined(ivy, "#topics");
    await joined(jon, "#topics");
    ivy.send("TOPIC #topics :shared topic");
    expect((await ivy.next("TOPIC")).params).toEqual(["#topics", "shared topic"]);
    expect((await jon.next(from("clivy", "TOPIC"))).params).toEqual(["#topics", "shared topic"]);
    jon.send("TOPIC #topics");
    expect((await jon.next("332")).params.slice(1)).toEqual(["#topics", "shared topic"]);
    expect((await jon.next("333")).params[2]).toBe("clivy");
  });

  it("MODE +q by a moderator on one node mutes a user on the other; KICK closes the user's connection on the other; the channel sees the user go", async () => {
    await irc(a, "clmod").then((c) => c.close());
    const res = await a.http("/admin/role", { method: "PUT", admin: true, body: JSON.stringify({ user: "clmod", role: "moderator" }) });
    expect(res.status).toBe(200);
    const mod = await irc(a, "clmod");
    const kim = await irc(b, "clkim");
    await joined(mod, "#kicks");
    await joined(kim, "#kicks");
    await mod.next(from("clkim", "JOIN"));
    mod.send("MODE #kicks +q clkim 5");
    expect((await mod.next("NOTICE")).params[1]).toMatch(/muted clkim/);
    expect((await kim.next("NOTICE")).params[1]).toMatch(/muted in kicks/);
    kim.send("PRIVMSG #kicks :may I?");
    expect((await kim.next("404")).params[1]).toBe("#kicks");
    mod.send("KICK #kicks clkim :behave");
    expect((await mod.next("NOTICE")).params[1]).toMatch(/kicked clkim/);
    await kim.next("ERROR");
    await kim.closed;
    await mod.next((l) => (l.command === "PART" || l.command === "QUIT" || l.command === "KICK") && l.raw.includes("clkim"));
  });
});
