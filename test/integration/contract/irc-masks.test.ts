// docs/irc.md (WHO mask, LIST masks): a mask's `*` and `?` are wildcards. A mask is any
// client's input, so one built to backtrack (`*a*a*…*b` against a 32-letter name, which a
// RegExp took minutes over, the event loop held) must be answered at once like any other.
import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { ircSignIn } from "../../helpers/irc.ts";

const A32 = "a".repeat(32);
const BACKTRACKER = `${"*a".repeat(16)}*b`;

describe("IRC masks built to backtrack", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("LIST and WHO with *a*a…*b against a room and a nick of 32 a's answer, matching nothing; a fitting mask still matches", async () => {
    const d = await world.daemon({ irc: { port: 0 } });
    const c = await ircSignIn(d.daemon.ircPort!, A32);
    world.onCleanup(() => c.close());
    c.send(`JOIN #${A32}`);
    await c.next("366");

    c.send(`LIST ${BACKTRACKER}`);
    expect((await c.until("323")).filter((l) => l.command === "322")).toEqual([]);
    c.send(`LIST !#${BACKTRACKER},#${"a*".repeat(20)}`);
    expect((await c.until("323")).filter((l) => l.command === "322").map((l) => l.params[1])).toEqual([`#${A32}`]);

    c.send(`WHO ${BACKTRACKER}`);
    expect((await c.until("315")).filter((l) => l.command === "352")).toEqual([]);
    c.send(`WHO ${"a?".repeat(16)}`);
    expect((await c.until("315")).filter((l) => l.command === "352").map((l) => l.params[5])).toEqual([A32]);
  });
});
