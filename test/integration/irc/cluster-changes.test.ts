import { afterEach, describe, expect, it } from "vitest";
import { World, ask } from "../../helpers/harness.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { ircSignIn, type IrcClient } from "../../helpers/irc.ts";
import { ircPortOf } from "../../helpers/irc-world.ts";

describe("web edits, deletions and reactions on IRC in a cluster", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("reach IRC clients on both nodes as '* ' PRIVMSG, REDACT and TAGMSG +draft/react", async () => {
    const cluster = await startCluster(2, { CHAT_IRC_PORT: "0" });
    world.onCleanup(() => cluster.close());
    const [a, b] = cluster.nodes;
    const caps = ["message-tags", "draft/message-redaction"];
    const onA = await ircSignIn(ircPortOf(a!.output()), "irca", { caps });
    const onB = await ircSignIn(ircPortOf(b!.output()), "ircb", { caps });
    world.onCleanup(() => onA.close());
    world.onCleanup(() => onB.close());
    for (const c of [onA, onB]) {
      c.send("JOIN #general");
      await c.next("366");
    }
    // The web author is on node B: node A learns of each change through Redis.
    const { client: web } = await world.member(b!, "webby");
    const id = (await ask(web, { type: "say", room: "general", text: "first draft" })).id as string;
    const seen = (c: IrcClient) => c.next((l) => l.command === "PRIVMSG" && l.params[1] === "first draft");
    for (const c of [onA, onB]) expect((await seen(c)).tags.get("msgid")).toBe(id);

    expect(await ask(web, { type: "edit", id, text: "second draft" })).toMatchObject({ type: "ack", id });
    for (const c of [onA, onB]) {
      const line = await c.next("PRIVMSG");
      expect([line.source, ...line.params]).toEqual(["webby!webby@chatd", "#general", "* second draft"]);
      expect(line.tags.get("+draft/reply")).toBe(id);
    }

    expect(await ask(web, { type: "react", id, emoji: "👍" })).toMatchObject({ type: "ack", id });
    for (const c of [onA, onB]) {
      const tag = await c.next("TAGMSG");
      expect(tag.source).toBe("webby!webby@chatd");
      expect(tag.tags.get("+draft/react")).toBe("👍");
      expect(tag.tags.get("+draft/reply")).toBe(id);
    }

    expect(await ask(web, { type: "delete", id })).toMatchObject({ type: "ack", id });
    for (const c of [onA, onB]) expect((await c.next("REDACT")).params).toEqual(["#general", id]);

    // A direct conversation across nodes: the edit reaches the recipient on the other node.
    const dm = (await ask(web, { type: "dm", to: "irca", text: "at 7" })).id as string;
    await onA.next((l) => l.command === "PRIVMSG" && l.params[1] === "at 7");
    expect(await ask(web, { type: "edit", id: dm, text: "at 8" })).toMatchObject({ type: "ack" });
    const edit = await onA.next("PRIVMSG");
    expect([edit.source, ...edit.params]).toEqual(["webby!webby@chatd", "irca", "* at 8"]);
    expect(await ask(web, { type: "delete", id: dm })).toMatchObject({ type: "ack" });
    expect((await onA.next("REDACT")).params).toEqual(["irca", dm]);
  });
});
