import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { ircSignIn, type IrcClient, type Line } from "../../helpers/irc.ts";
import { ircPortOf } from "../../helpers/irc-world.ts";

/** The 354 lines of a WHO (params after the asker's nick), and its 315. */
async function whox(c: IrcClient, line: string): Promise<{ rows: string[][]; end: Line }> {
  c.send(line);
  const lines = await c.until("315");
  expect(lines.filter((l) => l.command === "352")).toEqual([]);
  return { rows: lines.filter((l) => l.command === "354").map((l) => l.params.slice(1)), end: lines.at(-1)! };
}

/** The channels a LIST gives. */
async function list(c: IrcClient, line: string): Promise<string[]> {
  c.send(line);
  return (await c.until("323")).filter((l) => l.command === "322").map((l) => l.params[1]!);
}

describe("IRC WHOX and LIST filters (ELIST)", () => {
  const world = new World();
  afterEach(() => world.cleanup());
  const ircDaemon = () => world.daemon({ irc: { port: 0 } });

  it("WHO mask %fields,token answers 354 with the fields asked for in the spec's order, then 315", async () => {
    const d = await ircDaemon();
    await world.member(d, "webby", "chan");
    const cool = await ircSignIn(d.daemon.ircPort!, "coolNick", { userName: "myusernam", realName: "My UniqueReal Name" });
    const other = await ircSignIn(d.daemon.ircPort!, "otherNick");
    world.onCleanup(() => cool.close());
    world.onCleanup(() => other.close());
    expect(other.lines.filter((l) => l.command === "005").flatMap((l) => l.params)).toEqual(expect.arrayContaining(["WHOX", "ELIST=MNU"]));
    for (const c of [cool, other]) {
      c.send("JOIN #chan");
      await c.next("366");
    }
    const server = (await whox(other, "WHO coolNick %s")).rows[0]![0]!;

    // Every field, asked in reverse order: the spec's order all the same; a nick's WHO names no channel.
    const full = await whox(other, "WHO coolNick %roaldfnshiuct,123");
    expect(full.rows).toHaveLength(1);
    const row = full.rows[0]!;
    expect([...row.slice(0, 9), ...row.slice(10)]).toEqual(["123", "*", "myusernam", "255.255.255.255", "chatd", server, "coolNick", "H", "0", "coolNick", "n/a", "My UniqueReal Name"]);
    expect(row[9]).toMatch(/^\d+$/);
    expect(full.end.params.slice(1, 2)).toEqual(["coolNick"]);

    // The token, and only the fields asked for.
    expect((await whox(other, "WHO coolNick %tn,321")).rows).toEqual([["321", "coolNick"]]);
    // One's own address is shown to oneself, nobody else's.
    expect((await whox(other, "WHO otherNick %ni")).rows).toEqual([["127.0.0.1", "otherNick"]]);

    // A channel's WHO: the channel, G when away; a web user has the account's name for user and real name.
    cool.send("AWAY :gone");
    await cool.next("306");
    const chan = await whox(other, "WHO #chan %tcunfar,7");
    expect(chan.rows.sort((a, b) => a[3]!.localeCompare(b[3]!))).toEqual([
      ["7", "#chan", "myusernam", "coolNick", "G", "coolNick", "My UniqueReal Name"],
      ["7", "#chan", "otherNick", "otherNick", "H", "otherNick", "otherNick"],
      ["7", "#chan", "webby", "webby", "H@", "webby", "webby"], // the web user made the room: its operator
    ]);
    expect(chan.end.params[1]).toBe("#chan");

    // A mask (users sharing a room) answers 354 too; plain WHO still answers 352.
    expect((await whox(other, "WHO cool* %n")).rows).toEqual([["coolNick"]]);
    other.send("WHO coolNick");
    expect((await other.until("315")).filter((l) => l.command === "352").map((l) => l.params[6])).toEqual(["G"]);
  });

  it("WHOX's idle time counts from the last PRIVMSG of an IRC user on this node; others' is 0", async () => {
    const d = await ircDaemon();
    await world.member(d, "webby");
    const a = await ircSignIn(d.daemon.ircPort!, "talker");
    world.onCleanup(() => a.close());
    a.send("JOIN #general");
    await a.next("366");
    await new Promise((r) => setTimeout(r, 1100));
    const before = Number((await whox(a, "WHO talker %l")).rows[0]![0]);
    expect(before).toBeGreaterThanOrEqual(1);
    a.send("PRIVMSG #general :hi");
    expect((await whox(a, "WHO talker %l")).rows).toEqual([["0"]]);
    expect((await whox(a, "WHO webby %nl")).rows).toEqual([["webby", "0"]]);
  });

  it("LIST takes masks (M), !masks (N) and member counts >n, <n (U)", async () => {
    const d = await ircDaemon();
    const a = await ircSignIn(d.daemon.ircPort!, "alice");
    const b = await ircSignIn(d.daemon.ircPort!, "bob");
    world.onCleanup(() => a.close());
    world.onCleanup(() => b.close());
    for (const [c, room] of [[a, "#chan1"], [a, "#chan2"], [b, "#chan2"]] as const) {
      c.send(`JOIN ${room}`);
      await c.next("366");
    }
    const mine = (names: string[]) => names.filter((n) => n.startsWith("#chan")).sort();
    expect(mine(await list(b, "LIST"))).toEqual(["#chan1", "#chan2"]);
    expect(await list(b, "LIST *an1")).toEqual(["#chan1"]);
    expect(await list(b, "LIST #c*n2")).toEqual(["#chan2"]);
    expect(await list(b, "LIST #CHAN1")).toEqual(["#chan1"]);
    expect(await list(b, "LIST #chan")).toEqual([]);
    expect(mine(await list(b, "LIST #ch*"))).toEqual(["#chan1", "#chan2"]);
    expect(mine(await list(b, "LIST #chan1,#chan2"))).toEqual(["#chan1", "#chan2"]);
    expect(mine(await list(b, "LIST !*an1"))).toEqual(["#chan2"]);
    expect(await list(b, "LIST !#ch*")).not.toContain("#chan1");
    expect(mine(await list(b, "LIST >0"))).toEqual(["#chan1", "#chan2"]);
    expect(await list(b, "LIST >1")).toEqual(["#chan2"]);
    expect(mine(await list(b, "LIST <2"))).toEqual(["#chan1"]);
    expect(await list(b, "LIST #ch*,<2")).toEqual(["#chan1"]);
    expect(await list(b, "LIST #ch* >1")).toEqual(["#chan2"]);
  });

  it("in a cluster, WHOX tells of users on the other node and LIST counts their membership", async () => {
    const cluster = await startCluster(2, { CHAT_IRC_PORT: "0" });
    world.onCleanup(() => cluster.close());
    const [a, b] = cluster.nodes;
    const here = await ircSignIn(ircPortOf(a!.output()), "here", { userName: "hereuser", realName: "Here Real" });
    const there = await ircSignIn(ircPortOf(b!.output()), "there", { userName: "thereuser", realName: "There Real" });
    world.onCleanup(() => here.close());
    world.onCleanup(() => there.close());
    for (const c of [here, there]) {
      c.send("JOIN #both");
      await c.next("366");
    }
    // USER's names and the idle time are kept per connection: of the other node's user, the account's name and 0.
    const rows = (await whox(here, "WHO #both %cunlar")).rows.sort((x, y) => x[2]!.localeCompare(y[2]!));
    expect(rows.map((r) => [...r.slice(0, 3), ...r.slice(4)])).toEqual([
      ["#both", "hereuser", "here", "here", "Here Real"],
      ["#both", "there", "there", "there", "there"],
    ]);
    expect(rows[1]![3]).toBe("0");
    expect(await list(here, "LIST #both >1")).toEqual(["#both"]);
    expect(await list(there, "LIST #both <2")).toEqual([]);
  });
});
