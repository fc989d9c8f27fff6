import { describe, expect, it } from "vitest";
import { useIrcWorld } from "../../helpers/irc-world.ts";

/** docs/irc.md's TOPIC, WHO, WHOX, WHOIS, LIST, LUSERS, ISON, USERHOST, AWAY and error table, claim by claim, from outside. */
describe("the IRC gateway as documented: queries and errors", () => {
  const { world, daemon, sign, raw, join, last } = useIrcWorld();

  it("TOPIC: 331 for a listed room (members online or not) without a topic, 403 for a name that is no room, 332 and 333 once set (also on JOIN); an empty text clears it; 442 outside the room", async () => {
    const d = await daemon({}, { rooms: ["general", "random"] });
    const { client: web } = await world.member(d, "webby");
    const c = await sign(d, "topical");
    c.send("TOPIC #nobodyhere");
    expect((await c.next("403")).params[1]).toBe("#nobodyhere");
    // A room LIST lists is a channel, though nobody is in it now: the default room, one whose members left.
    const { client: gone } = await world.member(d, "gone", "quiet");
    await gone.close();
    for (const channel of ["#random", "#quiet"]) {
      c.send(`LIST ${channel}`);
      expect((await c.until("323")).filter((l) => l.command === "322").map((l) => l.params[1])).toEqual([channel]);
      c.send(`TOPIC ${channel}`);
      expect((await c.next((l) => l.command === "331" || l.command === "403")).command).toBe("331");
    }
    c.send("TOPIC #general");
    expect((await c.next("331")).params[1]).toBe("#general");
    c.send("TOPIC #general :not a member");
    expect((await c.next("442")).params[1]).toBe("#general");
    await join(c, "#general");
    const text = "t".repeat(300);
    c.send(`TOPIC #general :${text}`);
    const set = await c.next("TOPIC");
    expect([set.source, ...set.params]).toEqual(["topical!topical@chatd", "#general", text]);
    expect(await web.next("topic")).toMatchObject({ room: "general", text, by: "topical" });
    c.send("TOPIC #general");
    expect((await c.next("332")).params.slice(1)).toEqual(["#general", text]);
    const who = await c.next("333");
    expect(who.params.slice(1, 3)).toEqual(["#general", "topical"]);
    expect(Number(who.params[3])).toBeGreaterThan(1_700_000_000);
    expect(Number(who.params[3])).toBeLessThan(Date.now() / 1000 + 5);
    const late = await sign(d, "late");
    const joined = await join(late, "#general");
    expect(joined.map((l) => l.command).slice(0, 3)).toEqual(["JOIN", "332", "333"]);
    c.send("TOPIC #general :");
    expect((await late.next("TOPIC")).params).toEqual(["#general", ""]);
    c.send("TOPIC #general");
    await c.next("331");
  });

  it("WHO: a channel, a nick (anyone online) and a mask (only users sharing a room); 352 names the channel as it is and 315 echoes the mask", async () => {
    const d = await daemon();
    await world.member(d, "webby", "lobby");
    await world.signIn(d, "loner");
    const c = await sign(d, "asker", { userName: "askuser", realName: "Ask Er" });
    await join(c, "#Lobby");
    c.send("WHO #LOBBY");
    const chan = await c.until("315");
    const rows = chan.filter((l) => l.command === "352").sort((a, b) => a.params[5]!.localeCompare(b.params[5]!));
    // (The room operator's @ after H is another file's subject.)
    expect(rows.map((l) => [...l.params.slice(1, 6), l.params[6]!.replace(/[@+]+$/, ""), l.params[7]])).toEqual([
      ["#lobby", "askuser", "chatd", "chatd", "asker", "H", "0 Ask Er"],
      ["#lobby", "webby", "chatd", "chatd", "webby", "H", "0 webby"],
    ]);
    expect(chan.at(-1)!.params[1]).toBe("#LOBBY");
    // A plain nick finds anyone online; a mask only those sharing a room (and the asker).
    c.send("WHO loner");
    expect((await c.until("315")).filter((l) => l.command === "352").map((l) => l.params[5])).toEqual(["loner"]);
    c.send("WHO *O*");
    const masked = await c.until("315");
    expect(masked.filter((l) => l.command === "352").map((l) => l.params[5])).toEqual([]);
    c.send("WHO ?EBB*");
    expect((await c.until("315")).filter((l) => l.command === "352").map((l) => l.params[5])).toEqual(["webby"]);
    c.send("WHO ask*");
    const self = await c.until("315");
    expect(self.filter((l) => l.command === "352").map((l) => l.params[5])).toEqual(["asker"]);
    expect(self.at(-1)!.params[1]).toBe("ask*");
  });

  it("WHOX: exactly the fields asked for, in the documented order; token 1 to 3 digits else 0; one's own address only; other letters ignored", async () => {
    const d = await daemon({ serverName: "irc.test" });
    await world.member(d, "webby", "room1");
    const c = await sign(d, "whoxer", { userName: "wu", realName: "Who X" });
    await join(c, "#room1");
    const ask = async (line: string) => {
      c.send(line);
      const lines = await c.until("315");
      expect(lines.filter((l) => l.command === "352")).toEqual([]);
      return lines.filter((l) => l.command === "354").map((l) => l.params.slice(1));
    };
    expect(await ask("WHO whoxer %tcuihsnfdlaor,42")).toEqual([
      ["42", "*", "wu", "127.0.0.1", "irc.test", "irc.test", "whoxer", "H", "0", expect.stringMatching(/^\d+$/), "whoxer", "n/a", "Who X"],
    ]);
    expect(await ask("WHO webby %rao,1234")).toEqual([["webby", "n/a", "webby"]]);
    expect(await ask("WHO webby %tni,1234")).toEqual([["0", "255.255.255.255", "webby"]]);
    expect(await ask("WHO webby %tn")).toEqual([["0", "webby"]]);
    expect(await ask("WHO webby %tl,7")).toEqual([["7", "0"]]);
    expect(await ask("WHO webby %nqzx")).toEqual([["webby"]]);
    expect(await ask("WHO webby o%nc")).toEqual([["*", "webby"]]);
    expect((await ask("WHO #room1 %cn")).sort()).toEqual([["#room1", "webby"], ["#room1", "whoxer"]]);
  });

  it("WHOIS: 311 with USER's names, 319, 312, 330, 318; 301 when away or offline; 313 for a moderator; 401 for no such account", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby", "general");
    await world.signIn(d, "sleeper").then(({ client }) => client.close());
    expect((await d.http("/admin/role", { method: "PUT", admin: true, body: JSON.stringify({ user: "webby", role: "moderator" }) })).status).toBe(200);
    const target = await sign(d, "target", { userName: "tuser", realName: "Tar Get" });
    await join(target, "#general");
    const c = await sign(d, "asker");
    c.send("WHOIS target");
    const t = await c.until("318");
    const by = (n: string) => t.filter((l) => l.command === n).map((l) => l.params.slice(1));
    expect(by("311")).toEqual([["target", "tuser", "chatd", "*", "Tar Get"]]);
    expect(by("319")).toEqual([["target", "#general"]]);
    expect(by("312").map((p) => p[0])).toEqual(["target"]);
    expect(by("330").map((p) => p.slice(0, 2))).toEqual([["target", "target"]]);
    expect(by("301")).toEqual([]);
    expect(by("313")).toEqual([]);
    target.send("AWAY :at lunch");
    await target.next("306");
    c.send("WHOIS target");
    expect((await c.until("318")).filter((l) => l.command === "301").map((l) => l.params.slice(1))).toEqual([["target", "at lunch"]]);
    c.send("WHOIS sleeper");
    const off = await c.until("318");
    expect(off.filter((l) => l.command === "301").map((l) => l.params.slice(1))).toEqual([["sleeper", "offline"]]);
    c.send("WHOIS webby");
    const mod = await c.until("318");
    expect(mod.filter((l) => l.command === "313").map((l) => l.params.slice(1))).toEqual([["webby", "is a chatd moderator"]]);
    c.send("WHOIS ghost");
    expect((await c.next("401")).params[1]).toBe("ghost");
    web.close();
  });

  it("LIST: 321, a 322 per room with its members and topic, 323; masks, !masks, >n and <n combine; C and T items are ignored", async () => {
    const d = await daemon();
    const { client: w1 } = await world.member(d, "w1", "dev-one");
    await world.member(d, "w2", "dev-one");
    await world.member(d, "w3", "dev-two");
    await world.member(d, "w4", "ops");
    w1.send({ type: "topic", room: "dev-one", text: "Dev talk", ref: 1 });
    await w1.next("topic");
    const c = await sign(d, "lister");
    const list = async (line: string) => {
      c.send(line);
      const lines = await c.until("323");
      expect(lines[0]!.command).toBe("321");
      return lines.filter((l) => l.command === "322").map((l) => l.params.slice(1));
    };
    const all = await list("LIST");
    expect(all.map((r) => r[0])).toEqual(["#dev-one", "#dev-two", "#general", "#ops"]);
    expect(all[0]).toEqual(["#dev-one", "2", "Dev talk"]);
    expect(all[1]).toEqual(["#dev-two", "1", ""]);
    expect((await list("LIST #OPS")).map((r) => r[0])).toEqual(["#ops"]);
    expect((await list("LIST *dev*")).map((r) => r[0])).toEqual(["#dev-one", "#dev-two"]);
    expect((await list("LIST dev-t?o")).map((r) => r[0])).toEqual(["#dev-two"]);
    expect((await list("LIST #ops,#dev-one")).map((r) => r[0])).toEqual(["#dev-one", "#ops"]);
    expect((await list("LIST !*dev*")).map((r) => r[0])).toEqual(["#general", "#ops"]);
    expect((await list("LIST >1")).map((r) => r[0])).toEqual(["#dev-one"]);
    expect((await list("LIST <1")).map((r) => r[0])).toEqual(["#general"]);
    expect((await list("LIST #dev*,>1")).map((r) => r[0])).toEqual(["#dev-one"]);
    expect((await list("LIST C<10,T>5")).map((r) => r[0])).toEqual(["#dev-one", "#dev-two", "#general", "#ops"]);
  });

  it("LUSERS is 251 with the users online, 252, 254 with the rooms, 255; ISON and USERHOST name online users", async () => {
    const d = await daemon();
    await world.member(d, "webby", "general");
    await world.signIn(d, "offline").then(({ client }) => client.close());
    const c = await sign(d, "counter");
    c.send("LUSERS");
    const lines = await c.until("255");
    expect(lines.map((l) => l.command)).toEqual(["251", "252", "254", "255"]);
    expect(last(lines[0]!)).toMatch(/\b2 users\b/);
    expect(lines[2]!.params[1]).toBe("1");
    c.send("ISON webby offline nobody counter");
    expect(last(await c.next("303")).split(" ").sort()).toEqual(["counter", "webby"]);
    c.send("USERHOST webby offline");
    const uh = last(await c.next("302"));
    expect(uh).toMatch(/^webby[*]?=[+-]webby@chatd$/);
  });

  it("AWAY is 306 and AWAY alone 305; WHO shows G while away", async () => {
    const d = await daemon();
    const c = await sign(d, "awayer");
    c.send("AWAY :brb");
    await c.next("306");
    c.send("WHO awayer");
    expect((await c.next("352")).params[6]).toBe("G");
    c.send("AWAY");
    await c.next("305");
    c.send("WHO awayer");
    expect((await c.next("352")).params[6]).toBe("H");
  });

  it("the errors table: 404, 401, 412, 403, 405, 442, 482 (muted TOPIC), FAIL with the code otherwise", async () => {
    const d = await daemon({}, { limits: { maxRoomsPerSession: 2, maxTextLength: 20 } });
    const c = await sign(d, "erring");
    c.send("PRIVMSG #general :not in it");
    expect((await c.next("404")).params[1]).toBe("#general");
    expect(last(c.lines.at(-1)!)).toMatch(/^Cannot send to channel/);
    c.send("PRIVMSG nobody :hi");
    expect((await c.next("401")).params[1]).toBe("nobody");
    c.send("PRIVMSG bad.name! :hi");
    expect((await c.next("401")).params[1]).toBe("bad.name!");
    await join(c, "#general");
    c.send("PRIVMSG #general :   ");
    await c.next("412");
    c.send("JOIN #no.dots");
    expect((await c.next("403")).params[1]).toBe("#no.dots");
    await join(c, "#second");
    c.send("JOIN #third");
    expect((await c.next("405")).params[1]).toBe("#third");
    c.send("PART #third");
    expect((await c.next("442")).params[1]).toBe("#third");
    c.send(`PRIVMSG #general :${"x".repeat(21)}`);
    const fail = await c.next("FAIL");
    expect(fail.params.slice(0, 3)).toEqual(["PRIVMSG", "TOO_LARGE", "#general"]);
    // Muted: PRIVMSG is 404, TOPIC 482.
    expect((await d.http("/admin/mute", { method: "POST", admin: true, body: JSON.stringify({ user: "erring", room: "general", minutes: 5 }) })).status).toBe(200);
    c.send("PRIVMSG #general :muted now");
    expect((await c.next("404")).params[1]).toBe("#general");
    c.send("TOPIC #general :muted topic");
    // Its text says why: a mute, not a missing operator status.
    expect((await c.next("482")).params.slice(1)).toEqual(["#general", expect.stringMatching(/^Cannot change the topic: you are muted in general until /)]);
  });

  it("the ISUPPORT lengths act as documented: NICKLEN 432, CHANNELLEN 403, AWAYLEN cuts, TOPICLEN is FAIL TOO_LARGE, TARGMAX 407", async () => {
    const d = await daemon({ guests: true });
    const { client: web } = await world.member(d, "webby");
    const g = await raw(d);
    g.send(`NICK ${"n".repeat(33)}`);
    g.send("USER g 0 * :G");
    expect((await g.next("432")).params[1]).toBe("n".repeat(33));
    g.send(`NICK ${"n".repeat(32)}`);
    expect((await g.next("001")).params[0]).toBe("n".repeat(32));
    const c = await sign(d, "lengths");
    await join(c, `#${"c".repeat(32)}`);
    c.send(`JOIN #${"c".repeat(33)}`);
    expect((await c.next("403")).params[1]).toBe(`#${"c".repeat(33)}`);
    c.send(`AWAY :${"a".repeat(250)}`);
    await c.next("306");
    c.send("WHOIS lengths");
    expect(last(await c.next("301"))).toBe("a".repeat(200));
    await join(c, "#general");
    c.send("TOPIC #general :kept");
    await c.next("TOPIC");
    c.send(`TOPIC #general :${"t".repeat(301)}`);
    expect((await c.next("FAIL")).params.slice(0, 3)).toEqual(["TOPIC", "TOO_LARGE", "#general"]);
    c.send("TOPIC #general");
    expect(last(await c.next("332"))).toBe("kept");
    c.send("PRIVMSG #general,webby :to both");
    expect(await web.next("message")).toMatchObject({ room: "general", text: "to both" });
    expect(await web.next("dm")).toMatchObject({ to: "webby", text: "to both" });
    c.send("PRIVMSG #general,webby,a,b,c :five");
    const tooMany = await c.next("407");
    expect(tooMany.params.slice(1)).toEqual(["#general,webby,a,b,c", "Too many targets"]);
    c.send("NOTICE #general,webby,a,b,c :five");
    c.send("LUSERS");
    expect((await c.until("251")).filter((l) => /^(4\d\d|FAIL)$/.test(l.command))).toEqual([]);
  });
});
