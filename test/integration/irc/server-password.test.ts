import { afterEach, describe, expect, it } from "vitest";
import { World, PASSWORD } from "../../helpers/harness.ts";
import { IrcClient, plain } from "../../helpers/irc.ts";

const SERVER_PASSWORD = "let me in";

describe("IRC server password (irc.password)", () => {
  const world = new World();
  afterEach(() => world.cleanup());
  const daemon = (guests = true) => world.daemon({ irc: { port: 0, guests, password: SERVER_PASSWORD } });

  async function connect(port: number): Promise<IrcClient> {
    const c = await IrcClient.connect(port);
    world.onCleanup(() => c.close());
    return c;
  }

  it("PASS with it, then NICK and USER: registered (a guest here)", async () => {
    const d = await daemon();
    const c = await connect(d.daemon.ircPort!);
    c.send(`PASS :${SERVER_PASSWORD}`);
    c.send("NICK foo");
    c.send("USER username * * :Realname");
    expect((await c.next((l) => l.command === "001" || l.command === "464")).command).toBe("001");
  });

  it("no PASS, or a wrong one: 464 then ERROR, and the connection closes", async () => {
    const d = await daemon();
    for (const pass of [undefined, `${SERVER_PASSWORD}garbage`]) {
      const c = await connect(d.daemon.ircPort!);
      if (pass !== undefined) c.send(`PASS :${pass}`);
      c.send("NICK foo");
      c.send("USER username * * :Realname");
      const lines = await c.until("ERROR");
      expect(lines.map((l) => l.command)).not.toContain("001");
      const mismatch = lines.find((l) => l.command === "464");
      expect(mismatch?.params).toEqual(["foo", "Password incorrect"]);
      await c.closed;
    }
  });

  it("SASL signs in to an account on top of it; SASL without PASS is closed with 464 all the same", async () => {
    const d = await daemon(false);
    const sasl = async (c: IrcClient, nick: string) => {
      c.send("CAP LS 302");
      c.send(`NICK ${nick}`);
      c.send(`USER ${nick} 0 * :R`);
      c.send("CAP REQ :sasl");
      await c.next((l) => l.command === "CAP" && l.params[1] === "ACK");
      c.send("AUTHENTICATE PLAIN");
      await c.next("AUTHENTICATE");
      c.send(`AUTHENTICATE ${plain(nick, PASSWORD)}`);
      await c.next("903");
      c.send("CAP END");
    };
    const ok = await connect(d.daemon.ircPort!);
    ok.send(`PASS :${SERVER_PASSWORD}`);
    await sasl(ok, "alice");
    expect((await ok.next("001")).params[0]).toBe("alice");

    const no = await connect(d.daemon.ircPort!);
    await sasl(no, "bob");
    const lines = await no.until("ERROR");
    expect(lines.map((l) => l.command)).toEqual(["464", "ERROR"]);
    await no.closed;
  });

  it("with it set, PASS is no account password: a client without SASL and guests off is refused", async () => {
    const d = await daemon(false);
    await world.signIn(d, "carol");
    const c = await connect(d.daemon.ircPort!);
    c.send(`PASS :${SERVER_PASSWORD}`);
    c.send("NICK carol");
    c.send("USER carol 0 * :C");
    const refused = await c.next("464");
    expect(refused.params[1]).toMatch(/Password required/);
    await c.closed;
  });
});
