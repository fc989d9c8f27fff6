import { afterEach, describe, expect, it } from "vitest";
import type { Frame, TestClient } from "../../helpers/client.ts";
import { World, settle } from "../../helpers/harness.ts";

/** docs/protocol.md on client tags, from the document alone: on messages (`say`, `dm`) and on their own (`tags`). */

async function errorFor(client: TestClient, frame: unknown): Promise<Frame> {
  client.send(frame);
  const errors = (await settle(client)).filter((f) => f.type === "error");
  expect(errors, JSON.stringify(frame)).toHaveLength(1);
  return errors[0]!;
}

describe("client tags on a message", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("are carried live, in history, in dm_history and after an edit; an empty object is none", async () => {
    const d = await world.daemon();
    const { client: alice } = await world.member(d, "alice");
    await world.signIn(d, "bob");
    const tags = { "+example.com/colour": "blue", "+draft/flag": "" };
    alice.send({ type: "say", room: "general", text: "tagged", tags, ref: 1 });
    const message = await alice.next("message");
    expect(message.tags).toEqual(tags);
    alice.send({ type: "say", room: "general", text: "untagged", tags: {}, ref: 2 });
    expect(await alice.next("message")).not.toHaveProperty("tags");
    alice.send({ type: "edit", id: message.id, text: "tagged, edited", ref: 3 });
    expect(await alice.next("edited")).toMatchObject({ text: "tagged, edited" });
    const history = await alice.request({ type: "history", room: "general" }, "history");
    expect((history.messages as Frame[])[0]).toMatchObject({ text: "tagged, edited", tags });
    expect((history.messages as Frame[])[1]).not.toHaveProperty("tags");
    alice.send({ type: "dm", to: "bob", text: "psst", tags: { "+x": "1" }, ref: 4 });
    expect(await alice.next("dm")).toMatchObject({ tags: { "+x": "1" } });
    const dms = await alice.request({ type: "dm_history", with: "bob" }, "dm_history");
    expect((dms.messages as Frame[])[0]).toMatchObject({ text: "psst", tags: { "+x": "1" } });
  });

  it("refuses a wrong name, a NUL or more than 4094 bytes with bad_frame", async () => {
    const d = await world.daemon();
    const { client } = await world.member(d, "alice");
    for (const tags of [{ nope: "x" }, { "+a b": "x" }, { "+bad_vendor!/x": "" }, { "+x": "a\u0000b" }, { "+x": "v".repeat(4092) }]) {
      expect(await errorFor(client, { type: "say", room: "general", text: "t", tags, ref: "b" }), JSON.stringify(tags).slice(0, 40)).toMatchObject({
        code: "bad_frame",
        ref: "b",
      });
    }
    // `+x=` and 4091 bytes of value: 4094 bytes in all.
    client.send({ type: "say", room: "general", text: "t", tags: { "+x": "v".repeat(4091) }, ref: "ok" });
    expect(await client.next("ack")).toMatchObject({ ref: "ok" });
  });
});

describe("the tags frame", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("is refused as say's and dm's are: muted, unknown_user, bad_name, not_in_room", async () => {
    const d = await world.daemon();
    const { client: mod } = await world.signIn(d, "mod");
    await d.http("/admin/role", { method: "PUT", admin: true, body: JSON.stringify({ user: "mod", role: "moderator" }) });
    const { client } = await world.member(d, "alice");
    mod.send({ type: "mute", user: "alice", room: "general", minutes: 5, ref: "m" });
    expect(await mod.next("moderated")).toMatchObject({ action: "mute" });
    const tags = { "+x": "1" };
    expect(await errorFor(client, { type: "tags", room: "general", tags, ref: 1 })).toMatchObject({ code: "muted", ref: 1 });
    expect(await errorFor(client, { type: "tags", to: "nobody", tags, ref: 2 })).toMatchObject({ code: "unknown_user", ref: 2 });
    expect(await errorFor(client, { type: "tags", to: "no body", tags, ref: 3 })).toMatchObject({ code: "bad_name", ref: 3 });
    expect(await errorFor(client, { type: "tags", room: "elsewhere", tags, ref: 4 })).toMatchObject({ code: "not_in_room", ref: 4 });
    // Muted in a room only: to a user it goes.
    client.send({ type: "tags", to: "mod", tags, ref: 5 });
    expect(await mod.next("tags")).toMatchObject({ from: "alice", to: "mod", tags });
  });

  it("counts as a message against the message rate, and is never stored", async () => {
    const d = await world.daemon({ limits: { messageBurst: 2, messagesPerSecond: 0.01 } });
    const { client: alice } = await world.member(d, "alice");
    alice.send({ type: "tags", room: "general", tags: { "+x": "1" }, ref: 1 });
    alice.send({ type: "say", room: "general", text: "one", ref: 2 });
    const limited = await errorFor(alice, { type: "tags", room: "general", tags: { "+x": "2" }, ref: 3 });
    expect(limited).toMatchObject({ code: "rate_limited", ref: 3, retryAfterMs: expect.any(Number) });
    const history = await alice.request({ type: "history", room: "general" }, "history");
    expect((history.messages as Frame[]).map((m) => m.text)).toEqual(["one"]);
    const { joined } = await world.member(d, "bob");
    expect((joined.history as Frame[]).map((m) => m.text)).toEqual(["one"]);
  });
});
