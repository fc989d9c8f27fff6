import { afterEach, describe, expect, it } from "vitest";
import { settle, World } from "../helpers/harness.ts";

/**
 * Issue 22.4: one user (or address) making room after room. Creation is capped
 * per user, per address and in total; welcome lists the user's own rooms, and
 * rooms answers a page, however many rooms exist.
 */
describe("room creation under abuse", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("refuses the join-say-leave room flood past the per-user cap, with retryAfterMs, and the connection lives", async () => {
    const d = await world.daemon({ limits: { userRoomBurst: 5, userRoomsPerHour: 1, joinBurst: 1000, joinsPerSecond: 1000 } });
    const { client } = await world.signIn(d, "hog");
    let created = 0;
    let refused = 0;
    for (let i = 0; i < 20; i++) {
      const answer = await client.request({ type: "join", room: `hog${i}` }, "joined", "error");
      if (answer.type === "joined") {
        created++;
        await client.request({ type: "leave", room: `hog${i}` }, "left");
      } else {
        expect(answer).toMatchObject({ code: "rate_limited" });
        expect(answer.retryAfterMs).toBeGreaterThan(0);
        refused++;
      }
    }
    expect(created).toBe(5);
    expect(refused).toBe(15);
    expect((await client.request({ type: "ping" }, "pong")).type).toBe("pong");
  });

  it("holds many users from one address to the per-address cap", async () => {
    const d = await world.daemon({ limits: { ipRoomBurst: 4, ipRoomsPerHour: 1 } });
    const answers: string[] = [];
    for (let u = 0; u < 3; u++) {
      const { client } = await world.signIn(d, `sock${u}`);
      for (let i = 0; i < 2; i++) answers.push(((await client.request({ type: "join", room: `s${u}r${i}` }, "joined", "error")) as { type: string; code?: string }).code ?? "joined");
    }
    expect(answers.filter((a) => a === "joined")).toHaveLength(4);
    expect(answers.filter((a) => a === "rate_limited")).toHaveLength(2);
  });

  it("caps the total number of rooms (too_many_rooms), pages the directory and keeps welcome small", async () => {
    const d = await world.daemon({ limits: { maxRooms: 30, userRoomBurst: 1000, ipRoomBurst: 1000, joinBurst: 1000, joinsPerSecond: 1000 } });
    const { client } = await world.signIn(d, "maker");
    let last: { type: string; code?: string } = { type: "" };
    let made = 0;
    for (let i = 0; i < 40 && last.code === undefined; i++) {
      last = (await client.request({ type: "join", room: `r${String(i).padStart(2, "0")}` }, "joined", "error")) as typeof last;
      if (last.type === "joined") {
        made++;
        await client.request({ type: "leave", room: `r${String(i).padStart(2, "0")}` }, "left");
      }
    }
    expect(last.code).toBe("too_many_rooms");
    expect(made).toBe(29); // 30 with the default room
    const page = await client.request({ type: "rooms" }, "rooms");
    expect((page.rooms as unknown[]).length).toBe(30);
    const small = await client.request({ type: "rooms", limit: 10 }, "rooms");
    expect((small.rooms as unknown[]).length).toBe(10);
    expect(small.next).toBe("r08");
    const { welcome } = await world.signIn(d, "newcomer");
    expect(welcome.rooms).toEqual(["general"]);
  });

  it("forgets empty rooms nobody belongs to after emptyRoomTtlMs, keeping their history", async () => {
    const d = await world.daemon({ limits: { emptyRoomTtlMs: 1000, heartbeatMs: 200 } });
    const { client } = await world.signIn(d, "visitor");
    await client.request({ type: "join", room: "fleeting" }, "joined");
    await client.request({ type: "say", room: "fleeting", text: "still here", ref: 1 }, "ack");
    await client.request({ type: "join", room: "kept" }, "joined");
    await client.request({ type: "leave", room: "fleeting" }, "left");
    await expect
      .poll(async () => ((await client.request({ type: "rooms" }, "rooms")).rooms as Array<{ name: string }>).map((r) => r.name), { timeout: 8000, interval: 300 })
      .toEqual(["general", "kept"]);
    const back = await client.request({ type: "join", room: "fleeting" }, "joined");
    expect((back.history as Array<{ text: string }>).map((m) => m.text)).toEqual(["still here"]);
  });

  it("does not replay a forgotten room's topic and modes to a join with since: the room created again has none", async () => {
    const d = await world.daemon({ limits: { emptyRoomTtlMs: 1000, heartbeatMs: 200 } });
    const { client: alice } = await world.signIn(d, "alice");
    await alice.request({ type: "join", room: "fleeting" }, "joined");
    const seen = await alice.request({ type: "say", room: "fleeting", text: "last seen", ref: 1 }, "ack");
    await alice.request({ type: "topic", room: "fleeting", text: "old topic", ref: 2 }, "ack");
    await alice.request({ type: "mode", room: "fleeting", mode: "topicLock", on: true, ref: 3 }, "ack");
    await alice.request({ type: "leave", room: "fleeting" }, "left");
    await expect
      .poll(async () => ((await alice.request({ type: "rooms" }, "rooms")).rooms as Array<{ name: string }>).map((r) => r.name), { timeout: 8000, interval: 300 })
      .toEqual(["general"]);
    const { client: bob } = await world.signIn(d, "bob");
    bob.send({ type: "join", room: "fleeting", since: seen.id });
    const joined = await bob.next("joined");
    expect(joined).toMatchObject({ operators: ["bob"], modes: { topicLock: false, secret: false } });
    expect(joined.topic).toBeUndefined();
    const after = (await settle(bob)).filter((f) => f.type !== "rooms");
    expect(after).toEqual([]);
    // Live changes of the room as it is now still come.
    await bob.request({ type: "topic", room: "fleeting", text: "new topic", ref: 4 }, "ack");
    const again = await bob.request({ type: "join", room: "fleeting", since: seen.id }, "joined");
    expect(again.topic).toBe("new topic");
    expect((await settle(bob)).filter((f) => f.type === "topic").map((f) => f.text)).toEqual(["new topic"]);
  });
});

