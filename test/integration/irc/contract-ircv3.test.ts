import { describe, expect, it } from "vitest";
import { say } from "../../helpers/harness.ts";
import type { IrcClient, Line } from "../../helpers/irc.ts";
import { joinChannel, trailing, useIrcWorld } from "../../helpers/irc-world.ts";
import type { TestDaemon } from "../../helpers/daemon.ts";

/** docs/irc.md's IRCv3 section, claim by claim, from outside. */
describe("the IRC gateway's IRCv3 as documented", () => {
  const irc = useIrcWorld();
  const { world, daemon, sign, join, last } = irc;

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
    // n counts messages: a deleted one takes no place.
    expect(texts(await history(c, `CHATHISTORY BEFORE #hist msgid=${ids[2]} 1`))).toEqual(["m1"]);
    expect(texts(await history(c, "CHATHISTORY LATEST #hist * 4"))).toEqual(["m1", "m3", "m4 edited", "m5"]);
    expect(texts(await history(c, `CHATHISTORY BEFORE #hist msgid=${ids[0]} 5`))).toEqual([]);
    expect(texts(await history(c, `CHATHISTORY LATEST #hist msgid=${ids[0]} 2`))).toEqual(["m4 edited", "m5"]);
    expect(texts(await history(c, `CHATHISTORY AFTER #hist msgid=${ids[0]} 1`))).toEqual(["m3"]);

    // A direct conversation is a nick's history.
    web.send({ type: "dm", to: "historian", text: "private words", ref: "dm1" });
    // Both sides' conversation index is written before the sender's ack (delivery does not wait for it).
    while ((await web.next("ack")).ref !== "dm1");
    await c.next((l) => l.command === "PRIVMSG" && trailing(l) === "private words");
    expect(texts(await history(c, "CHATHISTORY LATEST webby * 10"))).toEqual(["private words"]);
    // There too a deleted message takes no place.
    const dmIds: string[] = [];
    for (const text of ["second dm", "third dm"]) {
      web.send({ type: "dm", to: "historian", text, ref: text });
      let ack = await web.next("ack");
      while (ack.ref !== text) ack = await web.next("ack");
      dmIds.push(String(ack.id));
    }
    web.send({ type: "delete", id: dmIds[0], ref: "dd" });
    while ((await web.next()).type !== "deleted");
    expect(texts(await history(c, `CHATHISTORY BEFORE webby msgid=${dmIds[1]} 1`))).toEqual(["private words"]);
    expect(texts(await history(c, "CHATHISTORY LATEST webby * 2"))).toEqual(["private words", "third dm"]);
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

  it("echo-message is the ack: it comes once the message is stored, with its msgid, time and account tags", async () => {
    const d = await daemon();
    const c = await sign(d, "echoer", { caps: ["echo-message", "message-tags", "server-time", "account-tag"] });
    await join(c, "#general");
    c.send("PRIVMSG #general :durable");
    const echo = await c.next("PRIVMSG");
    expect(echo.params).toEqual(["#general", "durable"]);
    expect(echo.tags.get("account")).toBe("echoer");
    const res = await d.http("/admin/log?room=general&limit=5", { admin: true });
    const body = (await res.json()) as { messages?: Array<{ id: string; ts: number; text: string }> } | Array<{ id: string; ts: number; text: string }>;
    const messages = Array.isArray(body) ? body : body.messages!;
    const stored = messages.find((m) => m.text === "durable")!;
    expect(echo.tags.get("msgid")).toBe(stored.id);
    expect(Date.parse(echo.tags.get("time")!)).toBe(stored.ts);
  });

  it("labeled-response: one line carries the label, several come in a labeled-response batch, none is ACK", async () => {
    const d = await daemon();
    const c = await sign(d, "labeler", { caps: ["labeled-response", "batch", "message-tags"] });
    c.send("@label=one LUSERS");
    const opened = await c.next("BATCH");
    expect(opened.tags.get("label")).toBe("one");
    expect(opened.params[1]).toBe("labeled-response");
    await c.next((l) => l.command === "BATCH" && l.params[0] === `-${opened.params[0]!.slice(1)}`);
    c.send("@label=two AWAY :x");
    const single = await c.next("306");
    expect(single.tags.get("label")).toBe("two");
    await join(c, "#general");
    c.send("@label=three PRIVMSG #general :no echo without echo-message");
    const ack = await c.next((l) => l.tags.get("label") === "three");
    expect(ack.command).toBe("ACK");
  });

  it("CHATHISTORY: LATEST, BEFORE, AFTER, AROUND, BETWEEN and TARGETS as documented; bad input is INVALID_PARAMS, a room one is not in INVALID_TARGET", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby", "hist");
    const ids = await say(web, "hist", ["m1", "m2", "m3", "m4", "m5"]);
    const c = await sign(d, "historian", { caps: ["draft/chathistory", "batch", "message-tags", "server-time"] });
    const joined = await join(c, "#hist");
    // With draft/chathistory there is no replay on JOIN.
    expect(joined.filter((l) => l.command === "PRIVMSG")).toEqual([]);
    const history = async (line: string) => {
      c.send(line);
      const start = await c.next((l) => l.command === "BATCH" || l.command === "FAIL");
      if (start.command === "FAIL") return start;
      expect(start.params[1]).toBe("chathistory");
      const lines = await c.until((l) => l.command === "BATCH" && l.params[0] === `-${start.params[0]!.slice(1)}`);
      return lines.filter((l) => l.command === "PRIVMSG").map((l) => last(l));
    };
    expect(await history("CHATHISTORY LATEST #hist * 2")).toEqual(["m4", "m5"]);
    expect(await history(`CHATHISTORY LATEST #hist msgid=${ids[2]} 10`)).toEqual(["m4", "m5"]);
    expect(await history(`CHATHISTORY BEFORE #hist msgid=${ids[2]} 2`)).toEqual(["m1", "m2"]);
    expect(await history(`CHATHISTORY AFTER #hist msgid=${ids[2]} 1`)).toEqual(["m4"]);
    expect(await history(`CHATHISTORY AROUND #hist msgid=${ids[2]} 1`)).toEqual(["m3"]);
    expect(await history(`CHATHISTORY AROUND #hist msgid=${ids[2]} 3`)).toEqual(["m2", "m3", "m4"]);
    // A side with fewer leaves its share to the other.
    expect(await history(`CHATHISTORY AROUND #hist msgid=${ids[0]} 3`)).toEqual(["m1", "m2", "m3"]);
    expect(await history(`CHATHISTORY AROUND #hist msgid=${ids[4]} 3`)).toEqual(["m3", "m4", "m5"]);
    expect(await history(`CHATHISTORY BETWEEN #hist msgid=${ids[0]} msgid=${ids[4]} 10`)).toEqual(["m2", "m3", "m4"]);
    expect(await history(`CHATHISTORY BETWEEN #hist msgid=${ids[4]} msgid=${ids[0]} 2`)).toEqual(["m3", "m4"]);
    const bad = await history("CHATHISTORY SIDEWAYS #hist * 2");
    expect([(bad as Line).command, ...(bad as Line).params.slice(0, 2)]).toEqual(["FAIL", "CHATHISTORY", "INVALID_PARAMS"]);
    const outside = await history("CHATHISTORY LATEST #general * 2");
    expect((outside as Line).params.slice(0, 4)).toEqual(["CHATHISTORY", "INVALID_TARGET", "LATEST", "#general"]);
    // A timestamp stands for its millisecond.
    c.send("CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=2100-01-01T00:00:00.000Z 10");
    const start = await c.next("BATCH");
    expect(start.params[1]).toBe("draft/chathistory-targets");
    const targets = (await c.until((l) => l.command === "BATCH" && l.params[0]!.startsWith("-"))).filter((l) => l.command === "CHATHISTORY");
    expect(targets.map((l) => [l.source, ...l.params.slice(0, 2)])).toEqual([["chatd", "TARGETS", "#hist"]]);
  });

  it("replay on JOIN: a client without draft/chathistory gets the latest limits.historyOnJoin messages, with time under server-time; irc.replayOnJoin false sends none", async () => {
    const d = await daemon({}, { limits: { historyOnJoin: 2 } });
    const { client: web } = await world.member(d, "webby");
    await say(web, "general", ["a", "b", "c"]);
    const c = await sign(d, "replayed", { caps: ["server-time"] });
    const lines = await join(c, "#general");
    await c.quiet("PRIVMSG", 300);
    const replay = c.lines.filter((l) => l.command === "PRIVMSG");
    expect(replay.map((l) => last(l))).toEqual(["b", "c"]);
    expect(replay.every((l) => l.tags.has("time"))).toBe(true);
    expect(lines.length).toBeGreaterThan(0);
    // An edited message comes with its latest text; a deleted one is left out (its place stays empty).
    const ids = await say(web, "general", ["d"]);
    web.send({ type: "edit", id: ids[0], text: "d edited", ref: "e" });
    await web.next("edited");
    const [gone] = await say(web, "general", ["e"]);
    web.send({ type: "delete", id: gone, ref: "x" });
    await web.next("deleted");
    const again = await sign(d, "replayed2", { caps: ["message-tags"] });
    await join(again, "#general");
    await again.quiet("PRIVMSG", 300);
    const second = again.lines.filter((l) => l.command === "PRIVMSG");
    // The latest 2 are d and the deleted e: the replay holds d alone, with its latest text.
    expect(second.map((l) => [l.tags.get("msgid"), last(l)])).toEqual([[ids[0], "d edited"]]);

    const d2 = await daemon({ replayOnJoin: false });
    const { client: web2 } = await world.member(d2, "webby");
    await say(web2, "general", ["x"]);
    const c2 = await sign(d2, "fresh");
    await join(c2, "#general");
    expect(await c2.quiet("PRIVMSG", 300)).toBe(true);
  });

  it("REDACT: the author's is chatd delete; another's is REDACT_FORBIDDEN, an unknown id UNKNOWN_MSGID; a web deletion comes as REDACT from the server", async () => {
    const d = await daemon({ serverName: "srv" });
    const { client: web } = await world.member(d, "webby");
    const c = await sign(d, "redactor", { caps: ["draft/message-redaction", "echo-message", "message-tags"] });
    await join(c, "#general");
    c.send("PRIVMSG #general :oops");
    const mine = (await c.next("PRIVMSG")).tags.get("msgid")!;
    c.send(`REDACT #general ${mine} :typo`);
    expect(await web.next("deleted")).toMatchObject({ id: mine });
    const [theirs] = await say(web, "general", ["web words"]);
    c.send(`REDACT #general ${theirs}`);
    expect((await c.next("FAIL")).params.slice(0, 2)).toEqual(["REDACT", "REDACT_FORBIDDEN"]);
    c.send("REDACT #general 1700000000000-999999");
    expect((await c.next("FAIL")).params.slice(0, 2)).toEqual(["REDACT", "UNKNOWN_MSGID"]);
    web.send({ type: "delete", id: theirs, ref: "d" });
    const redact = await c.next((l) => l.command === "REDACT" && l.params[1] === theirs);
    expect([redact.source, ...redact.params]).toEqual(["srv", "#general", theirs]);
  });

});
