import { afterEach, describe, expect, it } from "vitest";
import { World, PASSWORD } from "../helpers/harness.ts";
import type { TestClient, Frame } from "../helpers/client.ts";

const hello = (client: TestClient, user: string, password: string): Promise<Frame> =>
  client.request({ type: "hello", user, password }, "welcome", "error");

describe("sign-in throttling", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("refuses an account with rate_limited after repeated wrong passwords, then lets it in after the delay", async () => {
    const d = await world.daemon({ limits: { signInFailureDelayMs: 300 } });
    await world.signIn(d, "alice");
    const guesser = await world.connect(d);
    expect(await hello(guesser, "alice", "guess-one")).toMatchObject({ code: "auth_failed" });
    expect(await hello(guesser, "alice", "guess-two")).toMatchObject({ code: "auth_failed" });
    // Now even the right password is refused until the back-off has passed: guessing costs time.
    expect(await hello(guesser, "alice", PASSWORD)).toMatchObject({ code: "rate_limited" });
    await new Promise((r) => setTimeout(r, 350));
    expect(await hello(guesser, "alice", PASSWORD)).toMatchObject({ type: "welcome" });
  });

  it("doubles the back-off with each further failure", async () => {
    const d = await world.daemon({ limits: { signInFailureDelayMs: 200 } });
    await world.signIn(d, "alice");
    const guesser = await world.connect(d);
    await hello(guesser, "alice", "guess-one");
    await hello(guesser, "alice", "guess-two"); // blocked 200 ms
    await new Promise((r) => setTimeout(r, 250));
    expect(await hello(guesser, "alice", "guess-three")).toMatchObject({ code: "auth_failed" }); // blocked 400 ms
    await new Promise((r) => setTimeout(r, 250));
    expect(await hello(guesser, "alice", PASSWORD)).toMatchObject({ code: "rate_limited" });
    await new Promise((r) => setTimeout(r, 250));
    expect(await hello(guesser, "alice", PASSWORD)).toMatchObject({ type: "welcome" });
  });

  it("does not slow down other accounts when one account is under attack", async () => {
    const d = await world.daemon({ limits: { signInFailureDelayMs: 10_000 } });
    await world.signIn(d, "alice");
    const guesser = await world.connect(d);
    await hello(guesser, "alice", "guess-one");
    await hello(guesser, "alice", "guess-two");
    expect(await hello(guesser, "alice", PASSWORD)).toMatchObject({ code: "rate_limited" });
    await world.signIn(d, "bob");
  });

  it("answers rate_limited over the per-address sign-in rate", async () => {
    const d = await world.daemon({ limits: { ipSignInBurst: 3, ipSignInsPerMinute: 1 } });
    for (const user of ["a1", "a2", "a3"]) await world.signIn(d, user);
    const client = await world.connect(d);
    expect(await hello(client, "a4", PASSWORD)).toMatchObject({ code: "rate_limited" });
  });

  it("limits new accounts per address (limits.ipAccountBurst) but still signs existing ones in", async () => {
    const d = await world.daemon({ limits: { ipAccountBurst: 2, ipAccountsPerHour: 1 } });
    await world.signIn(d, "first");
    await world.signIn(d, "second");
    const client = await world.connect(d);
    expect(await hello(client, "third", PASSWORD)).toMatchObject({ code: "rate_limited" });
    await world.signIn(d, "first");
  });
});

describe("sign-in attempts on one connection", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("answers rate_limited past limits.signInBurst hellos on one connection, while a new connection may still sign in", async () => {
    const d = await world.daemon({ limits: { signInBurst: 2, signInsPerMinute: 1, signInFailureDelayMs: 0 } });
    await world.signIn(d, "alice");
    const client = await world.connect(d);
    expect(await hello(client, "alice", "wrong-one")).toMatchObject({ code: "auth_failed" });
    expect(await hello(client, "alice", "wrong-two")).toMatchObject({ code: "auth_failed" });
    expect(await hello(client, "alice", PASSWORD)).toMatchObject({ code: "rate_limited" });
    await world.signIn(d, "alice");
  });

  it("does not count hellos refused as bad_name or bad_frame against the limit", async () => {
    const d = await world.daemon({ limits: { signInBurst: 1, signInsPerMinute: 1 } });
    const client = await world.connect(d);
    for (const user of [".", "..", ".hidden", "a/b", "a\\b", "nul\u0000x", "con", "a\u202eb"]) {
      expect(await hello(client, user, PASSWORD)).toMatchObject({ code: "bad_name" });
    }
    expect(await client.request({ type: "hello" }, "welcome", "error")).toMatchObject({ code: "bad_frame" });
    expect(await hello(client, "alice", PASSWORD)).toMatchObject({ type: "welcome" });
  });
});
