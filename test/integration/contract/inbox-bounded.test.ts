// docs/security.md (requests waiting per connection): frames wait in a connection's inbox while
// an earlier request runs; one client piping frames behind a slow one (a password check) made
// the inbox grow without bound. Past limits.maxBufferedBytes of waiting frames the connection
// closes with 1008 `too many requests waiting`; everyone else goes on.
import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";

describe("frames waiting behind a slow request", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("close the connection with 1008 once they pass limits.maxBufferedBytes; another client is unaffected", async () => {
    // bcrypt cost 12: the password check below holds the line while the frames behind it arrive.
    const d = await world.daemon({ bcryptCost: 12, limits: { maxBufferedBytes: 65_536 } });
    const { client: mallory } = await world.member(d, "mallory");
    const { client: bob } = await world.member(d, "bob");
    mallory.send({ type: "password", old: "not-the-password", new: "another-password" });
    // 40 frames of 4000 characters: some 160 KB behind the password check, over the 64 KiB allowed.
    const say = JSON.stringify({ type: "say", room: "general", text: "x".repeat(4000) });
    for (let i = 0; i < 40; i++) mallory.ws.send(say);
    expect(await mallory.closed).toEqual({ code: 1008, reason: "too many requests waiting" });
    expect(mallory.frames.filter((f) => f.type === "ack").length).toBeLessThan(40);
    expect(await bob.request({ type: "ping", ref: 7 }, "pong")).toEqual({ type: "pong", ref: 7 });
  });

  it("takes a burst under the limit: 300 say frames behind a join are each answered, none closes the connection", async () => {
    const d = await world.daemon({ limits: { messageBurst: 400, ipMessageBurst: 400 } });
    const { client: alice } = await world.signIn(d, "alice");
    alice.send({ type: "join", room: "general" });
    for (let i = 0; i < 300; i++) alice.send({ type: "say", room: "general", text: `m${i}`, ref: i });
    for (let i = 0; i < 300; i++) await alice.next("ack");
    expect(alice.ws.readyState).toBe(1);
  });
});
