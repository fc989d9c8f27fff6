import bcrypt from "bcryptjs";
import { afterEach, describe, expect, it } from "vitest";
import { World, say } from "../../helpers/harness.ts";
import type { IrcClient, Line } from "../../helpers/irc.ts";
import { ircWorld, joinChannel, trailing } from "../../helpers/irc-world.ts";
import { createLogger } from "../../../src/log.ts";
import type { TestDaemon } from "../../helpers/daemon.ts";

/** docs/irc.md's IRCv3 section and OPER's answers, claim by claim, from outside. */
describe("the IRC gateway's IRCv3 and OPER as documented", () => {
  const world = new World();
  afterEach(() => world.cleanup());
  const irc = ircWorld(world);

  /** Messages of a room as the admin log has them, oldest first. */
  async function stored(d: TestDaemon, room: string): Promise<Array<{ id: string; ts: number; text: string }>> {
    const body = (await (await d.http(`/admin/log?room=${room}&limit=100`, { admin: true })).json()) as { messages: Array<{ id: string; ts: number; text: string }> };
    return body.messages;
  }

  /** A CHATHISTORY request's PRIVMSG/NOTICE lines (from its batch), or its FAIL. */
  async function history(c: IrcClient, line: string): Promise<Line[] | Line> {
    c.send(line);
    const start = await c.next((l) => l.command === "BATCH" || l.command === "FAIL");
    if (start.command === "FAIL") return start;
    expect(start.params[1]).toBe("chathistory");
    const lines = await c.until((l) => l.command === "BATCH" && l.params[0] === `-${start.params[0]!.slice(1)}`);
    return lines.filter((l) => l.command === "PRIVMSG" || l.command === "NOTICE");
  }
  const texts = (lines: Line[] | Line) => (lines as Line[]).map(trailing);

  it("CHATHISTORY by timestamp (its millisecond), the cap on n, a direct conversation, TARGETS with conversations; edits show their latest text, deletions are left out", async () => {
    const d = await irc.daemon();
    const { client: web } = await world.member(d, "webby", "hist");
    const ids: string[] = [];
    for (const text of ["m1", "m2", "m3", "m4", "m5"]) {
      ids.push(...(await say(web, "hist", [text])));
      await new Promise((r) => setTimeout(r, 5));
    }
    const ts = new Map((await stored(d, "hist")).map((m) => [m.text, new Date(m.ts).toISOString()]));
    const c = await irc.sign(d, "historian", { caps: ["draft/chathistory", "batch", "message-tags", "server-time", "account-tag"] });
    await joinChannel(c, "#hist");
    expect(texts(await history(c, `CHATHISTORY BEFORE #hist timestamp=${ts.get("m3")} 10`))).toEqual(["m1", "m2"]);
    expect(texts(await history(c, `CHATHISTORY AFTER #hist timestamp=${ts.get("m3")} 10`))).toEqual(["m4", "m5"]);
    expect(texts(await history(c, `CHATHISTORY LATEST #hist timestamp=${ts.get("m3")} 10`))).toEqual(["m4", "m5"]);
    expect(texts(await history(c, `CHATHISTORY AROUND #hist timestamp=${ts.get("m3")} 1`))).toEqual(["m3"]);
    expect(texts(await history(c, `CHATHISTORY BETWEEN #hist timestamp=${ts.get("m1")} timestamp=${ts.get("m4")} 10`))).toEqual(["m2", "m3"]);
    // n past the cap is no error.
    expect(texts(await history(c, "CHATHISTORY LATEST #hist * 5000"))).toEqual(["m1", "m2", "m3", "m4", "m5"]);
    // Each line carries time, msgid (chatd's id) and account.
    const latest = (await history(c, "CHATHISTORY LATEST #hist * 1")) as Line[];
    expect([latest[0]!.source, latest[0]!.tags.get("msgid"), latest[0]!.tags.get("account"), latest[0]!.tags.get("time")]).toEqual(["webby!webby@chatd", ids[4], "webby", ts.get("m5")]);

    web.send({ type: "edit", id: ids[3], text: "m4 edited", ref: "e" });
    await web.next("edited");
    web.send({ type: "delete", id: ids[1], ref: "d" });
    await web.next("deleted");
    const after = (await history(c, "CHATHISTORY LATEST #hist * 10")) as Line[];
    expect(after.map((l) => [l.tags.get("msgid"), trailing(l)])).toEqual([[ids[0], "m1"], [ids[2], "m3"], [ids[3], "m4 edited"], [ids[4], "m5"]]);

    // A direct conversation is a nick's history.
    web.send({ type: "dm", to: "historian", text: "private words", ref: "dm1" });
    // Both sides' conversation index is written before the sender's ack (delivery does not wait for it).
    while ((await web.next("ack")).ref !== "dm1");
    await c.next((l) => l.command === "PRIVMSG" && trailing(l) === "private words");
    expect(texts(await history(c, "CHATHISTORY LATEST webby * 10"))).toEqual(["private words"]);
    const bad = (await history(c, "CHATHISTORY LATEST bad.name! * 10")) as Line;
    expect(bad.params.slice(0, 4)).toEqual(["CHATHISTORY", "INVALID_TARGET", "LATEST", "bad.name!"]);
    const limit = (await history(c, "CHATHISTORY LATEST #hist * zero")) as Line;
    expect(limit.params.slice(0, 2)).toEqual(["CHATHISTORY", "INVALID_PARAMS"]);

    // TARGETS: the room and the conversation, oldest latest message first, each with its time.
    c.send("CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=2100-01-01T00:00:00.000Z 10");
    expect((await c.next("BATCH")).params[1]).toBe("draft/chathistory-targets");
    const rows = (await c.until((l) => l.command === "BATCH" && l.params[0]!.startsWith("-"))).filter((l) => l.command === "CHATHISTORY");
    expect(rows.map((l) => l.params.slice(0, 2))).toEqual([["TARGETS", "#hist"], ["TARGETS", "webby"]]);
    expect(rows[0]!.params[2]).toBe(ts.get("m5"));
    // The window is exclusive and in either order; n bounds it.
    c.send(`CHATHISTORY TARGETS timestamp=2100-01-01T00:00:00.000Z timestamp=${ts.get("m5")} 1`);
    await c.next("BATCH");
    const late = (await c.until((l) => l.command === "BATCH" && l.params[0]!.startsWith("-"))).filter((l) => l.command === "CHATHISTORY");
    expect(late.map((l) => l.params[1])).toEqual(["webby"]);
  });

  it("web edits, replies and reactions reach IRC: '* ' PRIVMSG with +draft/reply and the edit's time, +draft/reply on a reply, TAGMSG +draft/react and +draft/unreact", async () => {
    const d = await irc.daemon();
    const { client: web } = await world.member(d, "webby");
    const c = await irc.sign(d, "viewer", { caps: ["message-tags", "server-time"] });
    await joinChannel(c, "#general");
    const [id] = await say(web, "general", ["hello world"]);
    await c.next((l) => l.command === "PRIVMSG" && trailing(l) === "hello world");
    web.send({ type: "edit", id, text: "hello, world!", ref: "e" });
    const edited = await web.next("edited");
    const edit = await c.next("PRIVMSG");
    expect([edit.source, ...edit.params]).toEqual(["webby!webby@chatd", "#general", "* hello, world!"]);
    expect(edit.tags.get("+draft/reply")).toBe(id);
    expect(edit.tags.has("msgid")).toBe(false);
    expect(Date.parse(edit.tags.get("time")!)).toBe(edited.editedAt);

    web.send({ type: "say", room: "general", text: "a reply", replyTo: id, ref: "r" });
    const reply = await c.next((l) => l.command === "PRIVMSG" && trailing(l) === "a reply");
    expect(reply.tags.get("+draft/reply")).toBe(id);

    web.send({ type: "react", id, emoji: "👍", ref: "x" });
    const react = await c.next("TAGMSG");
    expect([react.source, ...react.params]).toEqual(["webby!webby@chatd", "#general"]);
    expect([react.tags.get("+draft/react"), react.tags.get("+draft/reply")]).toEqual(["👍", id]);
    web.send({ type: "react", id, emoji: "👍", ref: "y" });
    const unreact = await c.next("TAGMSG");
    expect([unreact.tags.get("+draft/unreact"), unreact.tags.get("+draft/reply")]).toEqual(["👍", id]);
  });

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
});
