import { describe, expect, it } from "vitest";
import { useIrcWorld } from "../../helpers/irc-world.ts";
import { LOOKUP_BURST, LOOKUPS_PER_SECOND } from "../../../src/irc/lookup-lag.ts";

describe("IRC lookups under fake lag (docs/irc.md, Limits)", () => {
  const { daemon, sign } = useIrcWorld();

  it("answers a burst at once, then lookups at the documented rate, in order and without closing; others are not held", async () => {
    const d = await daemon();
    const asker = await sign(d, "asker");
    const other = await sign(d, "other");
    const extra = 6;
    const started = performance.now();
    for (let i = 0; i < LOOKUP_BURST + extra; i++) asker.send("LUSERS");
    asker.send("PING :after");
    const at: number[] = [];
    for (let i = 0; i < LOOKUP_BURST + extra; i++) {
      await asker.next("255", 10_000);
      at.push(performance.now() - started);
      // While the asker waits its turn, another client is answered at once.
      if (i === LOOKUP_BURST) {
        const t = performance.now();
        other.send("PING :meanwhile");
        await other.next("PONG");
        expect(performance.now() - t).toBeLessThan(1000 / LOOKUPS_PER_SECOND);
      }
    }
    // The lookups past the burst came one per 1/LOOKUPS_PER_SECOND s (a little early or late under load).
    const spread = at[LOOKUP_BURST + extra - 1]! - at[LOOKUP_BURST - 1]!;
    expect(spread).toBeGreaterThan(((extra - 1) * 1000) / LOOKUPS_PER_SECOND);
    // The PING sent behind them is answered after them.
    const pong = await asker.next("PONG");
    expect(pong.params.at(-1)).toBe("after");
    expect(asker.ended).toBe(false);
  });
});
