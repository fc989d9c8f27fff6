import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LINES_PER_LOOKUP, LOOKUP_BURST, LOOKUPS_PER_SECOND, LookupLag } from "../../../src/irc/lookup-lag.ts";

describe("LookupLag (a connection's lookups under fake lag)", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("runs the burst at once, then one lookup per 1/LOOKUPS_PER_SECOND s", async () => {
    const lag = new LookupLag();
    for (let i = 0; i < LOOKUP_BURST; i++) expect(await lag.turn()).toBe(true);
    let ran = false;
    const next = lag.turn().then((run) => (ran = run));
    await vi.advanceTimersByTimeAsync(1000 / LOOKUPS_PER_SECOND - 10);
    expect(ran).toBe(false);
    await vi.advanceTimersByTimeAsync(10);
    await next;
    expect(ran).toBe(true);
  });

  it("counts a big answer more: the next lookup waits for its part of the lines", async () => {
    const lag = new LookupLag();
    for (let i = 0; i < LOOKUP_BURST; i++) await lag.turn();
    await vi.advanceTimersByTimeAsync(1000 / LOOKUPS_PER_SECOND);
    await lag.turn();
    lag.answered(LINES_PER_LOOKUP * 3);
    let ran = false;
    const next = lag.turn().then(() => (ran = true));
    await vi.advanceTimersByTimeAsync((4 * 1000) / LOOKUPS_PER_SECOND - 10);
    expect(ran).toBe(false);
    await vi.advanceTimersByTimeAsync(10);
    await next;
    expect(ran).toBe(true);
  });

  it("drops a lookup waiting its turn when the connection closes", async () => {
    const lag = new LookupLag();
    for (let i = 0; i < LOOKUP_BURST; i++) await lag.turn();
    const next = lag.turn();
    lag.stop();
    expect(await next).toBe(false);
  });
});
