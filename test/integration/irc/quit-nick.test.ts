import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { IrcClient, ircSignIn } from "../../helpers/irc.ts";
import type { TestClient } from "../../helpers/client.ts";

/** A guest (irc.guests): NICK and USER alone, read through the welcome burst. */
async function guest(port: number, nick: string): Promise<IrcClient> {
  const c = await IrcClient.connect(port);
  c.send(`NICK ${nick}`);
  c.send(`USER ${nick} 0 * :Guest`);
  await c.next("221");
  return c;
}

async function joinAll(c: IrcClient, ...channels: string[]): Promise<void> {
  for (const channel of channels) {
    c.send(`JOIN ${channel}`);
    await c.next((l) => l.command === "366" && l.params[1] === channel);
  }
}

/** Each client (by nick) joins #general and #other, in order; the web member, in #general, sees each join. */
async function inTwoRooms(web: TestClient, clients: Record<string, IrcClient>): Promise<void> {
  for (const c of Object.values(clients)) await joinAll(c, "#general", "#other");
  for (const nick of Object.keys(clients)) expect(await web.next("presence")).toMatchObject({ user: nick, event: "join" });
}

describe("QUIT with a reason", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("reaches IRC members once as QUIT with the reason, and web members as presence leave with quit and reason", async () => {
    const d = await world.daemon({ irc: { port: 0 } });
    const { client: web } = await world.member(d, "webby");
    const port = d.daemon.ircPort!;
    const bar = await ircSignIn(port, "bar");
    const qux = await ircSignIn(port, "qux");
    world.onCleanup(() => bar.close());
    world.onCleanup(() => qux.close());
    await inTwoRooms(web, { bar, qux });
    // The QUIT goes out while qux's client keeps its end open (irctest's does).
    qux.send("QUIT :qux out");
    expect((await qux.next("ERROR")).params[0]).toMatch(/qux out/);
    const quit = await bar.next("QUIT");
    expect(quit.source).toBe("qux!qux@chatd");
    expect(quit.params).toEqual(["Quit: qux out"]);
    // Two shared channels, one QUIT.
    expect(await bar.quiet("QUIT", 400)).toBe(true);
    expect(await web.next("presence")).toEqual({ type: "presence", room: "general", user: "qux", event: "leave", quit: true, reason: "qux out" });
  });

  it("without a reason, or when the client just goes: QUIT :Quit, and the web sees quit without a reason; PART stays PART", async () => {
    const d = await world.daemon({ irc: { port: 0 } });
    const { client: web } = await world.member(d, "webby");
    const port = d.daemon.ircPort!;
    const bar = await ircSignIn(port, "bar");
    world.onCleanup(() => bar.close());
    await joinAll(bar, "#general");
    const gone = await ircSignIn(port, "gone");
    await joinAll(gone, "#general");
    gone.close();
    const quit = await bar.next((l) => l.command === "QUIT" || l.command === "PART");
    expect([quit.source, quit.command, ...quit.params]).toEqual(["gone!gone@chatd", "QUIT", "Quit"]);
    let presence = await web.next("presence");
    while (presence.user !== "gone" || presence.event !== "leave") presence = await web.next("presence");
    expect(presence).toEqual({ type: "presence", room: "general", user: "gone", event: "leave", quit: true });
    // A web client's disconnect is a QUIT on IRC too.
    web.ws.close();
    const webQuit = await bar.next("QUIT");
    expect(webQuit.source).toBe("webby!webby@chatd");
    // A PART is a PART, whatever came before.
    const parting = await ircSignIn(port, "parting");
    world.onCleanup(() => parting.close());
    await joinAll(parting, "#general");
    parting.send("PART #general :later");
    const part = await bar.next((l) => l.source?.startsWith("parting!") === true && l.command !== "JOIN");
    expect([part.command, ...part.params]).toEqual(["PART", "#general", "later"]);
  });
});

describe("QUIT of a user who keeps another connection", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("is a PART (with the reason) in the rooms only that connection was in, and nothing where the user stays", async () => {
    const d = await world.daemon({ irc: { port: 0 } });
    const port = d.daemon.ircPort!;
    await world.member(d, "both");
    const bar = await ircSignIn(port, "bar");
    world.onCleanup(() => bar.close());
    await joinAll(bar, "#general", "#other");
    const irc = await ircSignIn(port, "both");
    await joinAll(irc, "#general", "#other");
    await bar.next((l) => l.command === "JOIN" && l.params[0] === "#other" && l.source?.startsWith("both!") === true);
    irc.send("QUIT :phone only now");
    const part = await bar.next((l) => l.source?.startsWith("both!") === true && l.command !== "JOIN");
    expect([part.command, ...part.params]).toEqual(["PART", "#other", "phone only now"]);
    expect(await bar.quiet((l) => l.source?.startsWith("both!") === true, 400)).toBe(true);
  });
});

describe("NICK after registration", () => {
  const world = new World();
  afterEach(() => world.cleanup());
  const guestDaemon = () => world.daemon({ irc: { port: 0, guests: true } });

  it("a guest's new nick: the rooms follow, IRC members see one NICK, web members see leave and join, and the old nick is free", async () => {
    const d = await guestDaemon();
    const port = d.daemon.ircPort!;
    const { client: web } = await world.member(d, "webby");
    const alice = await guest(port, "alice");
    const bob = await guest(port, "bob");
    world.onCleanup(() => alice.close());
    world.onCleanup(() => bob.close());
    await inTwoRooms(web, { alice, bob });

    alice.send("NICK malice");
    const own = await alice.next("NICK");
    expect([own.source, ...own.params]).toEqual(["alice!alice@chatd", "malice"]);
    const seen = await bob.next("NICK");
    expect([seen.source, ...seen.params]).toEqual(["alice!alice@chatd", "malice"]);
    // Two shared channels, one NICK; and no PART, QUIT or JOIN for it.
    expect(await bob.quiet((l) => ["NICK", "PART", "QUIT", "JOIN"].includes(l.command), 400)).toBe(true);
    expect(await web.next("presence")).toEqual({ type: "presence", room: "general", user: "alice", event: "leave", renamedTo: "malice" });
    expect(await web.next("presence")).toEqual({ type: "presence", room: "general", user: "malice", event: "join", renamedFrom: "alice" });

    // The connection is malice's now: in its rooms, and its messages are malice's.
    bob.send("NAMES #other");
    const names = await bob.next("353");
    expect(names.params[3]!.split(" ").sort()).toEqual(["bob", "malice"]);
    alice.send("PRIVMSG #general :renamed");
    expect(await web.next("message")).toMatchObject({ from: "malice", text: "renamed" });
    web.send({ type: "dm", to: "malice", text: "hello malice", ref: 1 });
    expect((await alice.next("PRIVMSG")).params).toEqual(["malice", "hello malice"]);

    // The old nick is free for another guest.
    const again = await guest(port, "alice");
    world.onCleanup(() => again.close());
    expect(again.lines.find((l) => l.command === "001")?.params[0]).toBe("alice");
  });

  it("a taken nick answers 433; a case change of one's own is shown to all; the same nick again gives no lines", async () => {
    const d = await guestDaemon();
    const port = d.daemon.ircPort!;
    const { client: web } = await world.member(d, "webby");
    await world.signIn(d, "owner");
    const alice = await guest(port, "alice");
    const bob = await guest(port, "bob");
    world.onCleanup(() => alice.close());
    world.onCleanup(() => bob.close());
    await joinAll(alice, "#general");
    await joinAll(bob, "#general");

    bob.send("NICK Alice");
    expect((await bob.next("433")).params.slice(0, 2)).toEqual(["bob", "Alice"]);
    // A registered account's name is not a guest's to take.
    bob.send("NICK owner");
    expect((await bob.next("433")).params.slice(0, 2)).toEqual(["bob", "owner"]);
    bob.send("NICK bad.nick");
    expect((await bob.next("432")).params[1]).toBe("bad.nick");

    alice.send("NICK Alice");
    const own = await alice.next("NICK");
    expect([own.source, ...own.params]).toEqual(["alice!alice@chatd", "Alice"]);
    const seen = await bob.next("NICK");
    expect([seen.source, ...seen.params]).toEqual(["alice!alice@chatd", "Alice"]);
    let presence = await web.next("presence");
    while (presence.user !== "alice" || presence.event !== "leave") presence = await web.next("presence");
    expect(presence).toMatchObject({ event: "leave", renamedTo: "Alice" });
    expect(await web.next("presence")).toMatchObject({ user: "Alice", event: "join", renamedFrom: "alice" });

    alice.send("NICK Alice");
    alice.send("PING :after");
    const lines = await alice.until("PONG");
    // Only the PONG (bob's JOIN may still arrive meanwhile: presence is batched).
    expect(lines.filter((l) => !(l.command === "JOIN" && l.source?.startsWith("bob!"))).map((l) => l.raw)).toEqual([lines.at(-1)!.raw]);
    expect(lines.at(-1)!.command).toBe("PONG");
    expect(await bob.quiet("NICK", 300)).toBe(true);
    bob.send("NAMES #general");
    expect((await bob.next("353")).params[3]!.split(" ").sort()).toEqual(["Alice", "bob", "webby"]);
  });

  it("labels the NICK line, and a user signed in to an account keeps its name (432, or 433 for another's)", async () => {
    const d = await guestDaemon();
    const port = d.daemon.ircPort!;
    const acct = await ircSignIn(port, "acct", { caps: ["labeled-response", "batch"] });
    world.onCleanup(() => acct.close());
    acct.send("NICK Acct");
    expect((await acct.next("432")).params.slice(0, 2)).toEqual(["acct", "Acct"]);
    acct.send("NICK someone");
    expect((await acct.next("432")).params.slice(0, 2)).toEqual(["acct", "someone"]);
    const g = await guest(port, "visitor");
    world.onCleanup(() => g.close());
    acct.send("NICK visitor");
    expect((await acct.next("433")).params.slice(0, 2)).toEqual(["acct", "visitor"]);

    const labeled = await IrcClient.connect(port);
    world.onCleanup(() => labeled.close());
    labeled.send("CAP LS 302");
    labeled.send("CAP REQ :labeled-response batch");
    labeled.send("NICK lab");
    labeled.send("USER lab 0 * :L");
    await labeled.next((l) => l.command === "CAP" && l.params[1] === "ACK");
    labeled.send("CAP END");
    await labeled.next("221");
    labeled.send("@label=abc NICK lab2");
    const nick = await labeled.next("NICK");
    expect([nick.source, ...nick.params]).toEqual(["lab!lab@chatd", "lab2"]);
    expect(nick.tags.get("label")).toBe("abc");
  });
});
