import { afterEach, describe, expect, it } from "vitest";
import { World, ask, eventually } from "../helpers/harness.ts";

/** `mode` (issue 21): roles stay when a member leaves, so an operator must be able to take them back then. */
describe("room roles of a member who left", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("an operator revokes the operator role and voice of one who left; giving a role still needs one who belongs", async () => {
    const d = await world.daemon();
    const { client: owner } = await world.member(d, "owner", "den");
    const { client: helper } = await world.member(d, "helper", "den");
    expect(await ask(owner, { type: "mode", room: "den", mode: "operator", on: true, user: "helper" })).toMatchObject({ type: "ack" });
    expect(await ask(owner, { type: "mode", room: "den", mode: "voice", on: true, user: "helper" })).toMatchObject({ type: "ack" });
    await helper.request({ type: "leave", room: "den" }, "left");

    expect(await ask(owner, { type: "mode", room: "den", mode: "operator", on: false, user: "helper" })).toMatchObject({ type: "ack" });
    await eventually(() => owner.frames.some((f) => f.type === "mode" && f.mode === "operator" && f.on === false && f.user === "helper" && f.by === "owner"), { what: "the revoke told" });
    expect(await ask(owner, { type: "mode", room: "den", mode: "voice", on: false, user: "helper" })).toMatchObject({ type: "ack" });
    // Back in the room, the roles are gone: helper may no longer change them.
    const joined = await helper.request({ type: "join", room: "den" }, "joined");
    expect(joined).toMatchObject({ operators: ["owner"], voiced: [] });
    expect(await ask(helper, { type: "mode", room: "den", mode: "operator", on: false, user: "owner" })).toMatchObject({ code: "forbidden" });

    // Giving a role, or taking back one never given, still wants a member.
    const { client: stranger } = await world.signIn(d, "stranger");
    expect(await ask(owner, { type: "mode", room: "den", mode: "voice", on: true, user: "stranger" })).toMatchObject({ code: "not_in_room" });
    expect(await ask(owner, { type: "mode", room: "den", mode: "operator", on: false, user: "stranger" })).toMatchObject({ code: "not_in_room" });
    stranger.close();
  });
});
