import bcrypt from "bcryptjs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, World } from "../../helpers/harness.ts";
import { ircSignIn, type IrcClient } from "../../helpers/irc.ts";
import { createLogger } from "../../../src/log.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { ircPortOf, ircWorld } from "../../helpers/irc-world.ts";

/** irctest's oper block, as its controllers write it. */
const OPERATOR = { name: "operuser", passwordHash: bcrypt.hashSync("operpassword", 4), role: "moderator" as const };

/** `oper`'s MODE +q on talker in #general: refused (482) before OPER; after it, talker is muted and told so. */
async function muteAfterOper(oper: IrcClient, talker: IrcClient): Promise<void> {
  oper.send("MODE #general +q talker 5");
  await oper.next("482");
  oper.send("OPER operuser operpassword");
  await oper.next("381");
  oper.send("MODE #general +q talker 5");
  expect((await oper.next("NOTICE")).params[1]).toMatch(/muted talker/);
  expect((await talker.next("NOTICE")).params[1]).toMatch(/muted in general/);
}

/** `oper` (an operator now) kicks webby out of #general: its notice says so. */
async function kickWebby(oper: IrcClient, reason: string): Promise<void> {
  oper.send(`KICK #general webby :${reason}`);
  expect((await oper.next("NOTICE")).params[1]).toMatch(/kicked webby/);
}

describe("IRC operators (irc.operators)", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  async function daemon(limits: Record<string, number> = {}) {
    const logs: string[] = [];
    const logger = createLogger({ level: "info", write: (line) => logs.push(line) });
    const d = await world.daemon({ irc: { port: 0, operators: [OPERATOR] }, limits }, { logger });
    const irc = async (nick: string): Promise<IrcClient> => {
      const c = await ircSignIn(d.daemon.ircPort!, nick);
      world.onCleanup(() => c.close());
      return c;
    };
    return { d, irc, logs };
  }

  it("OPER with a block's name (any case) and password: 381 and +o, shown in MODE, WHO (*) and WHOIS (313), and logged", async () => {
    const { irc, logs } = await daemon();
    const oper = await irc("alice");
    const other = await irc("bob");
    for (const c of [oper, other]) {
      c.send("JOIN #general");
      await c.next("366");
    }
    oper.send("OPER OperUser operpassword");
    expect((await oper.next("381")).params).toEqual(["alice", "You are now an IRC operator"]);
    const mode = await oper.next("MODE");
    expect([mode.source, ...mode.params]).toEqual(["alice!alice@chatd", "alice", "+o"]);
    oper.send("MODE alice");
    expect((await oper.next("221")).params[1]).toBe("+io");

    other.send("WHO alice");
    expect((await other.next("352")).params[6]).toBe("H*");
    await other.next("315");
    other.send("WHO #general");
    const rows = await other.until("315");
    const flags = Object.fromEntries(rows.filter((l) => l.command === "352").map((l) => [l.params[5], l.params[6]]));
    expect(flags).toEqual({ alice: "H*", bob: "H" });
    other.send("WHOIS alice");
    expect((await other.next("313")).params).toEqual(["bob", "alice", "is an IRC operator (chatd moderator)"]);
    other.send("WHOIS bob");
    const whois = await other.until("318");
    expect(whois.map((l) => l.command)).not.toContain("313");
    const line = logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === "irc oper");
    expect(line).toMatchObject({ level: "info", user: "alice", operator: "operuser", role: "moderator" });
    expect(logs.join("\n")).not.toContain("operpassword");
  });

  it("LUSERS 252 counts the users with a connection that OPERed, each once, until their last such connection closes", async () => {
    const { d, irc } = await daemon();
    const count = async (c: IrcClient) => {
      c.send("LUSERS");
      return (await c.until("255")).find((l) => l.command === "252")!.params.slice(1);
    };
    // A chatd moderator who has not OPERed is no IRC operator.
    await irc("mona").then((c) => c.close());
    expect((await d.http("/admin/role", { method: "PUT", admin: true, body: JSON.stringify({ user: "mona", role: "moderator" }) })).status).toBe(200);
    const mona = await irc("mona");
    const first = await irc("olive");
    const second = await irc("olive");
    const quiet = await irc("quinn");
    expect(await count(quiet)).toEqual(["0", "operator(s) online"]);
    for (const c of [first, second]) {
      c.send("OPER operuser operpassword");
      await c.next("381");
    }
    expect(await count(quiet)).toEqual(["1", "operator(s) online"]);
    mona.send("OPER mona correct-horse");
    await mona.next("381");
    expect(await count(quiet)).toEqual(["2", "operator(s) online"]);
    mona.send("QUIT");
    await mona.closed;
    first.send("QUIT");
    await first.closed;
    await eventually(async () => (await count(quiet))[0] === "1", { what: "mona no longer counted" });
    second.send("QUIT");
    await second.closed;
    await eventually(async () => (await count(quiet))[0] === "0", { what: "olive no longer counted" });
  });

  it("a wrong password is 464, an unknown name or another's account 491; none of them opers", async () => {
    const { irc, logs } = await daemon();
    const c = await irc("carol");
    c.send("OPER operuser wrong-password");
    expect((await c.next("464")).params).toEqual(["carol", "Password incorrect"]);
    c.send("OPER nobody operpassword");
    await c.next("491");
    c.send("OPER dave correct-horse");
    await c.next("491");
    c.send("OPER operuser");
    expect((await c.next("461")).params[1]).toBe("OPER");
    c.send("MODE carol");
    expect((await c.next("221")).params[1]).toBe("+i");
    const failed = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "irc oper failed");
    expect(failed.map((l) => [l.operator, l.reason])).toEqual([
      ["operuser", "wrong password"],
      ["nobody", "no such operator"],
      ["dave", "no such operator"],
    ]);
  });

  it("guessing backs off as sign-in does: after the second wrong password even the right one is refused for a while, on every connection from the address", async () => {
    const { irc } = await daemon({ signInFailureDelayMs: 60_000, signInFailureDelayMaxMs: 60_000 });
    const c = await irc("erin");
    c.send("OPER operuser guess-1");
    await c.next("464");
    c.send("OPER operuser guess-2");
    await c.next("464");
    c.send("OPER operuser operpassword");
    const fail = await c.next("FAIL");
    expect(fail.params.slice(0, 3)).toEqual(["OPER", "RATE_LIMITED", "operuser"]);
    expect(fail.params[3]).toMatch(/too many failed sign-ins; try again in 1 min.*\(retry after \d+ ms\)/);
    const again = await irc("frank");
    again.send("OPER operuser operpassword");
    expect((await again.next("FAIL")).params[1]).toBe("RATE_LIMITED");
    expect(await again.quiet("381")).toBe(true);
  });

  it("KICK and MODE +q are refused (482) before OPER and allowed after, for that connection only", async () => {
    const { d, irc } = await daemon();
    const oper = await irc("grace");
    oper.send("JOIN #general");
    await oper.next("366");
    const { client: web } = await world.member(d, "webby");
    const talker = await irc("talker");
    talker.send("JOIN #general");
    await talker.next("366");

    oper.send("KICK #general webby :out");
    expect((await oper.next("482")).params[1]).toBe("#general");
    await muteAfterOper(oper, talker);
    await kickWebby(oper, "out");
    expect(await web.next("notice")).toMatchObject({ kind: "kick", text: "out" });
    expect((await web.closed).code).toBe(4000);

    // Another connection of the same user did not OPER: it has no such power.
    const second = await irc("grace");
    second.send("MODE #general -q talker");
    await second.next("482");
    // Nor does the connection once it is gone: a new one starts without it.
    oper.send("QUIT");
    await oper.closed;
    const third = await irc("grace");
    third.send("MODE grace");
    expect((await third.next("221")).params[1]).toBe("+i");
  });

  it("REDACT of another's message in a room: refused before OPER, allowed after", async () => {
    const { d, irc } = await daemon();
    const oper = await irc("heidi");
    oper.send("JOIN #general");
    await oper.next("366");
    const { client: web } = await world.member(d, "webby");
    const sent = await web.request({ type: "say", room: "general", text: "spam", ref: 1 }, "ack");
    oper.send(`REDACT #general ${String(sent.id)} :spam`);
    expect((await oper.next("FAIL")).params.slice(0, 2)).toEqual(["REDACT", "REDACT_FORBIDDEN"]);
    oper.send("OPER operuser operpassword");
    await oper.next("381");
    oper.send(`REDACT #general ${String(sent.id)} :spam`);
    expect(await web.next("deleted")).toMatchObject({ id: sent.id, room: "general" });
  });

  it("a chatd moderator still opers with their own name and password; a wrong one is 464", async () => {
    const { d, irc } = await daemon();
    await irc("mod").then((c) => c.close());
    expect((await d.http("/admin/role", { method: "PUT", admin: true, body: JSON.stringify({ user: "mod", role: "moderator" }) })).status).toBe(200);
    const mod = await irc("mod");
    mod.send("OPER mod not-the-password");
    await mod.next("464");
    mod.send("OPER mod correct-horse");
    await mod.next("381");
    const other = await irc("ivan");
    other.send("WHOIS mod");
    expect((await other.next("313")).params[2]).toBe("is an IRC operator (chatd moderator)");
  });
});

describe("IRC operators in a cluster", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("an operator on node A kicks and mutes users whose connections are on node B; the check and the log are A's", async () => {
    const dir = await world.tempDir();
    const config = join(dir, "server.json");
    // Every node reads the same file: the block is the cluster's.
    await writeFile(config, JSON.stringify({ bcryptCost: 4, host: "127.0.0.1", irc: { operators: [OPERATOR] } }));
    const cluster = await startCluster(2, { CHAT_IRC_PORT: "0", CHAT_CONFIG: config });
    world.onCleanup(() => cluster.close());
    const [a, b] = cluster.nodes;
    const { sign } = ircWorld(world);
    const oper = await sign(ircPortOf(a!.output()), "judy");
    const talker = await sign(ircPortOf(b!.output()), "talker");
    talker.send("JOIN #general");
    await talker.next("366");
    const { client: web } = await world.member(b!, "webby");

    await muteAfterOper(oper, talker);
    talker.send("PRIVMSG #general :on node B");
    expect((await talker.next("404")).params[2]).toMatch(/muted/);
    await kickWebby(oper, "bye");
    expect((await web.closed).code).toBe(4000);
    // The node's stdout is read as it comes: the log line may land a moment after the close.
    await eventually(() => /"msg":"user kicked".*"by":"judy".*"operator":"operuser"/.test(a!.output()), { what: "A's kick log line" });
  });
});
