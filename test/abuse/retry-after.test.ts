import { afterEach, describe, expect, it } from "vitest";
import { PASSWORD, World, settle } from "../helpers/harness.ts";

describe("rate_limited tells when to retry", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("gives retryAfterMs on every rate_limited answer to say, dm and join", async () => {
    const d = await world.daemon({ limits: { messageBurst: 2, messagesPerSecond: 1, joinBurst: 2, joinsPerSecond: 0.5 } });
    const { client } = await world.member(d, "alice");
    await world.signIn(d, "bob");
    for (let i = 0; i < 3; i++) client.send({ type: "say", room: "general", text: `s${i}` });
    client.send({ type: "dm", to: "bob", text: "hi" });
    // The join of general took one of the two joins.
    for (const room of ["r1", "r2", "r3"]) client.send({ type: "join", room });
    const errors = (await settle(client)).filter((f) => f.type === "error");
    expect(errors.map((e) => e.code)).toEqual(["rate_limited", "rate_limited", "rate_limited", "rate_limited"]);
    for (const e of errors) {
      expect(e.retryAfterMs).toBeGreaterThan(0);
      expect(e.retryAfterMs).toBeLessThanOrEqual(2000);
      expect(Number.isInteger(e.retryAfterMs)).toBe(true);
    }
  });

  it("names the sign-in back-off and its wait after failed sign-ins, then lets the right password in once it is over", async () => {
    const d = await world.daemon({ limits: { signInFailureDelayMs: 1500 } });
    const { client: first } = await world.signIn(d, "carol");
    first.ws.close();
    const client = await world.connect(d);
    for (let i = 0; i < 2; i++) {
      expect(await client.request({ type: "hello", user: "carol", password: "wrong-password" }, "error")).toMatchObject({ code: "auth_failed" });
    }
    const refused = await client.request({ type: "hello", user: "carol", password: PASSWORD }, "welcome", "error");
    expect(refused).toMatchObject({ type: "error", code: "rate_limited" });
    expect(refused.message).toMatch(/^too many failed sign-ins; try again in 2 s$/);
    expect(refused.retryAfterMs).toBeGreaterThan(1000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1500);
    await new Promise((r) => setTimeout(r, (refused.retryAfterMs as number) + 50));
    expect(await client.request({ type: "hello", user: "carol", password: PASSWORD }, "welcome", "error")).toMatchObject({ type: "welcome" });
  });
});
