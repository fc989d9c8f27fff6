import { describe, expect, it } from "vitest";
import { useIrcWorld } from "../../helpers/irc-world.ts";
import { IrcClient } from "../../helpers/irc.ts";

/**
 * docs/irc.md, read from outside: claims a black-box review found the daemon
 * did not keep (each test failed before its fix).
 */
describe("docs/irc.md, as a client sees it", () => {
  const { daemon, sign, raw, join } = useIrcWorld();

  /** A guest (irc.guests): NICK and USER alone, through the welcome burst. */
  async function guest(d: Awaited<ReturnType<typeof daemon>>, nick: string): Promise<IrcClient> {
    const c = await raw(d);
    c.send(`NICK ${nick}`);
    c.send(`USER ${nick} 0 * :Guest`);
    await c.next("221");
    return c;
  }

  it("Order: the answers to the commands sent before a QUIT come before its ERROR", async () => {
    const d = await daemon();
    const c = await sign(d, "quitter", { caps: ["echo-message"] });
    await join(c, "#here");
    c.send(`TOPIC #here :${"t".repeat(301)}`);
    c.send("PRIVMSG #elsewhere :x");
    c.send("PRIVMSG nosuchuser :x");
    c.send("PRIVMSG #here :last words");
    c.send("QUIT :bye");
    c.send("PRIVMSG #here :after the quit");
    const lines = await c.until("ERROR");
    expect(lines.map((l) => `${l.command} ${l.params.slice(0, 2).join(" ")}`)).toEqual([
      "FAIL TOPIC TOO_LARGE",
      "404 quitter #elsewhere",
      "401 quitter nosuchuser",
      "PRIVMSG #here last words",
      "ERROR Closing link: 127.0.0.1 (Quit: bye)",
    ]);
    await c.closed;
    expect(c.lines.some((l) => l.params.includes("after the quit"))).toBe(false);
  });

  it("Changing nick: a member sharing two rooms with a guest who renames twice at once sees each NICK once", async () => {
    const d = await daemon({ guests: true });
    const g = await guest(d, "kim");
    const watcher = await sign(d, "watcher");
    for (const channel of ["#one", "#two"]) await join(g, channel);
    for (const channel of ["#one", "#two"]) await join(watcher, channel);
    // Both renames before the presence batch (50 ms) goes out.
    g.send("NICK kim2");
    g.send("NICK kim3");
    await g.next((l) => l.command === "NICK" && l.params[0] === "kim3");
    g.send("QUIT :bye");
    await watcher.next("QUIT");
    watcher.send("PING sync");
    await watcher.next("PONG");
    expect(watcher.lines.filter((l) => l.command === "NICK" || l.command === "QUIT").map((l) => `${l.source} ${l.command} ${l.params.join(" ")}`)).toEqual([
      "kim!kim@chatd NICK kim2",
      "kim2!kim2@chatd NICK kim3",
      "kim3!kim3@chatd QUIT Quit: bye",
    ]);
  });
});
