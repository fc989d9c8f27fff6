import { afterEach, describe, expect, it } from "vitest";
import { World, writeConfig } from "../../helpers/harness.ts";
import { startCluster } from "../../helpers/cluster.ts";
import { IrcClient } from "../../helpers/irc.ts";
import { ircPortOf } from "../../helpers/irc-world.ts";

async function guestIn(port: number, nick: string, channel: string): Promise<IrcClient> {
  const c = await IrcClient.connect(port);
  c.send(`NICK ${nick}`);
  c.send(`USER ${nick} 0 * :Guest`);
  await c.next("221");
  c.send(`JOIN ${channel}`);
  await c.next("366");
  return c;
}

describe("NICK and QUIT in a cluster", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  /** Two nodes with IRC guests on: guest bob in #general on node B, then guest alice on node A, seen joining by bob. */
  async function aliceOnABobOnB() {
    const dir = await world.tempDir();
    const config = await writeConfig(dir, { bcryptCost: 4, host: "127.0.0.1", irc: { guests: true } });
    const cluster = await startCluster(2, { CHAT_IRC_PORT: "0", CHAT_CONFIG: config });
    world.onCleanup(() => cluster.close());
    const [a, b] = cluster.nodes;
    const bob = await guestIn(ircPortOf(b!.output()), "bob", "#general");
    world.onCleanup(() => bob.close());
    const alice = await guestIn(ircPortOf(a!.output()), "alice", "#general");
    world.onCleanup(() => alice.close());
    await bob.next((l) => l.command === "JOIN" && l.source?.startsWith("alice!") === true);
    return { a: a!, alice, bob };
  }

  it("a guest's NICK on node A and its QUIT reach an IRC member on node B", async () => {
    const { a, alice, bob } = await aliceOnABobOnB();

    alice.send("NICK malice");
    expect((await alice.next("NICK")).params).toEqual(["malice"]);
    const nick = await bob.next("NICK");
    expect([nick.source, ...nick.params]).toEqual(["alice!alice@chatd", "malice"]);
    bob.send("NAMES #general");
    expect((await bob.next("353")).params[3]!.split(" ").sort()).toEqual(["bob", "malice"]);

    alice.send("QUIT :gone home");
    const quit = await bob.next("QUIT");
    expect([quit.source, ...quit.params]).toEqual(["malice!malice@chatd", "Quit: gone home"]);
  });

  it("a guest whose node is killed reaches an IRC member on another node as a QUIT, not a PART", async () => {
    const { a, alice, bob } = await aliceOnABobOnB();

    a.child.kill("SIGKILL");
    const gone = await bob.next((l) => (l.command === "QUIT" || l.command === "PART") && l.source?.startsWith("alice!") === true, 15_000);
    expect(gone.command).toBe("QUIT");
  }, 30_000);
});
