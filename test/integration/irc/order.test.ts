import { describe, expect, it } from "vitest";
import type { IrcClient, Line } from "../../helpers/irc.ts";
import { useIrcWorld } from "../../helpers/irc-world.ts";

/** The commands (or numerics) of the lines up to and including the PONG with `token`. */
async function untilPong(irc: IrcClient, token: string): Promise<Line[]> {
  return irc.until((l) => l.command === "PONG" && l.params[1] === token);
}

describe("IRC answers come in command order (a PING syncs)", () => {
  const { world, daemon: ircDaemon, sign, join } = useIrcWorld();

  it("a PING right behind PRIVMSGs gets its PONG after their echoes (echo-message waits for the message to be durable)", async () => {
    const d = await ircDaemon();
    const irc = await sign(d, "ordy", { caps: ["echo-message"] });
    await join(irc, "#order");
    // In one write, as a client pipelines them.
    irc.socket.write("PRIVMSG #order :one\r\nPRIVMSG #order :two\r\nPING :t1\r\n");
    const lines = await untilPong(irc, "t1");
    expect(lines.map((l) => `${l.command} ${l.params.at(-1)}`)).toEqual(["PRIVMSG one", "PRIVMSG two", "PONG t1"]);
  });

  it("without echo-message, a labeled PRIVMSG's ACK still comes before the PONG of a PING sent after it", async () => {
    const d = await ircDaemon();
    const irc = await sign(d, "acky", { caps: ["labeled-response", "batch"] });
    await join(irc, "#order");
    irc.socket.write("@label=m1 PRIVMSG #order :hello\r\nPING :t2\r\n");
    const lines = await untilPong(irc, "t2");
    expect(lines.map((l) => [l.command, l.tags.get("label")])).toEqual([
      ["ACK", "m1"],
      ["PONG", undefined],
    ]);
  });

  it("a PING right behind JOIN gets its PONG after the whole JOIN burst (topic, names, replayed history)", async () => {
    const d = await ircDaemon();
    const { client: web } = await world.member(d, "webby", "burst");
    web.send({ type: "say", room: "burst", text: "earlier", ref: 1 });
    await web.next("ack");
    web.send({ type: "topic", room: "burst", text: "the topic", ref: 2 });
    await web.next("ack");
    const irc = await sign(d, "joiny");
    irc.socket.write("JOIN #burst\r\nPING :t3\r\nNAMES #burst\r\nPING :t4\r\n");
    const burst = await untilPong(irc, "t3");
    expect(burst.map((l) => l.command)).toEqual(["JOIN", "332", "333", "353", "366", "PRIVMSG", "PONG"]);
    expect(burst.at(-2)!.params).toEqual(["#burst", "earlier"]);
    const names = await untilPong(irc, "t4");
    expect(names.map((l) => l.command)).toEqual(["353", "366", "PONG"]);
  });

  it("a PING before the end of registration is answered after the SASL reply it follows", async () => {
    const d = await ircDaemon();
    await world.signIn(d, "sasly");
    const { IrcClient, plain } = await import("../../helpers/irc.ts");
    const irc = await IrcClient.connect(d.daemon.ircPort!);
    world.onCleanup(() => irc.close());
    irc.send("CAP LS 302");
    irc.send("CAP REQ :sasl");
    await irc.next((l) => l.command === "CAP" && l.params[1] === "ACK");
    irc.send("AUTHENTICATE PLAIN");
    await irc.next("AUTHENTICATE");
    // The password check takes a while (bcrypt, off the event loop): the PONG waits for it.
    irc.socket.write(`AUTHENTICATE ${plain("sasly", "correct-horse")}\r\nPING :t5\r\n`);
    const lines = await untilPong(irc, "t5");
    expect(lines.map((l) => l.command)).toEqual(["900", "903", "PONG"]);
  });

  it("a PING syncs with the presence batch: the JOIN and PART of another member come before its PONG", async () => {
    const d = await ircDaemon();
    const first = await sign(d, "firsty");
    await join(first, "#sync");
    const second = await sign(d, "secondy");
    await join(second, "#sync");
    // Presence waits up to 50 ms for its batch; the first member's PING does not.
    first.send("PING :t6");
    const joined = await untilPong(first, "t6");
    expect(joined.map((l) => `${l.command} ${l.source ?? ""}`)).toEqual(["JOIN secondy!secondy@chatd", "PONG chatd"]);
    second.send("PART #sync :later");
    await second.next("PART");
    first.send("PING :t7");
    const parted = await untilPong(first, "t7");
    expect(parted.map((l) => [l.command, ...l.params])).toEqual([
      ["PART", "#sync", "later"],
      ["PONG", "chatd", "t7"],
    ]);
  });

  it("QUIT: the others hear of the departure at once, after what was sent before it, not when the client closes its end", async () => {
    const d = await ircDaemon();
    const stay = await sign(d, "stayer");
    await join(stay, "#quit");
    const quitter = await sign(d, "quitter");
    await join(quitter, "#quit");
    await stay.next("JOIN");
    // Like a client that reads the ERROR but keeps its end open (irctest's does).
    quitter.socket.allowHalfOpen = true;
    quitter.socket.write("PRIVMSG #quit :last words\r\nQUIT :bye\r\n");
    await quitter.next("ERROR");
    expect((await stay.next("PRIVMSG")).params).toEqual(["#quit", "last words"]);
    stay.send("PING :t8");
    const lines = await untilPong(stay, "t8");
    expect(lines.map((l) => `${l.command} ${l.source ?? ""}`)).toEqual([expect.stringMatching(/^(PART|QUIT) quitter!quitter@chatd$/), "PONG chatd"]);
  });
});
