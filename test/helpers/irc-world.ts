import { afterAll, afterEach, beforeAll } from "vitest";
import { World } from "./harness.ts";
import type { TestDaemon } from "./daemon.ts";
import { IrcClient, ircSignIn, plain, type Line } from "./irc.ts";
import { need } from "./needs.ts";
import { deletePrefix, REDIS_URL, uniquePrefix } from "./redis.ts";

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
    /** A client signed in with SASL PLAIN (see ircSignIn), through the welcome burst; to a daemon or an IRC port (a cluster's node: see ircPortOf). */
    async sign(d: TestDaemon | number, nick: string, options: Parameters<typeof ircSignIn>[2] = {}): Promise<IrcClient> {
      const c = await ircSignIn(typeof d === "number" ? d : d.daemon.ircPort!, nick, options);
      world.onCleanup(() => c.close());
      return c;
    },
    /** A bare connection, nothing sent. */
    async raw(d: TestDaemon | number): Promise<IrcClient> {
      const c = await IrcClient.connect(typeof d === "number" ? d : d.daemon.ircPort!);
      world.onCleanup(() => c.close());
      return c;
    },
    /** joinChannel and trailing, by their short names. */
    join: joinChannel,
    last: trailing,
  };
}

/**
 * A World for the describe block it is called in, cleaned up after each of its
 * tests, with the IRC shorthands (ircWorld) on it.
 */
export function useIrcWorld(): ReturnType<typeof ircWorld> & { world: World } {
  const world = new World();
  afterEach(() => world.cleanup());
  return { world, ...ircWorld(world) };
}

/** Sends JOIN and returns the lines up to its 366. */
export async function joinChannel(c: IrcClient, channel: string): Promise<Line[]> {
  c.send(`JOIN ${channel}`);
  return c.until("366");
}

/** CAP LS 302, NICK, USER (`user`: its parameters) and CAP REQ :sasl, up to the ACK: registration waits for CAP END. */
export async function saslRequested(c: IrcClient, nick: string, user = `${nick} 0 * :${nick}`): Promise<void> {
  c.send("CAP LS 302");
  c.send(`NICK ${nick}`);
  c.send(`USER ${user}`);
  c.send("CAP REQ :sasl");
  await c.next((l) => l.command === "CAP" && l.params[1] === "ACK");
}

/** One SASL PLAIN attempt as `account`: AUTHENTICATE PLAIN, and the credentials once asked (the caller awaits 903 or 904). */
export async function authenticatePlain(c: IrcClient, account: string, password = "correct-horse"): Promise<void> {
  c.send("AUTHENTICATE PLAIN");
  await c.next("AUTHENTICATE");
  c.send(`AUTHENTICATE ${plain(account, password)}`);
}

/** Negotiates SASL PLAIN by hand up to 903 (CAP END not sent), after NICK and USER. */
export async function saslUpTo903(c: IrcClient, nick: string, password = "correct-horse"): Promise<void> {
  await saslRequested(c, nick);
  await authenticatePlain(c, nick, password);
  await c.next("903");
}

/** The IRC port a daemon process logged ("irc listening"). */
export function ircPortOf(output: string, field: "port" | "tlsPort" = "port"): number {
  const match = new RegExp(`"msg":"irc listening".*?"${field}":(\\d+)`).exec(output);
  if (!match) throw new Error(`no irc listening line in:\n${output}`);
  return Number(match[1]);
}

/** The trailing parameter of a line. */
export function trailing(l: Line): string {
  return l.params.at(-1)!;
}

/**
 * Two in-process daemons with IRC ports on one Redis (`irc` adds irc.*
 * fields), started before the file's tests and stopped after them (`node`
 * starts another); the IRC clients pushed to `clients` are closed after each test.
 */
export function ircClusterOfTwo(world: World, ids: [string, string], irc: Record<string, unknown> = {}) {
  const prefix = uniquePrefix();
  const nodes = {} as { a: TestDaemon; b: TestDaemon };
  const clients: IrcClient[] = [];
  const node = (nodeId: string) => world.daemon({ irc: { port: 0, ...irc }, cluster: { redis: { url: REDIS_URL, keyPrefix: prefix, nodeId } } });
  beforeAll(async () => {
    need("redis");
    [nodes.a, nodes.b] = await Promise.all([node(ids[0]), node(ids[1])]);
  });
  afterAll(async () => {
    await world.cleanup();
    await deletePrefix(prefix);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  return { nodes, clients, node };
}
