import { describe, expect, it } from "vitest";
import { useIrcWorld } from "../../helpers/irc-world.ts";

/**
 * docs/irc.md's answers to a msgid that names no message (+draft/reply, REDACT, +draft/react),
 * malformed ones included: chatd's `not_found`, never a 412 or an internal error.
 */
describe("the IRC gateway as documented: msgids that name no message", () => {
  const { world, daemon, sign, join } = useIrcWorld();
  const MALFORMED = ["not-a-msgid", "😀", "x".repeat(100)];

  it("a PRIVMSG whose +draft/reply names no message (malformed or unknown) is FAIL PRIVMSG NOT_FOUND <target>, and is not sent", async () => {
    const d = await daemon();
    const { client: web } = await world.member(d, "webby");
    const c = await sign(d, "replier", { caps: ["message-tags", "echo-message"] });
    await join(c, "#general");
    for (const id of [...MALFORMED, "1700000000000-999999"]) {
      c.send(`@+draft/reply=${id} PRIVMSG #general :orphan`);
      const fail = await c.next((l) => l.command === "FAIL" || l.command === "PRIVMSG" || /^\d{3}$/.test(l.command));
      expect([fail.command, ...fail.params.slice(0, 3)], id).toEqual(["FAIL", "PRIVMSG", "NOT_FOUND", "#general"]);
    }
    // To a nick as well.
    c.send("@+draft/reply=not-a-msgid PRIVMSG webby :orphan dm");
    const dmFail = await c.next((l) => l.command === "FAIL" || l.command === "PRIVMSG");
    expect([dmFail.command, ...dmFail.params.slice(0, 3)]).toEqual(["FAIL", "PRIVMSG", "NOT_FOUND", "webby"]);
    // A NOTICE is never answered; nothing of the refused ones reached the room.
    c.send("@+draft/reply=not-a-msgid NOTICE #general :orphan notice");
    c.send("PRIVMSG #general :after");
    const lines = await c.until((l) => l.command === "PRIVMSG" && l.params[1] === "after");
    expect(lines.filter((l) => l.command === "FAIL" || l.command === "NOTICE")).toEqual([]);
    expect(await web.next("message")).toMatchObject({ from: "replier", text: "after" });
    expect(web.frames.filter((f) => (f.type === "message" || f.type === "dm") && f.from === "replier").map((f) => f.text)).toEqual(["after"]);
  });

  it("a REDACT of a malformed msgid is FAIL REDACT UNKNOWN_MSGID <target> <msgid>", async () => {
    const d = await daemon();
    const c = await sign(d, "redactor", { caps: ["draft/message-redaction", "message-tags"] });
    await join(c, "#general");
    for (const id of MALFORMED) {
      c.send(`REDACT #general ${id}`);
      const fail = await c.next((l) => l.command === "FAIL" || /^\d{3}$/.test(l.command));
      expect([fail.command, ...fail.params.slice(0, 4)], id).toEqual(["FAIL", "REDACT", "UNKNOWN_MSGID", "#general", id]);
    }
  });

  it("a TAGMSG reaction whose +draft/reply is malformed is FAIL TAGMSG NOT_FOUND <target>", async () => {
    const d = await daemon();
    const c = await sign(d, "reactor", { caps: ["message-tags", "echo-message"] });
    await join(c, "#general");
    c.send("@+draft/react=👍;+draft/reply=not-a-msgid TAGMSG #general");
    const fail = await c.next((l) => l.command === "FAIL" || l.command === "TAGMSG" || /^\d{3}$/.test(l.command));
    expect([fail.command, ...fail.params.slice(0, 3)]).toEqual(["FAIL", "TAGMSG", "NOT_FOUND", "#general"]);
  });
});
