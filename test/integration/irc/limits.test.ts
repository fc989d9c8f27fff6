import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { IrcClient, ircSignIn } from "../../helpers/irc.ts";
import { createLogger } from "../../../src/log.ts";

describe("IRC limits and bad input", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("refuses a line over 512 bytes and a tag section over 4096 with 417; the connection lives", async () => {
    const d = await world.daemon({ irc: { port: 0 } });
    const { client: web } = await world.member(d, "webby");
    const irc = await ircSignIn(d.daemon.ircPort!, "ircy");
    world.onCleanup(() => irc.close());
    irc.send("JOIN #general");
    await irc.next("366");
    // A PRIVMSG must fit one line once relayed, with the sender's `:ircy!ircy@chatd ` in front.
    const fits = "x".repeat(512 - ":ircy!ircy@chatd PRIVMSG #general :".length - 2);
    irc.send(`PRIVMSG #general :${fits}`);
    expect((await web.next("message")).text).toBe(fits);
    irc.send(`PRIVMSG #general :${fits}y`);
    expect((await irc.next("417")).params[1]).toBe("Line too long to be relayed without truncation");
    irc.send(`PRIVMSG #general :${"x".repeat(512 - "PRIVMSG #general :".length - 1)}`);
    expect((await irc.next("417")).params[1]).toBe("Input line was too long");
    irc.send(`@+a=${"t".repeat(4096 - 4)} PRIVMSG #general :tagged`);
    await irc.next("417");
    irc.send(`@+a=${"t".repeat(4096 - 5)} PRIVMSG #general :tags fit`);
    expect((await web.next("message")).text).toBe("tags fit");
    // Megabytes without a line end are thrown away, said once, and the next line works.
    irc.socket.write("z".repeat(100_000));
    irc.send("");
    await irc.next("417");
    irc.send("PING :alive");
    expect((await irc.next("PONG")).params[1]).toBe("alive");
  });

  it("survives garbage: NUL, invalid UTF-8, empty and tag-only lines, unknown commands", async () => {
    const d = await world.daemon({ irc: { port: 0 } });
    const irc = await ircSignIn(d.daemon.ircPort!, "ircy");
    world.onCleanup(() => irc.close());
    irc.socket.write(Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a, 0x80, 0x81, 0x0a]));
    irc.send("@only-tags");
    irc.send(":source-only");
    irc.send("   ");
    irc.send("FROBNICATE a b c");
    // The invalid UTF-8 line reads as U+FFFD: an unknown command, answered like FROBNICATE.
    expect((await irc.next("421")).params[1]).toBe("\uFFFD\uFFFD");
    expect((await irc.next("421")).params[1]).toBe("FROBNICATE");
    irc.send("PRIVMSG");
    await irc.next("411");
    irc.send("PRIVMSG #general");
    await irc.next("412");
    irc.send("CHATHISTORY");
    await irc.next("FAIL");
    irc.send("MODE");
    await irc.next("461");
    irc.send("PING :still");
    expect((await irc.next("PONG")).params[1]).toBe("still");
    // Another client is not bothered.
    const other = await ircSignIn(d.daemon.ircPort!, "other");
    other.close();
  });

  it("answers the message rate limit with FAIL RATE_LIMITED, and closes on abuse like the WebSocket", async () => {
    const d = await world.daemon({ irc: { port: 0 }, limits: { messagesPerSecond: 0.5, messageBurst: 2, abuseStrikes: 5 } });
    const irc = await ircSignIn(d.daemon.ircPort!, "flooder");
    irc.send("JOIN #general");
    await irc.next("366");
    for (let i = 0; i < 3; i++) irc.send(`PRIVMSG #general :msg ${i}`);
    const fail = await irc.next("FAIL");
    expect(fail.params.slice(0, 3)).toEqual(["PRIVMSG", "RATE_LIMITED", "#general"]);
    for (let i = 0; i < 10; i++) irc.send(`PRIVMSG #general :more ${i}`);
    expect((await irc.next("ERROR")).params[0]).toMatch(/rate limit abuse/);
    await irc.closed;
  });

  it("refuses connections over limits.maxConnectionsPerIp with an ERROR", async () => {
    const d = await world.daemon({ irc: { port: 0 }, limits: { maxConnectionsPerIp: 1 } });
    const first = await IrcClient.connect(d.daemon.ircPort!);
    world.onCleanup(() => first.close());
    const second = await IrcClient.connect(d.daemon.ircPort!);
    expect((await second.next("ERROR")).params[0]).toMatch(/too many connections/);
    await second.closed;
  });

  it("cuts off a client that stops reading at limits.maxBufferedBytes, like a WebSocket one", async () => {
    const d = await world.daemon({
      irc: { port: 0 },
      chatLog: { fsync: false },
      limits: { maxBufferedBytes: 65536, messagesPerSecond: 1000, messageBurst: 1000, ipMessagesPerSecond: 1000, ipMessageBurst: 1000 },
    });
    const { client: web } = await world.member(d, "webby");
    const irc = await ircSignIn(d.daemon.ircPort!, "sleepy");
    irc.send("JOIN #general");
    await irc.next("366");
    irc.socket.pause();
    // Each message is 2000 IRC lines (about 80 KB): far more than the socket buffers hold, soon.
    const text = "a\n".repeat(2000);
    for (let i = 0; i < 400 && d.daemon.chat!.hub.slowConsumersDropped === 0; i++) {
      web.send({ type: "say", room: "general", text, ref: i });
      await web.next("ack");
    }
    expect(d.daemon.chat!.hub.slowConsumersDropped).toBe(1);
    irc.socket.resume();
    await irc.closed;
    expect(irc.lines.at(-1)!.command).toBe("ERROR");
    expect(irc.lines.at(-1)!.params[0]).toMatch(/slow consumer/);
  });

  it("survives a stream of random commands and bytes (seeded), and serves the next client", async () => {
    const errors: string[] = [];
    const logger = createLogger({ level: "error", write: (line) => errors.push(line) });
    const d = await world.daemon({ irc: { port: 0, guests: true }, limits: { messagesPerSecond: 1000, messageBurst: 1000, abuseStrikes: 1000 } }, { logger });
    let seed = 21;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const words = ["#general", "#x", "*", "0", ":", "::", "", "msgid=1", "timestamp=x", "LATEST", "AFTER", "+q", "-q", "b", "PLAIN", "+", "\u00ff", "@", "a,b,c,d,e"];
    const commands = ["NICK", "USER", "CAP", "JOIN", "PART", "PRIVMSG", "NOTICE", "TAGMSG", "MODE", "KICK", "WHO", "WHOIS", "NAMES", "LIST", "TOPIC", "CHATHISTORY", "AWAY", "OPER", "PING", "AUTHENTICATE", "PASS", "ISON", "USERHOST", "LUSERS", "MOTD"];
    const fuzz = await IrcClient.connect(d.daemon.ircPort!);
    world.onCleanup(() => fuzz.close());
    fuzz.send("NICK fuzzer");
    fuzz.send("USER f 0 * :F");
    await fuzz.next("001");
    for (let i = 0; i < 600; i++) {
      const tags = random() < 0.2 ? `@label=${i};+x=${pick(words)} ` : "";
      const params = Array.from({ length: Math.floor(random() * 5) }, () => pick(words)).join(" ");
      if (random() < 0.1) fuzz.socket.write(Buffer.from(Array.from({ length: 40 }, () => Math.floor(random() * 256))));
      else fuzz.send(`${tags}${pick(commands)} ${params}`);
    }
    fuzz.send("PING :done");
    await fuzz.next((l) => l.command === "PONG" && l.params[1] === "done", 10_000).catch(() => undefined);
    // Not one of the words: the guest's NICKs may have taken any of them (a guest may change nick).
    const next = await ircSignIn(d.daemon.ircPort!, "nextclient");
    world.onCleanup(() => next.close());
    next.send("JOIN #general");
    await next.next("366");
    expect(d.daemon.state).toBe("running");
    // Nothing it sent was an internal error: every one was answered as a client error.
    expect(errors).toEqual([]);
  });

  it("a server stop tells IRC clients with a NOTICE and an ERROR, then closes them", async () => {
    const d = await world.daemon({ irc: { port: 0 } });
    const irc = await ircSignIn(d.daemon.ircPort!, "ircy");
    const stopped = d.daemon.stop();
    expect((await irc.next("NOTICE")).params[1]).toMatch(/\[shutdown\]/);
    expect((await irc.next("ERROR")).params[0]).toMatch(/server shutting down/);
    await irc.closed;
    await stopped;
  });
});
