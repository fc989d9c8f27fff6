import bcrypt from "bcryptjs";
import { beforeAll, describe, expect, it } from "vitest";
import { eventually, World } from "../../helpers/harness.ts";
import { ircSignIn, type IrcClient, type Line } from "../../helpers/irc.ts";
import type { TestDaemon } from "../../helpers/daemon.ts";
import { ircClusterOfTwo } from "../../helpers/irc-world.ts";

const OPERATOR = { name: "ops", passwordHash: bcrypt.hashSync("ops-password", 4), role: "moderator" as const };

/**
 * IRC operator status is a cluster-wide fact (docs/irc.md, "Operators"):
 * a connection that OPERed on node A shows as one in WHO (`*`), WHOIS (313)
 * and LUSERS (252) on node B, and stops when it closes.
 */
describe("IRC operators seen from every node of a cluster", () => {
  const world = new World();
  const { nodes, clients, node } = ircClusterOfTwo(world, ["oper-a", "oper-b"], { operators: [OPERATOR] });
  let a: TestDaemon;
  let b: TestDaemon;
  beforeAll(() => {
    ({ a, b } = nodes);
  });

  async function irc(d: TestDaemon, user: string): Promise<IrcClient> {
    const c = await ircSignIn(d.daemon.ircPort!, user);
    clients.push(c);
    return c;
  }
  async function joined(c: IrcClient, channel: string): Promise<void> {
    c.send(`JOIN ${channel}`);
    await c.until("366");
  }
  /** `WHO <mask>`'s 352 rows as nick -> flags. */
  async function whoFlags(c: IrcClient, mask: string): Promise<Record<string, string>> {
    c.send(`WHO ${mask}`);
    const rows = await c.until("315");
    return Object.fromEntries(rows.filter((l) => l.command === "352").map((l) => [l.params[5]!, l.params[6]!]));
  }
  async function whois(c: IrcClient, nick: string): Promise<Line[]> {
    c.send(`WHOIS ${nick}`);
    return c.until("318");
  }
  const text313 = (lines: Line[]) => lines.find((l) => l.command === "313")?.params[2];
  async function operators(c: IrcClient): Promise<string> {
    c.send("LUSERS");
    const lines = await c.until("255");
    return lines.find((l) => l.command === "252")!.params[1]!;
  }

  it("OPER on node A: WHO *, WHOIS 313 and LUSERS 252 on node B (and on a node started later); gone when the connection closes", async () => {
    const oper = await irc(a, "opal");
    const plain = await irc(a, "opal"); // another connection of the same user, never OPERed
    const bert = await irc(b, "bert");
    for (const c of [oper, bert]) await joined(c, "#opers");
    expect(await operators(bert)).toBe("0");
    expect((await whoFlags(bert, "#opers")).opal).toBe("H@"); // the room's creator: its operator

    oper.send("OPER ops ops-password");
    await oper.next("381");
    // Kept with presence before the 381: node B sees it at once.
    expect(await whoFlags(bert, "#opers")).toEqual({ opal: "H*@", bert: "H" });
    expect(await whoFlags(bert, "opal")).toEqual({ opal: "H*" });
    expect(await whoFlags(bert, "op*")).toEqual({ opal: "H*" });
    expect(text313(await whois(bert, "opal"))).toBe("is an IRC operator (chatd moderator)");
    expect(text313(await whois(bert, "bert"))).toBeUndefined();
    expect(await operators(bert)).toBe("1");
    expect(await operators(oper)).toBe("1");

    // A node that starts after the OPER learns it from presence too.
    const c = await node("oper-c");
    const carl = await irc(c, "carl");
    expect(await whoFlags(carl, "opal")).toEqual({ opal: "H*" });
    expect(text313(await whois(carl, "opal"))).toBe("is an IRC operator (chatd moderator)");
    expect(await operators(carl)).toBe("1");

    // The OPERed connection closes; the user stays online on A through the other one, no longer an operator.
    oper.send("QUIT");
    await oper.closed;
    await eventually(async () => (await operators(bert)) === "0", { what: "LUSERS 252 on B back to 0" });
    expect(await whoFlags(bert, "opal")).toEqual({ opal: "H" });
    expect(text313(await whois(bert, "opal"))).toBeUndefined();
    expect(await whoFlags(carl, "opal")).toEqual({ opal: "H" });
    expect(await operators(plain)).toBe("0");
  });

  /** How many sessions the user has on every node, as the admin API reads presence. */
  async function sessionsOf(d: TestDaemon, name: string): Promise<number> {
    const { online } = (await (await d.http("/admin/users", { admin: true })).json()) as { online: Array<{ name: string; sessions: number }> };
    return online.find((u) => u.name === name)?.sessions ?? 0;
  }

  it("a user OPERed on both nodes counts once in LUSERS, and still counts while one of those connections is open", async () => {
    const dora = await irc(a, "dora");
    const dora2 = await irc(b, "dora");
    const eli = await irc(b, "eli");
    for (const c of [dora, dora2, eli]) {
      c.send("OPER ops ops-password");
      await c.next("381");
    }
    const watcher = await irc(a, "wes");
    expect(await operators(watcher)).toBe("2");
    expect(text313(await whois(watcher, "eli"))).toBe("is an IRC operator (chatd moderator)");
    // dora's connection on B closes (B's presence says so): her A connection still OPERed, so she still counts.
    dora2.send("QUIT");
    await dora2.closed;
    await eventually(async () => (await sessionsOf(b, "dora")) === 1, { what: "dora's B connection gone from presence" });
    expect((await whoFlags(eli, "dora")).dora).toBe("H*");
    expect(await operators(eli)).toBe("2");
    dora.send("QUIT");
    await dora.closed;
    await eventually(async () => (await operators(eli)) === "1", { what: "LUSERS 252 on B down to 1" });
  });
});
