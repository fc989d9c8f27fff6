import type { World } from "./harness.ts";
import type { TestDaemon } from "./daemon.ts";
import { IrcClient, ircSignIn, plain, type Line } from "./irc.ts";

/**
 * Shorthands for IRC tests that start in-process daemons through a World:
 * every client they open is closed by the World's cleanup.
 */
export function ircWorld(world: World) {
  return {
    /** A daemon with the IRC gateway on an ephemeral port (`irc` adds irc.* fields, `rest` the others). */
    daemon(irc: Record<string, unknown> = {}, rest: Record<string, unknown> = {}, options: Parameters<World["daemon"]>[1] = {}): Promise<TestDaemon> {
      return world.daemon({ irc: { port: 0, ...irc }, ...rest }, options);
    },
    /** A client signed in with SASL PLAIN (see ircSignIn), through the welcome burst. */
    async sign(d: TestDaemon, nick: string, options: Parameters<typeof ircSignIn>[2] = {}): Promise<IrcClient> {
      const c = await ircSignIn(d.daemon.ircPort!, nick, options);
      world.onCleanup(() => c.close());
      return c;
    },
    /** A bare connection, nothing sent. */
    async raw(d: TestDaemon | number): Promise<IrcClient> {
      const c = await IrcClient.connect(typeof d === "number" ? d : d.daemon.ircPort!);
      world.onCleanup(() => c.close());
      return c;
    },
  };
}

/** Sends JOIN and returns the lines up to its 366. */
export async function joinChannel(c: IrcClient, channel: string): Promise<Line[]> {
  c.send(`JOIN ${channel}`);
  return c.until("366");
}

/** Negotiates SASL PLAIN by hand up to 903 (CAP END not sent), after NICK and USER. */
export async function saslUpTo903(c: IrcClient, nick: string, password = "correct-horse"): Promise<void> {
  c.send("CAP LS 302");
  c.send(`NICK ${nick}`);
  c.send(`USER ${nick} 0 * :${nick}`);
  c.send("CAP REQ :sasl");
  await c.next((l) => l.command === "CAP" && l.params[1] === "ACK");
  c.send("AUTHENTICATE PLAIN");
  await c.next("AUTHENTICATE");
  c.send(`AUTHENTICATE ${plain(nick, password)}`);
  await c.next("903");
}

/** The trailing parameter of a line. */
export const trailing = (l: Line): string => l.params.at(-1)!;
