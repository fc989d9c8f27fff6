import { describe, expect, it } from "vitest";
import type { Peer } from "../../../src/chat/peer.ts";
import { chatWorld } from "./handlers/world.ts";

/** A session's peer as IRC makes it: `oper` after OPER, `away` after AWAY (both read-only to the chat). */
const irc = (peer: unknown) => peer as Peer & { oper?: boolean; away?: string };

describe("RoomPresence.syncLocal", () => {
  it("reports the node's sessions of a user with no IRC status when none set one", async () => {
    const { ctx, presenceStore, user } = chatWorld();
    const alice = user("alice");
    await ctx.presence.syncLocal("alice", "alice");
    expect(await presenceStore.statusOf(["alice"])).toEqual([{}]);
    expect((await presenceStore.users())[0]).toEqual({ name: "alice", sessions: 1, address: "127.0.0.1", connectedAt: alice.session.connectedAt, rooms: [] });
  });

  it("reports an IRC operator: the strongest role a block granted an OPERed session, `user` when none was granted", async () => {
    const { ctx, presenceStore, user } = chatWorld();
    const own = user("alice");
    const plain = user("alice");
    Object.assign(irc(own.session.peer), { oper: true });
    await ctx.presence.syncLocal("alice", "alice");
    expect(await presenceStore.statusOf(["alice"])).toEqual([{ oper: "user" }]);

    const granted = user("alice");
    Object.assign(irc(granted.session.peer), { oper: true });
    granted.session.grant = { role: "moderator", operator: "ops" };
    await ctx.presence.syncLocal("alice", "alice");
    expect(await presenceStore.statusOf(["alice"])).toEqual([{ oper: "moderator" }]);
    expect((await presenceStore.users())[0]!.sessions).toBe(3);
    // A session that did not OPER adds nothing, even with a grant (only OPER gives one).
    plain.session.grant = { role: "admin", operator: "root" };
    await ctx.presence.syncLocal("alice", "alice");
    expect(await presenceStore.statusOf(["alice"])).toEqual([{ oper: "moderator" }]);
  });

  it("forgets the operator once the last OPERed session of the user on the node is gone", async () => {
    const { ctx, hub, presenceStore, user } = chatWorld();
    const first = user("bob");
    const second = user("bob");
    for (const s of [first, second]) Object.assign(irc(s.session.peer), { oper: true });
    await ctx.presence.syncLocal("bob", "bob");
    hub.remove(first.session);
    await ctx.presence.syncLocal("bob", "bob");
    expect(await presenceStore.statusOf(["bob"])).toEqual([{ oper: "user" }]);
    hub.remove(second.session);
    user("bob");
    await ctx.presence.syncLocal("bob", "bob");
    expect(await presenceStore.statusOf(["bob"])).toEqual([{}]);
    expect((await presenceStore.users())[0]).not.toHaveProperty("oper");
  });
});
