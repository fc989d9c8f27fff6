import { afterEach, describe, expect, it } from "vitest";
import type { TestClient } from "../helpers/client.ts";
import { World, settle } from "../helpers/harness.ts";

/** say -> own message round trips, one after another; returns each in ms. */
async function roundTrips(client: TestClient, room: string, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const text = `probe-${i}-${Math.random()}`;
    const started = performance.now();
    client.send({ type: "say", room, text });
    for (;;) {
      const f = await client.next("message", 10_000);
      if (f.text === text) break;
    }
    times.push(performance.now() - started);
    // Stay well under the per-connection message rate.
    await new Promise((r) => setTimeout(r, 60));
  }
  return times;
}

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.99) - 1]!;

describe("flood control", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("answers rate_limited over the per-address message rate even across several connections", async () => {
    const d = await world.daemon({ limits: { ipMessagesPerSecond: 1, ipMessageBurst: 5, messageBurst: 100, messagesPerSecond: 100 } });
    const { client: a } = await world.member(d, "alice");
    const { client: b } = await world.member(d, "bob");
    for (let i = 0; i < 4; i++) a.send({ type: "say", room: "general", text: `a${i}`, ref: `a${i}` });
    for (let i = 0; i < 4; i++) b.send({ type: "say", room: "general", text: `b${i}`, ref: `b${i}` });
    const answers = [...(await settle(a)), ...(await settle(b))].filter((f) => f.type === "ack" || f.type === "error");
    await new Promise((r) => setTimeout(r, 100));
    const all = [...answers, ...a.unread(), ...b.unread()].filter((f) => f.type === "ack" || f.type === "error");
    expect(all.filter((f) => f.type === "ack")).toHaveLength(5);
    expect(all.filter((f) => f.type === "error").every((f) => f.code === "rate_limited")).toBe(true);
  });

  it("answers rate_limited to a connection joining rooms faster than limits.joinBurst", async () => {
    const d = await world.daemon({ limits: { joinBurst: 3, joinsPerSecond: 0.1 } });
    const { client } = await world.signIn(d, "alice");
    for (const room of ["r1", "r2", "r3", "r4"]) client.send({ type: "join", room });
    const frames = await settle(client);
    expect(frames.filter((f) => f.type === "joined")).toHaveLength(3);
    expect(frames.filter((f) => f.type === "error")).toEqual([expect.objectContaining({ code: "rate_limited" })]);
  });

  it("closes a connection that keeps flooding past limits.abuseStrikes with 1008", async () => {
    const d = await world.daemon({ limits: { messageBurst: 1, messagesPerSecond: 0.1, abuseStrikes: 5 } });
    const { client } = await world.member(d, "flooder");
    for (let i = 0; i < 20; i++) client.send({ type: "say", room: "general", text: `spam ${i}` });
    expect(await client.closed).toMatchObject({ code: 1008, reason: "rate limit abuse" });
    expect(client.frames.filter((f) => f.code === "rate_limited").length).toBeGreaterThanOrEqual(5);
  });

  it("keeps other users' round trips fast while one client floods", async () => {
    // Every test client shares 127.0.0.1, so the per-address bucket is opened up here to isolate the
    // per-connection one; and the flooder is never cut off, so it floods for the whole measurement.
    const d = await world.daemon({ chatLog: { fsync: false }, limits: { abuseStrikes: 1e9, ipMessageBurst: 1e6, ipMessagesPerSecond: 1e6 } });
    const { client: normal } = await world.member(d, "normal");
    const baseline = await roundTrips(normal, "general", 15);

    const { client: flooder } = await world.member(d, "flooder", "flood");
    let flooding = true;
    const big = "x".repeat(3900);
    const flood = (async () => {
      while (flooding && flooder.ws.readyState === 1) {
        for (let i = 0; i < 50; i++) flooder.send({ type: "say", room: "flood", text: big });
        await new Promise((r) => setImmediate(r));
      }
    })();
    const during = await roundTrips(normal, "general", 15);
    flooding = false;
    await flood;

    // Generous bounds: the flood must not starve the loop, but CI machines are noisy.
    expect(p99(during)).toBeLessThan(Math.max(500, p99(baseline) * 10));
    // The flooder was throttled; the normal client never was.
    expect(flooder.frames.filter((f) => f.code === "rate_limited").length).toBeGreaterThan(100);
    expect(normal.frames.some((f) => f.type === "error")).toBe(false);
  });
});
