import { afterEach, describe, expect, it } from "vitest";
import { World, settle } from "../helpers/harness.ts";

describe("typing floods", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("lets one notice of a 3000-frame typing flood reach the room, answers rate_limited and closes the flooder (1008)", async () => {
    const d = await world.daemon();
    const { client: bob } = await world.member(d, "bob");
    const { client: carol } = await world.member(d, "carol");
    const { client: flooder } = await world.member(d, "mallory");
    for (let i = 0; i < 3000 && flooder.ws.readyState === 1; i++) flooder.send({ type: "typing", room: "general" });
    expect(await flooder.closed).toMatchObject({ code: 1008, reason: "rate limit abuse" });
    const refused = flooder.frames.filter((f) => f.type === "error");
    expect(refused.length).toBeGreaterThanOrEqual(50);
    expect(refused.every((f) => f.code === "rate_limited" && (f.retryAfterMs as number) > 0)).toBe(true);
    for (const member of [bob, carol]) {
      const seen = (await settle(member)).filter((f) => f.type === "typing");
      expect(seen).toEqual([{ type: "typing", room: "general", user: "mallory" }]);
    }
  });

  it("sends at most one notice per user and room per limits.typingIntervalMs, and each user's and room's own", async () => {
    const d = await world.daemon({ limits: { typingIntervalMs: 400 } });
    const { client: bob } = await world.member(d, "bob");
    await bob.request({ type: "join", room: "side" }, "joined");
    const { client: alice } = await world.member(d, "alice");
    await alice.request({ type: "join", room: "side" }, "joined");
    const { client: carol } = await world.member(d, "carol");
    for (let i = 0; i < 5; i++) alice.send({ type: "typing", room: "general" });
    alice.send({ type: "typing", room: "side" });
    carol.send({ type: "typing", room: "general" });
    await settle(alice);
    await settle(carol);
    const first = (await settle(bob)).filter((f) => f.type === "typing");
    expect(first).toEqual([
      { type: "typing", room: "general", user: "alice" },
      { type: "typing", room: "side", user: "alice" },
      { type: "typing", room: "general", user: "carol" },
    ]);
    await new Promise((r) => setTimeout(r, 450));
    alice.send({ type: "typing", room: "general" });
    expect(await bob.next("typing")).toEqual({ type: "typing", room: "general", user: "alice" });
    // None of these was over the rate: no error came back.
    expect(alice.frames.some((f) => f.type === "error")).toBe(false);
  });
});
