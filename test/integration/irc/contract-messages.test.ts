import { describe, expect, it } from "vitest";
import type { Line } from "../../helpers/irc.ts";
import { useIrcWorld } from "../../helpers/irc-world.ts";

/** docs/irc.md's mapping of channels and messages between IRC and the web, claim by claim, from outside. */
describe("the IRC gateway as documented: channels and messages", () => {
  const { world, daemon, sign, raw, join, last } = useIrcWorld();

  it("JOIN #a,#b joins each with JOIN, 353 and 366 (web members too); JOIN 0 leaves every room; rooms are case-insensitive", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby", "alpha");
    const c = await sign(d, "joiner");
    c.send("JOIN #alpha,#beta");
    const lines = await c.until((l) => l.command === "366" && l.params[1] === "#beta");
    expect(lines.filter((l) => l.command === "JOIN").map((l) => l.params[0])).toEqual(["#alpha", "#beta"]);
    const names = lines.filter((l) => l.command === "353");
    expect(names.map((l) => l.params[2])).toEqual(["#alpha", "#beta"]);
    // (Room operators' @ is another file's subject.)
    const bare = (l: Line) => l.params[3]!.split(" ").map((n) => n.replace(/^[@+]+/, "")).sort();
    expect(bare(names[0]!)).toEqual(["joiner", "webby"]);
    expect(bare(names[1]!)).toEqual(["joiner"]);
    // #ALPHA is #alpha.
    c.send("PRIVMSG #ALPHA :same room");
    expect(await web.next("message")).toMatchObject({ room: "alpha", from: "joiner", text: "same room" });
    c.send("JOIN 0");
    const parts = [await c.next("PART"), await c.next("PART")];
    expect(parts.map((l) => l.params[0]).sort()).toEqual(["#alpha", "#beta"]);
    c.send("PRIVMSG #alpha :gone");
    await c.next("404");
  });

  it("a PART's reason reaches web and IRC members, cut to 300 characters", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby");
    const stay = await sign(d, "stayer");
    await join(stay, "#general");
    const c = await sign(d, "leaver");
    await join(c, "#general");
    c.send(`PART #general :${"r".repeat(400)}`);
    const part = await stay.next((l) => l.command === "PART" && l.source?.startsWith("leaver!") === true);
    expect(part.params).toEqual(["#general", "r".repeat(300)]);
    let presence = await web.next("presence");
    while (presence.event !== "leave") presence = await web.next("presence");
    expect(presence).toMatchObject({ user: "leaver", reason: "r".repeat(300) });
  });

  it("a PART's 300 characters are code points: an emoji counts one and is never split", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby");
    const c = await sign(d, "leaver");
    await join(c, "#general");
    // 301 code points (304 UTF-16 code units, 310 bytes): the first 300 are 298 r and two emoji.
    c.send(`PART #general :${"r".repeat(298)}${"😀".repeat(3)}`);
    let presence = await web.next("presence");
    while (presence.event !== "leave") presence = await web.next("presence");
    expect(presence).toMatchObject({ user: "leaver", reason: `${"r".repeat(298)}😀😀` });
  });

  it("NOTICE to a room is a stored notice (web: notice true, IRC: NOTICE); a NOTICE is never answered with an error", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby");
    const other = await sign(d, "other");
    await join(other, "#general");
    const c = await sign(d, "noticer");
    await join(c, "#general");
    c.send("NOTICE #general :heads up");
    expect(await web.next("message")).toMatchObject({ from: "noticer", text: "heads up", notice: true });
    expect((await other.next((l) => l.command === "NOTICE" || l.command === "PRIVMSG")).command).toBe("NOTICE");
    // To a nick: a dm as a notice, which an IRC user gets as NOTICE.
    c.send("NOTICE webby :psst");
    expect(await web.next("dm")).toMatchObject({ from: "noticer", to: "webby", text: "psst", notice: true });
    c.send("NOTICE other :psst too");
    const dm = await other.next((l) => l.command === "NOTICE" || l.command === "PRIVMSG");
    expect([dm.command, dm.source, ...dm.params]).toEqual(["NOTICE", "noticer!noticer@chatd", "other", "psst too"]);
    // Errors a PRIVMSG would get: not for a NOTICE.
    c.send("NOTICE #elsewhere :no such membership");
    c.send("NOTICE nobody-by-that-name :hello?");
    c.send("NOTICE #general :");
    c.send("LUSERS");
    const until = await c.until("251");
    expect(until.filter((l) => /^(4\d\d|FAIL)$/.test(l.command))).toEqual([]);
  });

  it("PRIVMSG to a nick is a dm; to one's own nick it comes back as received besides the echo; ACTION is /me; other CTCP is not relayed", async () => {
    const d = await daemon();
    const { client: web } = await world.signIn(d, "webby");
    const c = await sign(d, "talker", { caps: ["echo-message"] });
    c.send("PRIVMSG webby :\u0001ACTION waves\u0001");
    expect(await web.next("dm")).toMatchObject({ from: "talker", to: "webby", text: "/me waves" });
    c.send("PRIVMSG webby :\u0001VERSION\u0001");
    c.send("PRIVMSG webby :after the ctcp");
    expect((await web.next("dm")).text).toBe("after the ctcp");
    await c.next((l) => l.command === "PRIVMSG" && last(l) === "after the ctcp"); // its echo
    web.send({ type: "dm", to: "talker", text: "/me nods", ref: 1 });
    expect((await c.next((l) => l.command === "PRIVMSG" && l.source?.startsWith("webby!") === true)).params).toEqual(["talker", "\u0001ACTION nods\u0001"]);
    c.send("PRIVMSG talker :note to self");
    const back = [await c.next("PRIVMSG"), await c.next("PRIVMSG")];
    expect(back.map((l) => [l.source, ...l.params])).toEqual([
      ["talker!talker@chatd", "talker", "note to self"],
      ["talker!talker@chatd", "talker", "note to self"],
    ]);
  });

  it("IRC formatting passes through; other control characters are dropped and a tab becomes a space", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby");
    const c = await sign(d, "fmt");
    await join(c, "#general");
    const formatting = "\u0002b\u0002 \u000304c\u0003 \u0004ff0000h\u0004 \u000fr \u0011m \u0016v \u001di \u001es \u001fu";
    c.send(`PRIVMSG #general :${formatting}`);
    expect((await web.next("message")).text).toBe(formatting);
    c.send("PRIVMSG #general :a\u0007b\u001bc\td\u0005e");
    expect((await web.next("message")).text).toBe("abc de");
  });

  it("a PART's or QUIT's reason reaches web users without control characters, as a message does", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby");
    const leave = async () => {
      let presence = await web.next("presence");
      while (presence.event !== "leave") presence = await web.next("presence");
      return presence;
    };
    const parter = await sign(d, "parter");
    await join(parter, "#general");
    parter.send("PART #general :\u0002a\u0002\u0007b\u001bc\td\u0001");
    expect(await leave()).toMatchObject({ user: "parter", reason: "\u0002a\u0002bc d" });
    const quitter = await sign(d, "quitter");
    await join(quitter, "#general");
    quitter.send("QUIT :x\u0007y\u0005z");
    expect(await leave()).toMatchObject({ user: "quitter", reason: "xyz", quit: true });
  });

  it("a web message of several lines is a PRIVMSG per non-blank line, each with the same tags; a line over 512 bytes is split", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby");
    const c = await sign(d, "reader", { caps: ["message-tags", "server-time"] });
    await join(c, "#general");
    web.send({ type: "say", room: "general", text: "one\n\n  \ntwo", ref: 1 });
    const ack = await web.next("ack");
    const lines = [await c.next("PRIVMSG"), await c.next("PRIVMSG")];
    expect(lines.map((l) => l.params)).toEqual([["#general", "one"], ["#general", "two"]]);
    expect(lines.map((l) => l.tags.get("msgid"))).toEqual([ack.id, ack.id]);
    expect(lines[0]!.tags.get("time")).toBe(lines[1]!.tags.get("time"));
    const long = "word ".repeat(300).trim(); // 1499 bytes
    web.send({ type: "say", room: "general", text: long, ref: 2 });
    const parts: Line[] = [];
    while (parts.map((l) => last(l)).join("").replace(/ /g, "").length < long.replace(/ /g, "").length) parts.push(await c.next("PRIVMSG"));
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      const withoutTags = p.raw.replace(/^@\S+ /, "");
      expect(Buffer.byteLength(withoutTags) + 2).toBeLessThanOrEqual(512);
    }
    expect(parts.map((l) => last(l)).join(" ").replace(/\s+/g, " ")).toBe(long);
  });

  it("web joins and leaves are JOIN and PART; broadcasts and a motd change are NOTICEs from the server", async () => {
    const d = await daemon();
    const c = await sign(d, "watcher");
    await join(c, "#general");
    const { client: web } = await world.member(d, "webby");
    expect((await c.next("JOIN")).source).toBe("webby!webby@chatd");
    web.send({ type: "leave", room: "general" });
    expect((await c.next("PART")).source).toBe("webby!webby@chatd");
    expect((await d.http("/admin/broadcast", { method: "POST", admin: true, body: JSON.stringify({ text: "Maintenance soon" }) })).status).toBe(200);
    const notice = await c.next("NOTICE");
    expect(notice.source).toBe("chatd");
    expect(notice.params[0]).toBe("watcher");
    expect(last(notice)).toContain("Maintenance soon");
    expect((await d.http("/admin/motd", { method: "PUT", admin: true, body: JSON.stringify({ motd: "New rules" }) })).status).toBe(200);
    const motd = await c.next("NOTICE");
    expect(motd.source).toBe("chatd");
    expect(last(motd)).toContain("New rules");
  });

  it("NAMES with userhost-in-names lists name!name@<serverName>; a web message's shared files follow as [file] lines", async () => {
    const d = await daemon({ serverName: "irc.local" });
    const { client: web, welcome } = await world.member(d, "webby");
    const c = await sign(d, "namer", { caps: ["userhost-in-names"] });
    const names = (await join(c, "#general")).find((l) => l.command === "353")!;
    expect(names.params[3]!.split(" ").map((n) => n.replace(/^[@+]+/, "")).sort()).toEqual(["namer!namer@irc.local", "webby!webby@irc.local"]);

    const form = new FormData();
    form.append("file", new Blob(["hello file"]), "notes.txt");
    const upload = await fetch(`${d.url}/files`, { method: "POST", body: form, headers: { Authorization: `Bearer ${String(welcome.token)}` } });
    expect(upload.status).toBe(201);
    const file = (await upload.json()) as { id: string; url: string };
    web.send({ type: "say", room: "general", text: "see attached", files: [file.id], ref: 1 });
    expect(last(await c.next("PRIVMSG"))).toBe("see attached");
    expect(last(await c.next("PRIVMSG"))).toBe(`[file] notes.txt (10 bytes) ${file.url}`);
  });

  it("a web user's presence is JOIN with the first session in and QUIT with the last one out", async () => {
    const d = await daemon();
    const c = await sign(d, "observer");
    await join(c, "#general");
    const { client: one } = await world.member(d, "multi");
    expect((await c.next("JOIN")).source).toBe("multi!multi@chatd");
    const { client: two } = await world.member(d, "multi");
    await one.close();
    expect(await c.quiet((l) => ["JOIN", "PART", "QUIT"].includes(l.command) && l.source?.startsWith("multi!") === true, 500)).toBe(true);
    await two.close();
    // The user's last connection closed: a QUIT (docs/irc.md), with no reason from a web page.
    const quit = await c.next("QUIT");
    expect([quit.source, quit.params[0]]).toEqual(["multi!multi@chatd", "Quit"]);
  });
});
