import { afterEach, describe, expect, it } from "vitest";
import type { Frame, TestClient } from "../../helpers/client.ts";
import { World, settle } from "../../helpers/harness.ts";

/**
 * docs/protocol.md on rooms, from the document alone: operators, voice and
 * modes (`mode`), secret rooms in the directory, and typing's interval.
 */

async function errorFor(client: TestClient, frame: unknown): Promise<Frame> {
  client.send(frame);
  const errors = (await settle(client)).filter((f) => f.type === "error");
  expect(errors, JSON.stringify(frame)).toHaveLength(1);
  return errors[0]!;
}

const names = (page: Frame) => (page.rooms as Array<{ name: string }>).map((r) => r.name);

describe("mode", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("makes the creator of a room its operator; a default room starts with none", async () => {
    const d = await world.daemon();
    const { joined: general } = await world.member(d, "alice", "general");
    expect(general).toMatchObject({ operators: [], voiced: [], modes: { topicLock: false, secret: false } });
    const { client, joined: lab } = await world.member(d, "alice", "Lab");
    expect(lab).toMatchObject({ room: "lab", operators: ["alice"], voiced: [] });
    expect(await errorFor(client, { type: "mode", room: "general", mode: "topicLock", on: true, ref: "g" })).toMatchObject({ code: "forbidden", ref: "g" });
  });

  it("refuses who may not, names who does not belong, and answers unknown users and bad names", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice", "lab");
    const { client: bob } = await world.member(d, "bob", "lab");
    const { client: carol } = await world.signIn(d, "carol");
    expect(await errorFor(bob, { type: "mode", room: "lab", mode: "voice", on: true, user: "bob", ref: 1 })).toMatchObject({ code: "forbidden", ref: 1 });
    expect(await errorFor(carol, { type: "mode", room: "lab", mode: "secret", on: true, ref: 2 })).toMatchObject({ code: "not_in_room", ref: 2 });
    expect(await errorFor(alice, { type: "mode", room: "lab", mode: "operator", on: true, user: "carol", ref: 3 })).toMatchObject({ code: "not_in_room", ref: 3 });
    expect(await errorFor(alice, { type: "mode", room: "lab", mode: "operator", on: true, user: "nobody", ref: 4 })).toMatchObject({ code: "unknown_user", ref: 4 });
    expect(await errorFor(alice, { type: "mode", room: "lab", mode: "operator", on: true, user: "no body", ref: 5 })).toMatchObject({ code: "bad_name", ref: 5 });
    expect(await errorFor(alice, { type: "mode", room: "no room", mode: "secret", on: true, ref: 6 })).toMatchObject({ code: "bad_name", ref: 6 });
    expect(await errorFor(alice, { type: "mode", room: "nowhere", mode: "secret", on: true, ref: 7 })).toMatchObject({ code: "not_in_room", ref: 7 });
  });

  it("tells every connection in the room, a change to what already is too; roles stay when a member leaves; an operator may revoke themself", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice", "lab");
    const { client: bob } = await world.member(d, "bob", "lab");
    const grant = { type: "mode", room: "lab", mode: "operator", on: true, user: "bob" };
    alice.send(grant);
    alice.send(grant);
    for (const who of [alice, bob]) {
      for (let i = 0; i < 2; i++) expect(await who.next("mode")).toEqual({ ...grant, by: "alice", ts: expect.any(Number) });
    }
    expect(await bob.request({ type: "leave", room: "lab" }, "left")).toEqual({ type: "left", room: "lab" });
    expect((await bob.request({ type: "join", room: "lab" }, "joined")).operators).toEqual(["alice", "bob"]);
    // Now an operator, bob turns on a mode; alice revokes herself.
    bob.send({ type: "mode", room: "lab", mode: "voice", on: true, user: "alice", ref: "v" });
    expect(await alice.next("mode")).toMatchObject({ mode: "voice", on: true, user: "alice", by: "bob" });
    alice.send({ type: "mode", room: "lab", mode: "operator", on: false, user: "alice", ref: "o" });
    expect(await alice.next("mode")).toMatchObject({ mode: "operator", on: false, user: "alice", by: "alice" });
    expect(await alice.next("ack")).toMatchObject({ ref: "o" });
    expect(await errorFor(alice, { type: "mode", room: "lab", mode: "secret", on: true, ref: "s" })).toMatchObject({ code: "forbidden" });
    const joined = await alice.request({ type: "join", room: "lab" }, "joined");
    expect(joined).toMatchObject({ operators: ["bob"], voiced: ["alice"] });
  });

  it("topicLock: only operators (and moderators) set the topic; the others get forbidden", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice", "lab");
    const { client: bob } = await world.member(d, "bob", "lab");
    alice.send({ type: "mode", room: "lab", mode: "topicLock", on: true, ref: "l" });
    expect(await bob.next("mode")).toMatchObject({ mode: "topicLock", on: true });
    expect(await errorFor(bob, { type: "topic", room: "lab", text: "mine", ref: "t" })).toMatchObject({ code: "forbidden", ref: "t" });
    await d.http("/admin/role", { method: "PUT", admin: true, body: JSON.stringify({ user: "bob", role: "moderator" }) });
    bob.send({ type: "topic", room: "lab", text: "mine now", ref: "t2" });
    expect(await alice.next("topic")).toMatchObject({ text: "mine now", by: "bob" });
    // The sender's own connection is told too; then an operator clears the topic.
    expect(await bob.next("topic")).toMatchObject({ text: "mine now", by: "bob" });
    alice.send({ type: "topic", room: "lab", text: "", ref: "t3" });
    expect(await bob.next("topic")).toMatchObject({ text: "", by: "alice" });
    expect(await bob.request({ type: "join", room: "lab" }, "joined")).not.toHaveProperty("topic");
  });
});

describe("secret rooms", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("are listed to their members only, left out of the unasked push, whose making is pushed", async () => {
    const d = await world.daemon({ limits: { roomsPushMs: 50 } });
    const { client: bob } = await world.signIn(d, "bob");
    const { client: alice } = await world.member(d, "alice", "hideout");
    // A room created is pushed (the first page, unasked) to every signed-in connection.
    expect(names(await bob.next("rooms"))).toEqual(["general", "hideout"]);
    expect(names(await alice.next("rooms"))).toEqual(["general", "hideout"]);
    alice.send({ type: "mode", room: "hideout", mode: "secret", on: true, ref: "s" });
    expect(await alice.next("mode")).toMatchObject({ mode: "secret", on: true });
    // Making a room secret pushes the first page to every signed-in connection, without the room.
    const pushed = await bob.next("rooms");
    expect(pushed).not.toHaveProperty("ref");
    expect(names(pushed)).toEqual(["general"]);
    expect(names(await alice.next("rooms"))).toEqual(["general"]);
    expect(names(await bob.request({ type: "rooms", ref: 1 }, "rooms"))).toEqual(["general"]);
    expect(names(await bob.request({ type: "rooms", query: "hide", ref: 2 }, "rooms"))).toEqual([]);
    expect(names(await alice.request({ type: "rooms", ref: 3 }, "rooms"))).toEqual(["general", "hideout"]);
    // Joining a secret room by name works; then it is listed to the new member.
    expect(await bob.request({ type: "join", room: "hideout" }, "joined")).toMatchObject({ modes: { topicLock: false, secret: true } });
    expect(names(await bob.request({ type: "rooms", ref: 4 }, "rooms"))).toEqual(["general", "hideout"]);
  });
});

describe("typing", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("reaches the other connections in the room at most once an interval, and a say ends the interval", async () => {
    const d = await world.daemon({ limits: { typingIntervalMs: 60_000 } });
    const { client: alice } = await world.member(d, "alice");
    const { client: alice2 } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    await settle(alice);
    alice.send({ type: "typing", room: "general" });
    alice.send({ type: "typing", room: "general" });
    expect((await settle(alice)).filter((f) => f.type !== "presence")).toEqual([]);
    expect((await settle(bob)).filter((f) => f.type === "typing")).toEqual([{ type: "typing", room: "general", user: "alice" }]);
    expect((await settle(alice2)).filter((f) => f.type === "typing")).toEqual([{ type: "typing", room: "general", user: "alice" }]);
    alice.send({ type: "say", room: "general", text: "done typing", ref: 1 });
    expect(await bob.next("message")).toMatchObject({ text: "done typing" });
    alice.send({ type: "typing", room: "general" });
    expect(await bob.next("typing")).toEqual({ type: "typing", room: "general", user: "alice" });
  });
});

describe("room names", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("can always be sent back as the server shows them: a new room whose lower-cased name is over 32 characters is refused", async () => {
    const d = await world.daemon();
    const { client } = await world.signIn(d, "alice");
    // `İ` lower-cases to two characters (`i` and U+0307): 17 of them show as 34.
    expect(await errorFor(client, { type: "join", room: "\u0130".repeat(17), ref: 1 })).toMatchObject({ code: "bad_name", ref: 1 });
    const joined = await client.request({ type: "join", room: "\u0130".repeat(16) }, "joined");
    const page = await client.request({ type: "rooms", query: joined.room as string, ref: "r" }, "rooms");
    expect(names(page)).toEqual([joined.room]);
    for (const name of [joined.room, ...names(page)]) {
      expect(await client.request({ type: "join", room: name }, "joined", "error")).toMatchObject({ type: "joined", room: joined.room });
    }
  });
});

