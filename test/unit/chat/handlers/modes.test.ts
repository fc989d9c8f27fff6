import { describe, expect, it } from "vitest";
import { join } from "../../../../src/chat/handlers/rooms.ts";
import { mode } from "../../../../src/chat/handlers/modes.ts";
import { rooms, topic } from "../../../../src/chat/handlers/state.ts";
import { aliceAndBobIn, codeOf, settle } from "./world.ts";

/** A world where alice created #den (its operator) and bob joined it after her. */
const den = () => aliceAndBobIn("den", { known: ["alice", "bob", "carol"] });

describe("room modes and roles (issue 21)", () => {
  it("makes the member whose join creates a room its operator; `joined` carries the roles and modes", async () => {
    const { alice, bob } = await den();
    expect(alice.frames().find((f) => f.type === "joined")).toMatchObject({ operators: ["alice"], voiced: [], modes: { topicLock: false, secret: false } });
    expect(bob.frames().find((f) => f.type === "joined")).toMatchObject({ operators: ["alice"], voiced: [] });
  });

  it("lets an operator lock the topic: members get `mode`, the store keeps it, and a non-operator's topic is forbidden", async () => {
    const { w, alice, bob } = await den();
    await mode(w.ctx, alice.session, { type: "mode", room: "den", mode: "topicLock", on: true, ref: 1 });
    await settle();
    expect(bob.frames().filter((f) => f.type === "mode")).toEqual([{ type: "mode", room: "den", mode: "topicLock", on: true, by: "alice", ts: expect.any(Number) }]);
    expect([...alice.frames(), ...alice.heldFrames()].some((f) => f.type === "ack" && f.ref === 1)).toBe(true);
    expect((await w.rooms.get("den"))?.topicLock).toBe(true);
    expect(await codeOf(() => topic(w.ctx, bob.session, { type: "topic", room: "den", text: "mine" }))).toBe("forbidden");
    expect(await codeOf(() => topic(w.ctx, alice.session, { type: "topic", room: "den", text: "hers" }))).toBeUndefined();
    // Unlocked: any member again, as before issue 21.
    await mode(w.ctx, alice.session, { type: "mode", room: "den", mode: "topicLock", on: false });
    await settle();
    expect(await codeOf(() => topic(w.ctx, bob.session, { type: "topic", room: "den", text: "mine" }))).toBeUndefined();
  });

  it("refuses a non-operator (forbidden), a non-member (not_in_room), a user outside the room and a mode without its user", async () => {
    const { w, alice, bob } = await den();
    const carol = w.user("carol");
    expect(await codeOf(() => mode(w.ctx, bob.session, { type: "mode", room: "den", mode: "topicLock", on: true }))).toBe("forbidden");
    expect(await codeOf(() => mode(w.ctx, carol.session, { type: "mode", room: "den", mode: "topicLock", on: true }))).toBe("not_in_room");
    expect(await codeOf(() => mode(w.ctx, alice.session, { type: "mode", room: "den", mode: "operator", on: true, user: "carol" }))).toBe("not_in_room");
    expect(await codeOf(() => mode(w.ctx, alice.session, { type: "mode", room: "den", mode: "operator", on: true, user: "nobody" }))).toBe("unknown_user");
    expect(await codeOf(() => mode(w.ctx, alice.session, { type: "mode", room: "den", mode: "voice", on: true }))).toBe("bad_frame");
    expect(await codeOf(() => mode(w.ctx, alice.session, { type: "mode", room: "den", mode: "secret", on: true, user: "bob" }))).toBe("bad_frame");
    expect(w.directory.get("den")?.topicLock).toBeUndefined();
  });

  it("grants and revokes operator and voice; a new operator may then change modes", async () => {
    const { w, alice, bob } = await den();
    await mode(w.ctx, alice.session, { type: "mode", room: "den", mode: "operator", on: true, user: "BOB" });
    await mode(w.ctx, alice.session, { type: "mode", room: "den", mode: "voice", on: true, user: "bob" });
    await settle();
    expect(w.directory.get("den")).toMatchObject({ operators: ["alice", "bob"], voiced: ["bob"] });
    expect(bob.frames().filter((f) => f.type === "mode").map((f) => [f.mode, f.on, f.user])).toEqual([
      ["operator", true, "bob"],
      ["voice", true, "bob"],
    ]);
    await mode(w.ctx, bob.session, { type: "mode", room: "den", mode: "operator", on: false, user: "alice" });
    await settle();
    expect(await w.rooms.get("den")).toMatchObject({ operators: ["bob"], voiced: ["bob"] });
    expect(await codeOf(() => mode(w.ctx, alice.session, { type: "mode", room: "den", mode: "topicLock", on: true }))).toBe("forbidden");
  });

  it("lets a server moderator act as an operator in any room", async () => {
    const { w, bob } = await den();
    await w.users.update("bob", (r) => void (r.role = "moderator"));
    expect(await codeOf(() => mode(w.ctx, bob.session, { type: "mode", room: "den", mode: "topicLock", on: true }))).toBeUndefined();
  });

  it("hides a secret room from the directory of non-members", async () => {
    const { w, alice } = await den();
    const carol = w.user("carol");
    await mode(w.ctx, alice.session, { type: "mode", room: "den", mode: "secret", on: true });
    await settle();
    await rooms(w.ctx, carol.session, { type: "rooms" });
    await rooms(w.ctx, alice.session, { type: "rooms" });
    const names = (frames: Array<Record<string, unknown>>) => (frames.findLast((f) => f.type === "rooms")!.rooms as Array<{ name: string }>).map((r) => r.name);
    expect(names(carol.frames())).not.toContain("den");
    expect(names(alice.frames())).toContain("den");
  });
});
