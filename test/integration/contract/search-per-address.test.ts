// docs/security.md and protocol.md (`search`): besides each connection's own bucket, all the
// connections of one address share a search rate (limits.ipSearchBurst / ipSearchesPerSecond):
// without it, 100 connections of one address could run 200 searches a second.
import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";

describe("search per address", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("refuses the searches of several connections of one address past limits.ipSearchBurst with rate_limited and retryAfterMs", async () => {
    const d = await world.daemon({ limits: { searchBurst: 10, searchesPerSecond: 0.001, ipSearchBurst: 12, ipSearchesPerSecond: 0.001 } });
    const clients = await Promise.all(["ann", "ben", "cat"].map(async (name) => (await world.signIn(d, name)).client));
    const answers: Array<Record<string, unknown>> = [];
    // 5 each: 15 from the address, none over its connection's own burst of 10.
    for (const c of clients) for (let i = 0; i < 5; i++) answers.push(await c.request({ type: "search", q: "hello", ref: i }, "results", "error"));
    expect(answers.slice(0, 12).every((a) => a.type === "results")).toBe(true);
    for (const a of answers.slice(12)) {
      expect(a).toMatchObject({ type: "error", code: "rate_limited" });
      expect(a.retryAfterMs).toBeGreaterThan(0);
    }
  });
});
