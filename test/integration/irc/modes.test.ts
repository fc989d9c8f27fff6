import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { ircSignIn } from "../../helpers/irc.ts";

/** Issue 21: room operators and modes, between web and IRC users of one daemon. */
describe("IRC channel operators and modes", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("the creator is @; +t from IRC reaches the web as `mode` and refuses the web member's topic; web's +o reaches IRC as MODE", async () => {
    const d = await world.daemon({ irc: { port: 0 } });
    const op = await ircSignIn(d.daemon.ircPort!, "opal");
    world.onCleanup(() => op.close());
    op.send("JOIN #den");
    const names = await op.next("353");
    expect(names.params.slice(1)).toEqual(["=", "#den", "@opal"]);
    const { client: web, joined } = await world.member(d, "webby", "den");
    expect(joined).toMatchObject({ operators: ["opal"], voiced: [], modes: { topicLock: false, secret: false } });

    op.send("MODE #den +t");
    expect((await op.next("MODE")).params).toEqual(["#den", "+t"]);
    expect(await web.next("mode")).toMatchObject({ room: "den", mode: "topicLock", on: true, by: "opal" });
    const refused = await web.request({ type: "topic", room: "den", text: "mine", ref: "t1" }, "error");
    expect(refused).toMatchObject({ code: "forbidden", ref: "t1" });

    op.send("MODE #den");
    expect((await op.next("324")).params.slice(1)).toEqual(["#den", "+nt"]);
    expect((await op.next("329")).params[2]).toMatch(/^\d+$/);

    // The web operator case: opal makes webby an operator, webby voices nobody but unlocks the topic.
    op.send("MODE #den +o webby");
    expect((await op.next("MODE")).params).toEqual(["#den", "+o", "webby"]);
    expect(await web.next("mode")).toMatchObject({ mode: "operator", on: true, user: "webby" });
    const ack = await web.request({ type: "mode", room: "den", mode: "topicLock", on: false, ref: "m1" }, "ack", "error");
    expect(ack).toMatchObject({ type: "ack", ref: "m1" });
    const line = await op.next("MODE");
    expect(line.source).toBe("webby!webby@chatd");
    expect(line.params).toEqual(["#den", "-t"]);
    op.send("WHO #den");
    const who = [await op.next("352"), await op.next("352")].map((l) => [l.params[5], l.params[6]]);
    expect(who.sort()).toEqual([["opal", "H@"], ["webby", "H@"]]);
  });

  it("a member who is no operator gets 482 for MODE and for TOPIC under +t; +v shows +", async () => {
    const d = await world.daemon({ irc: { port: 0 } });
    const op = await ircSignIn(d.daemon.ircPort!, "first");
    const other = await ircSignIn(d.daemon.ircPort!, "second");
    world.onCleanup(() => (op.close(), other.close()));
    op.send("JOIN #room2");
    await op.next("366");
    other.send("JOIN #room2");
    await other.next("366");
    other.send("MODE #room2 +t");
    expect((await other.next("482")).params[1]).toBe("#room2");
    op.send("MODE #room2 +tv second");
    expect((await other.next("MODE")).params).toEqual(["#room2", "+t"]);
    expect((await other.next("MODE")).params).toEqual(["#room2", "+v", "second"]);
    other.send("TOPIC #room2 :nope");
    expect((await other.next("482")).params[1]).toBe("#room2");
    other.send("NAMES #room2");
    expect((await other.next("353")).params[3]!.split(" ").sort()).toEqual(["+second", "@first"]);
    op.send("MODE #room2 +o nobody-here");
    expect((await op.next((l) => l.command === "401" || l.command === "441")).command).toBe("401");
  });

  it("MODE +o/+v from a client not on the channel is 442 (it is not on it), not 441 (which would say the nick is not)", async () => {
    const d = await world.daemon({ irc: { port: 0 } });
    const op = await ircSignIn(d.daemon.ircPort!, "holder");
    const outsider = await ircSignIn(d.daemon.ircPort!, "outsider");
    world.onCleanup(() => (op.close(), outsider.close()));
    op.send("JOIN #room3");
    await op.next("366");
    const answer = () => outsider.next((l) => l.command === "441" || l.command === "442");
    outsider.send("MODE #room3 +o holder");
    expect((await answer()).params).toEqual(["outsider", "#room3", "You're not on that channel"]);
    outsider.send("MODE #room3 -v outsider");
    expect((await answer()).params).toEqual(["outsider", "#room3", "You're not on that channel"]);
    // On the channel, a nick that is not is 441.
    op.send("MODE #room3 +v outsider");
    expect((await op.next((l) => l.command === "441" || l.command === "442")).params).toEqual(["holder", "outsider", "#room3", "They aren't on that channel"]);
  });
});
