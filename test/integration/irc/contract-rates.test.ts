import { describe, expect, it } from "vitest";
import { say } from "../../helpers/harness.ts";
import { authenticatePlain, joinChannel, saslRequested, trailing, useIrcWorld } from "../../helpers/irc-world.ts";

/** docs/irc.md's rate limits (as on the WebSocket, answered as its error table says) and guests across a restart, from outside. */
describe("the IRC gateway as documented: rates and guests", () => {
  const { world, daemon, sign, raw } = useIrcWorld();

  it("the join rate and the history budget are the WebSocket's, answered FAIL <command> RATE_LIMITED <target> with the retry", async () => {
    const d = await daemon({}, { limits: { joinsPerSecond: 0.1, joinBurst: 1, historyMessagesPerSecond: 0.1, historyMessageBurst: 3 } });
    const { client: web } = await world.member(d, "webby", "one");
    await say(web, "one", ["a", "b", "c"]);
    const c = await sign(d, "ratey", { caps: ["draft/chathistory", "batch"] });
    c.send("JOIN #one,#two");
    await c.next("366");
    const join = await c.next("FAIL");
    expect(join.params.slice(0, 3)).toEqual(["JOIN", "RATE_LIMITED", "#two"]);
    expect(trailing(join)).toMatch(/\(retry after \d+ ms\)$/);
    // The budget (3 messages) is spent by the first read; the next is refused before reading.
    c.send("CHATHISTORY LATEST #one * 3");
    const batch = await c.until((l) => l.command === "BATCH" && l.params[0]!.startsWith("-"));
    expect(batch.filter((l) => l.command === "PRIVMSG").map(trailing)).toEqual(["a", "b", "c"]);
    c.send("CHATHISTORY LATEST #one * 3");
    const history = await c.next("FAIL");
    expect(history.params.slice(0, 3)).toEqual(["CHATHISTORY", "RATE_LIMITED", "#one"]);
    expect(trailing(history)).toMatch(/\(retry after \d+ ms\)$/);
  });

  it("too many rate-limited commands within limits.abuseWindowMs close the connection with ERROR … rate limit abuse", async () => {
    const d = await daemon({}, { limits: { messagesPerSecond: 0.1, messageBurst: 1, abuseStrikes: 3 } });
    const c = await sign(d, "abuser");
    await joinChannel(c, "#general");
    for (let i = 0; i < 6; i++) c.send(`PRIVMSG #general :spam ${i}`);
    expect(trailing(await c.next("ERROR"))).toMatch(/rate limit abuse/);
    await c.closed;
  });

  it("a SASL sign-in refused by the sign-in rate or a ban is 904 with the reason, and the client may try again", async () => {
    const d = await daemon({}, { limits: { signInBurst: 1, signInsPerMinute: 0.001 } });
    await world.signIn(d, "limited").then(({ client }) => client.close());
    await world.signIn(d, "banned").then(({ client }) => client.close());
    expect((await d.http("/admin/ban", { method: "POST", admin: true, body: JSON.stringify({ user: "banned", reason: "spam" }) })).status).toBe(200);
    const c = await raw(d);
    await saslRequested(c, "limited", "limited 0 * :L");
    await authenticatePlain(c, "banned");
    const ban = await c.next("904");
    expect(trailing(ban)).toMatch(/^SASL authentication failed: .*ban/i);
    await authenticatePlain(c, "limited");
    const rate = await c.next("904");
    expect(trailing(rate)).toMatch(/^SASL authentication failed: .*(too many|rate|try again)/i);
    expect(c.ended).toBe(false);
  });

  it("a guest is the same guest until a restart; after it the name is no guest's (433 Nickname is registered)", async () => {
    const d = await daemon({ guests: true });
    const first = await raw(d);
    first.send("NICK wanderer");
    first.send("USER w 0 * :W");
    await first.next("221");
    first.close();
    await first.closed;
    // Again, on the same run: the same guest (once the first connection is gone).
    let again = await raw(d);
    for (let i = 0; i < 50; i++) {
      again.send("NICK wanderer");
      again.send("USER w 0 * :W");
      const answer = await again.next((l) => l.command === "001" || l.command === "433");
      if (answer.command === "001") break;
      await new Promise((r) => setTimeout(r, 50));
      again = await raw(d);
    }
    expect(again.lines.some((l) => l.command === "001")).toBe(true);
    again.close();
    await again.closed;
    const dataDir = d.dataDir;
    await d.close({ keepData: true });
    const restarted = await daemon({ guests: true }, {}, { dataDir });
    const later = await raw(restarted);
    later.send("NICK wanderer");
    later.send("USER w 0 * :W");
    expect((await later.next("433")).params.slice(1)).toEqual(["wanderer", "Nickname is registered: sign in with SASL or PASS, or pick another"]);
  });

  it("LIST counts the members online (every node): one who belongs but is gone is not counted", async () => {
    const d = await daemon();
    await world.member(d, "here", "counted");
    const { client: gone } = await world.member(d, "gone", "counted");
    const c = await sign(d, "lister");
    const count = async () => {
      c.send("LIST #counted");
      return (await c.until("323")).filter((l) => l.command === "322").map((l) => l.params[2]);
    };
    expect(await count()).toEqual(["2"]);
    await gone.close();
    for (let i = 0; i < 50 && (await count())[0] !== "1"; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await count()).toEqual(["1"]);
  });
});
