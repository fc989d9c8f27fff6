import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import type { Line } from "../../helpers/irc.ts";
import { trailing, useIrcWorld } from "../../helpers/irc-world.ts";
import { createLogger } from "../../../src/log.ts";

/** docs/irc.md's Operators section (OPER's answers, back-off and log lines), claim by claim, from outside. */
describe("the IRC gateway's OPER as documented", () => {
  const irc = useIrcWorld();
  const { world, daemon, sign, last } = irc;

  it("OPER: from the second wrong password in a row the block backs off with FAIL OPER RATE_LIMITED; every OPER is logged without the password", async () => {
    const logged: Array<Record<string, unknown>> = [];
    const logger = createLogger({ level: "info", write: (line) => logged.push(JSON.parse(line) as Record<string, unknown>) });
    const d = await irc.daemon(
      { operators: [{ name: "ops", passwordHash: bcrypt.hashSync("op-secret", 4), role: "admin" }] },
      { limits: { signInFailureDelayMs: 1000, signInFailureDelayMaxMs: 1000 } },
      { logger },
    );
    const c = await irc.sign(d, "tryer");
    c.send("OPER ops wrong-1");
    await c.next("464");
    c.send("OPER ops wrong-2");
    await c.next("464");
    c.send("OPER ops op-secret");
    const fail = await c.next((l) => l.command === "FAIL" || l.command === "381");
    expect(fail.params.slice(0, 3)).toEqual(["OPER", "RATE_LIMITED", "ops"]);
    expect(trailing(fail)).toMatch(/^too many failed sign-ins; try again in \d+ s \(retry after \d+ ms\)$/);
    await new Promise((r) => setTimeout(r, 1100));
    c.send("OPER ops op-secret");
    await c.next("381");
    c.send("OPER nobody pw");
    await c.next("491");
    c.send("WHOIS tryer");
    expect((await c.until("318")).filter((l) => l.command === "313").map(trailing)).toEqual(["is an IRC operator (chatd admin)"]);
    const opers = logged.filter((l) => l.msg === "irc oper" || l.msg === "irc oper failed");
    expect(opers.map((l) => [l.msg, l.user, l.operator, l.reason ?? l.role])).toEqual([
      ["irc oper failed", "tryer", "ops", "wrong password"],
      ["irc oper failed", "tryer", "ops", "wrong password"],
      ["irc oper", "tryer", "ops", "admin"],
      ["irc oper failed", "tryer", "nobody", "no such operator"],
    ]);
    for (const l of opers) expect(l.address).toBeTruthy();
    expect(JSON.stringify(logged)).not.toContain("op-secret");
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

  it("OPER: a block of the same name as a moderator's account wins; the account's own password is then wrong (464)", async () => {
    const d = await daemon({ operators: [{ name: "Modder", passwordHash: bcrypt.hashSync("block-secret", 4), role: "moderator" }] });
    await world.signIn(d, "modder").then(({ client }) => client.close());
    expect((await d.http("/admin/role", { method: "PUT", admin: true, body: JSON.stringify({ user: "modder", role: "moderator" }) })).status).toBe(200);
    const c = await sign(d, "modder");
    c.send("OPER modder correct-horse");
    expect(last(await c.next("464"))).toBe("Password incorrect");
    c.send("OPER modder block-secret");
    const answer = await c.next((l) => l.command === "381" || l.command === "FAIL");
    expect(answer.command).toBe("381");
  });
});
