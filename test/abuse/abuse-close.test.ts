import { afterEach, describe, expect, it } from "vitest";
import { World } from "../helpers/harness.ts";

describe("closing an abusive connection", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  for (const burst of [80, 400, 2000]) {
    it(`delivers every ack and error before the 1008 close to a client that bursts ${burst} say frames`, async () => {
      const d = await world.daemon();
      const { client } = await world.member(d, "flooder");
      for (let i = 0; i < burst; i++) client.send({ type: "say", room: "general", text: `spam ${i}`, ref: i });
      expect(await client.closed).toEqual({ code: 1008, reason: "rate limit abuse" });
      const acks = client.frames.filter((f) => f.type === "ack");
      const errors = client.frames.filter((f) => f.type === "error");
      // limits.messageBurst (20) go through; limits.abuseStrikes (50) rate_limited answers close the connection.
      expect(acks.length).toBeGreaterThanOrEqual(20);
      expect(errors.length).toBeGreaterThanOrEqual(50);
      expect(errors.every((e) => e.code === "rate_limited")).toBe(true);
      // The first 20 were stored and acked (acks come once durable, after later frames' errors;
      // the bucket refills meanwhile, so a few later ones may pass too).
      const acked = new Set(acks.map((f) => f.ref));
      for (let i = 0; i < 20; i++) expect(acked.has(i), `ack of ${i}`).toBe(true);
      const refs = client.frames.filter((f) => f.type === "ack" || f.type === "error").map((f) => f.ref);
      expect(new Set(refs).size).toBe(refs.length);
    });
  }

  it("handles no request sent after the strike that closes the connection, while the acks due still go out", async () => {
    const d = await world.daemon({ limits: { abuseStrikes: 5 } });
    const { client } = await world.member(d, "flooder");
    const { client: watcher } = await world.member(d, "watcher");
    // 20 pass (messageBurst), the next 5 are the strikes; the acks of the 20 are still on their way.
    for (let i = 0; i < 25; i++) client.send({ type: "say", room: "general", text: `spam ${i}`, ref: i });
    client.send({ type: "topic", room: "general", text: "set after the close", ref: "t" });
    client.send({ type: "join", room: "afterwards", ref: "j" });
    client.send({ type: "ping", ref: "p" });
    expect(await client.closed).toEqual({ code: 1008, reason: "rate limit abuse" });
    const refs = client.frames.filter((f) => "ref" in f).map((f) => f.ref);
    expect(refs).not.toContain("t");
    expect(refs).not.toContain("j");
    expect(refs).not.toContain("p");
    expect(client.frames.filter((f) => f.type === "error")).toHaveLength(5);
    const joined = await watcher.request({ type: "join", room: "general" }, "joined");
    expect(joined.topic).toBeUndefined();
    const rooms = await watcher.request({ type: "rooms", ref: "r" }, "rooms");
    expect((rooms.rooms as Array<{ name: string }>).map((r) => r.name)).not.toContain("afterwards");
  });
});
