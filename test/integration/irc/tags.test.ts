import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { ircSignIn, type IrcClient } from "../../helpers/irc.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { ircPortOf } from "../../helpers/irc-world.ts";

/** Client-only tags (IRCv3 message-tags): relayed to clients with message-tags, never to others (docs/irc.md). */
describe("IRC client-only tags", () => {
  const world = new World();
  afterEach(() => world.cleanup());
  const ircDaemon = () => world.daemon({ irc: { port: 0 } });

  async function inGeneral(port: number, nick: string, caps: string[]): Promise<IrcClient> {
    const c = await ircSignIn(port, nick, { caps });
    world.onCleanup(() => c.close());
    c.send("JOIN #general");
    await c.next("366");
    return c;
  }

  it("a PRIVMSG's client tags are stored with it: message-tags clients get them, others and server tags do not pass", async () => {
    const d = await ircDaemon();
    const { client: web } = await world.member(d, "webby");
    const port = d.daemon.ircPort!;
    const alice = await inGeneral(port, "alice", ["message-tags", "echo-message"]);
    const bob = await inGeneral(port, "bob", ["message-tags"]);
    const carol = await inGeneral(port, "carol", []);
    const dave = await inGeneral(port, "dave", ["server-time"]);

    alice.send("@+baz=bat;fizz=buzz;+example.com/x=a\\sb\\:c PRIVMSG #general :hi");
    const echo = await alice.next("PRIVMSG");
    const got = await bob.next("PRIVMSG");
    for (const l of [echo, got]) {
      expect(l.params).toEqual(["#general", "hi"]);
      expect(l.tags.get("+baz")).toBe("bat");
      expect(l.tags.get("+example.com/x")).toBe("a b;c");
      expect(l.tags.has("fizz")).toBe(false);
    }
    expect(got.tags.get("msgid")).toBe(echo.tags.get("msgid"));
    const plain = await carol.next("PRIVMSG");
    expect(plain.raw.startsWith(":")).toBe(true);
    const timed = await dave.next("PRIVMSG");
    expect([...timed.tags.keys()]).toEqual(["time"]);
    // The web gets them in the message frame, as stored.
    expect(await web.next("message")).toMatchObject({ from: "alice", text: "hi", tags: { "+baz": "bat", "+example.com/x": "a b;c" } });

    // +draft/reply stays replyTo (not a tag of its own); a DM carries tags too.
    alice.send(`@+draft/reply=${echo.tags.get("msgid")};+x=1 PRIVMSG #general :reply`);
    expect(await web.next("message")).toMatchObject({ text: "reply", replyTo: echo.tags.get("msgid"), tags: { "+x": "1" } });
    const reply = await bob.next("PRIVMSG");
    expect(reply.tags.get("+draft/reply")).toBe(echo.tags.get("msgid"));
    alice.send("@+y=2 PRIVMSG bob :psst");
    expect((await bob.next("PRIVMSG")).tags.get("+y")).toBe("2");
    // A client without message-tags sends no client tags: they are dropped, not stored.
    carol.send("@+z=3 PRIVMSG #general :untagged");
    expect((await web.next("message")).tags).toBeUndefined();
  });

  it("CHATHISTORY and the replay on JOIN give a message's client tags", async () => {
    const d = await ircDaemon();
    const port = d.daemon.ircPort!;
    const alice = await inGeneral(port, "alice", ["message-tags"]);
    alice.send("@+colour=blue PRIVMSG #general :remember me");
    await alice.send("PING :sync");
    await alice.next("PONG");
    const { client: web } = await world.member(d, "webby");
    web.send({ type: "history", room: "general", ref: "h" });
    expect((await web.next("history")).messages).toMatchObject([{ text: "remember me", tags: { "+colour": "blue" } }]);

    const hist = await ircSignIn(port, "hist", { caps: ["message-tags", "batch", "draft/chathistory"] });
    world.onCleanup(() => hist.close());
    hist.send("JOIN #general");
    await hist.next("366");
    hist.send("CHATHISTORY LATEST #general * 10");
    const lines = (await hist.until((l) => l.command === "BATCH" && l.params[0]!.startsWith("-"))).filter((l) => l.command === "PRIVMSG");
    expect(lines.map((l) => [l.params[1], l.tags.get("+colour")])).toEqual([["remember me", "blue"]]);

    const tagged = await inGeneral(port, "tagged", ["message-tags"]);
    expect((await tagged.next("PRIVMSG")).tags.get("+colour")).toBe("blue");
    const untagged = await inGeneral(port, "untagged", []);
    expect((await untagged.next("PRIVMSG")).tags.size).toBe(0);
  });

  it("TAGMSG with client tags reaches message-tags clients (and the web as `tags`) with one msgid; others get nothing", async () => {
    const d = await ircDaemon();
    const { client: web } = await world.member(d, "webby");
    const port = d.daemon.ircPort!;
    const alice = await inGeneral(port, "alice", ["message-tags", "echo-message", "labeled-response", "batch"]);
    const bob = await inGeneral(port, "bob", ["message-tags"]);
    const carol = await inGeneral(port, "carol", ["server-time"]);

    alice.send("@label=l1;+buzz=fizz\\:buzz;cat=dog;+steel=wootz TAGMSG #general");
    const echo = await alice.next("TAGMSG");
    const got = await bob.next("TAGMSG");
    expect(echo.tags.get("label")).toBe("l1");
    expect(got.tags.has("label")).toBe(false);
    for (const l of [echo, got]) {
      expect(l.params).toEqual(["#general"]);
      expect(l.tags.get("+buzz")).toBe("fizz;buzz");
      expect(l.tags.get("+steel")).toBe("wootz");
      expect(l.tags.has("cat")).toBe(false);
      expect(l.raw).toContain(" :alice!alice@");
    }
    expect(got.tags.get("msgid")).toBe(echo.tags.get("msgid"));
    expect(await web.next("tags")).toEqual({ type: "tags", id: echo.tags.get("msgid"), room: "general", from: "alice", tags: { "+buzz": "fizz;buzz", "+steel": "wootz" }, ts: expect.any(Number) });
    expect(await carol.quiet("TAGMSG")).toBe(true);

    // A +draft/react that is no chatd reaction is relayed as a tag; a real one is a stored reaction.
    alice.send("PRIVMSG #general :react to me");
    const msgid = (await alice.next("PRIVMSG")).tags.get("msgid")!;
    alice.send(`@+draft/reply=${msgid};+draft/react=l😃l TAGMSG #general`);
    const odd = await bob.next("TAGMSG");
    expect([odd.tags.get("+draft/react"), odd.tags.get("+draft/reply")]).toEqual(["l😃l", msgid]);
    expect(await web.next("tags")).toMatchObject({ tags: { "+draft/react": "l😃l", "+draft/reply": msgid } });
    alice.send(`@+draft/reply=${msgid};+draft/react=👍 TAGMSG #general`);
    expect(await web.next("reaction")).toMatchObject({ id: msgid, emoji: "👍", user: "alice", on: true });
    expect((await bob.next("TAGMSG")).tags.get("+draft/react")).toBe("👍");
    // Alice's echo of the first, and the reaction as every member gets it.
    expect((await alice.until((l) => l.command === "TAGMSG" && l.tags.get("+draft/react") === "👍")).filter((l) => l.command === "TAGMSG")).toHaveLength(2);

    // To a nick: the recipient gets it; to oneself, the echo and the received copy.
    alice.send("@+typing=paused TAGMSG bob");
    const dm = await bob.next("TAGMSG");
    expect([dm.params, dm.tags.get("+typing")]).toEqual([["bob"], "paused"]);
    expect((await alice.next("TAGMSG")).params).toEqual(["bob"]);
    alice.send("@label=self;+x=1 TAGMSG alice");
    const both = [await alice.next("TAGMSG"), await alice.next("TAGMSG")];
    expect(both.map((l) => l.tags.get("label")).sort()).toEqual(["self", undefined]);
    alice.send("@+x=1 TAGMSG nobody");
    expect((await alice.next("401")).params[1]).toBe("nobody");
    alice.send("@+x=1 TAGMSG #elsewhere");
    expect((await alice.next("404")).params[1]).toBe("#elsewhere");
  });

  it("a web client's `tags` frame reaches IRC message-tags clients; its ack names the id", async () => {
    const d = await ircDaemon();
    const { client: web } = await world.member(d, "webby");
    const bob = await inGeneral(d.daemon.ircPort!, "bob", ["message-tags"]);
    web.send({ type: "tags", room: "general", tags: { "+draft/flag": "" }, ref: "t1" });
    const ack = await web.next("ack");
    const got = await bob.next("TAGMSG");
    expect(got.tags.get("msgid")).toBe(ack.id);
    expect(got.tags.has("+draft/flag")).toBe(true);
    web.send({ type: "tags", room: "general", to: "bob", tags: { "+a": "" }, ref: "t2" });
    expect(await web.next("error")).toMatchObject({ code: "bad_frame", ref: "t2" });
    web.send({ type: "tags", to: "nobody", tags: { "+a": "" }, ref: "t3" });
    expect(await web.next("error")).toMatchObject({ code: "unknown_user", ref: "t3" });
  });

  it("counts a TAGMSG against the message rate: a flood gets FAIL TAGMSG RATE_LIMITED", async () => {
    const d = await ircDaemon();
    const alice = await inGeneral(d.daemon.ircPort!, "alice", ["message-tags"]);
    for (let i = 0; i < 30; i++) alice.send(`@+n=${i} TAGMSG #general`);
    expect((await alice.next("FAIL")).params.slice(0, 3)).toEqual(["TAGMSG", "RATE_LIMITED", "#general"]);
  });

  it("keeps the limits: 4094 bytes of tag data pass, one more is 417; a PRIVMSG too long to relay in one line is 417", async () => {
    const d = await ircDaemon();
    const port = d.daemon.ircPort!;
    const alice = await inGeneral(port, "alice", ["message-tags", "echo-message"]);
    const bob = await inGeneral(port, "bob", ["message-tags"]);
    const max = `@foo=bar;+baz=${"a".repeat(4081)} TAGMSG #general`;
    expect(max.indexOf("TAGMSG")).toBe(4096);
    alice.send(max);
    expect((await bob.next("TAGMSG")).tags.get("+baz")).toBe("a".repeat(4081));
    await alice.next("TAGMSG");
    alice.send(`@foo=bar;+baz=${"a".repeat(4082)} TAGMSG #general`);
    await alice.next("417");
    // Relayed as `:alice!alice@chatd PRIVMSG #general :<text>` it must fit 512 bytes with CR LF.
    const room = 512 - ":alice!alice@chatd PRIVMSG #general :".length - 2;
    alice.send(`@+baz=x PRIVMSG #general :${"b".repeat(room)}`);
    expect((await bob.next("PRIVMSG")).params[1]).toBe("b".repeat(room));
    alice.send(`PRIVMSG #general :${"b".repeat(room + 1)}`);
    expect((await alice.next((l) => l.command === "417" || l.command === "PRIVMSG")).command).toBe("PRIVMSG");
    expect((await alice.next((l) => l.command === "417" || l.command === "PRIVMSG")).command).toBe("417");
    expect(await bob.quiet("PRIVMSG")).toBe(true);
  });
});

describe("IRC client-only tags in a cluster", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("tags of a PRIVMSG and a TAGMSG sent on node A reach an IRC client on node B", async () => {
    const cluster = await startCluster(2, { CHAT_IRC_PORT: "0" });
    world.onCleanup(() => cluster.close());
    const [a, b] = cluster.nodes;
    const alice = await ircSignIn(ircPortOf(a!.output()), "alice", { caps: ["message-tags", "echo-message"] });
    const bob = await ircSignIn(ircPortOf(b!.output()), "bob", { caps: ["message-tags"] });
    world.onCleanup(() => alice.close());
    world.onCleanup(() => bob.close());
    for (const c of [alice, bob]) {
      c.send("JOIN #general");
      await c.next("366");
    }
    alice.send("@+colour=blue PRIVMSG #general :across");
    const got = await bob.next("PRIVMSG");
    expect([got.params[1], got.tags.get("+colour")]).toEqual(["across", "blue"]);
    alice.send("@+steel=wootz TAGMSG #general");
    const echo = await alice.next("TAGMSG");
    const tagmsg = await bob.next("TAGMSG");
    expect([tagmsg.tags.get("+steel"), tagmsg.tags.get("msgid")]).toEqual(["wootz", echo.tags.get("msgid")]);
    alice.send("@+x=1 TAGMSG bob");
    expect((await bob.next("TAGMSG")).params).toEqual(["bob"]);
  });
});

