import { describe, expect, it } from "vitest";
import { useIrcWorld } from "../../helpers/irc-world.ts";
import type { IrcClient, Line } from "../../helpers/irc.ts";

/** What an IRC client that is not in a secret (+s) room learns of it: nothing, as LIST already shows it (issue 21). */
describe("IRC queries about a secret room", () => {
  const { sign, join, daemon } = useIrcWorld();

  /** The lines answering `line`, up to its end numeric (or an error numeric). */
  async function ask(c: IrcClient, line: string, end: string): Promise<string[]> {
    c.send(line);
    const lines = await c.until((l: Line) => l.command === end || l.command === "403" || l.command === "442");
    return lines.map((l) => `${l.command} ${l.params.slice(1).join(" ")}`);
  }

  it("NAMES, WHO, WHOIS, TOPIC and MODE give an outsider neither its members, its topic nor that it exists; a member sees them all", async () => {
    const d = await daemon();
    const owner = await sign(d, "owner");
    await join(owner, "#hideout");
    owner.send("MODE #hideout +s");
    await owner.next("MODE");
    owner.send("TOPIC #hideout :the plans");
    await owner.next("TOPIC");
    const outsider = await sign(d, "outsider");

    expect(await ask(outsider, "NAMES #hideout", "366")).toEqual(["366 #hideout End of /NAMES list"]);
    expect(await ask(outsider, "WHO #hideout", "315")).toEqual(["315 #hideout End of WHO list"]);
    expect(await ask(outsider, "WHOIS owner", "318")).not.toContainEqual(expect.stringMatching(/^319 /));
    // As for a name no room has: the topic, the +s and the creation time would each tell it is there.
    expect(await ask(outsider, "TOPIC #hideout", "333")).toEqual(["403 #hideout No such channel"]);
    expect(await ask(outsider, "TOPIC #nosuch", "333")).toEqual(["403 #nosuch No such channel"]);
    expect(await ask(outsider, "MODE #hideout", "324")).toEqual(["324 #hideout +n"]);
    expect(await ask(outsider, "MODE #nosuch", "324")).toEqual(["324 #nosuch +n"]);
    expect(await ask(outsider, "LIST", "323")).not.toContainEqual(expect.stringContaining("#hideout"));

    await join(outsider, "#hideout");
    const [members, end] = await ask(outsider, "NAMES #hideout", "366");
    expect(members!.split(" ").slice(0, 2)).toEqual(["353", "@"]);
    expect(members!.split(" ").slice(3).sort()).toEqual(["@owner", "outsider"]);
    expect(end).toBe("366 #hideout End of /NAMES list");
    expect(await ask(outsider, "WHO #hideout", "315")).toHaveLength(3);
    expect(await ask(outsider, "WHOIS owner", "318")).toContainEqual("319 owner #hideout");
    expect(await ask(outsider, "TOPIC #hideout", "333")).toEqual(["332 #hideout the plans", expect.stringMatching(/^333 #hideout owner \d+$/)]);
    expect(await ask(outsider, "MODE #hideout", "324")).toEqual(["324 #hideout +ns"]);
  });

  it("TOPIC, MODE, NAMES and WHO sent right behind the JOIN that enters it answer as to a member", async () => {
    const d = await daemon();
    const owner = await sign(d, "keeper");
    await join(owner, "#vault");
    owner.send("MODE #vault +s");
    await owner.next("MODE");
    owner.send("TOPIC #vault :gold");
    await owner.next("TOPIC");
    const newcomer = await sign(d, "newcomer");
    newcomer.send("JOIN #vault");
    newcomer.send("TOPIC #vault");
    newcomer.send("MODE #vault");
    newcomer.send("NAMES #vault");
    newcomer.send("WHO #vault");
    await newcomer.next("366");
    const lines = await newcomer.until("315");
    const answers = lines.filter((l) => ["332", "403", "324", "353", "352"].includes(l.command)).map((l) => `${l.command} ${l.params.slice(1).join(" ")}`);
    expect(answers).toEqual([
      "332 #vault gold",
      "324 #vault +ns",
      expect.stringMatching(/^353 @ #vault /),
      expect.stringMatching(/^352 #vault /),
      expect.stringMatching(/^352 #vault /),
    ]);
  });
});
