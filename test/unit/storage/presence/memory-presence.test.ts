import { describe, expect, it, vi } from "vitest";
import { createMemoryPresence } from "../../../../storage/presence/memory-presence.ts";

describe("createMemoryPresence", () => {
  it("says join for a user's first entry and leave for the exit", async () => {
    const p = createMemoryPresence();
    expect(await p.enter("general", "alice")).toBe(true);
    expect(await p.enter("general", "alice")).toBe(false);
    expect(await p.members(["general"])).toEqual([["alice"]]);
    expect(await p.exit("general", "alice")).toBe(true);
    expect(await p.exit("general", "alice")).toBe(false);
    expect(await p.activeRooms()).toEqual([]);
  });

  it("reports online users with their rooms, and itself as the only node", async () => {
    const p = createMemoryPresence();
    await p.setLocal("alice", { sessions: 2, address: "::1", connectedAt: 5 });
    await p.enter("general", "alice");
    expect(await p.users()).toEqual([{ name: "alice", sessions: 2, address: "::1", connectedAt: 5, rooms: ["general"] }]);
    await p.setLocal("alice", undefined);
    expect(await p.users()).toEqual([]);
    expect((await p.nodes()).map((n) => n.self)).toEqual([true]);
  });

  it("keeps each user's IRC status (away message, operator) as reported, and nothing for others", async () => {
    const p = createMemoryPresence();
    await p.setLocal("alice", { sessions: 1, address: "::1", connectedAt: 5, oper: "moderator", away: "lunch" });
    await p.setLocal("bob", { sessions: 1, address: "::1", connectedAt: 6 });
    expect(await p.statusOf(["alice", "bob", "nobody"])).toEqual([{ away: "lunch", oper: "moderator" }, {}, {}]);
    expect(await p.users()).toEqual([
      { name: "alice", sessions: 1, address: "::1", connectedAt: 5, away: "lunch", oper: "moderator", rooms: [] },
      { name: "bob", sessions: 1, address: "::1", connectedAt: 6, rooms: [] },
    ]);
    await p.setLocal("alice", { sessions: 1, address: "::1", connectedAt: 5 });
    expect(await p.statusOf(["alice"])).toEqual([{}]);
  });

  it("keeps a room's sorted list: the same frozen list until a change, then the next one made from it (no sort per join)", async () => {
    const p = createMemoryPresence();
    for (const u of ["dave", "bob", "Zed"]) await p.enter("r", u);
    const [first] = await p.members(["r"]);
    expect(first).toEqual(["Zed", "bob", "dave"]);
    expect(Object.isFrozen(first)).toBe(true);
    expect((await p.members(["r"]))[0]).toBe(first);
    const sort = vi.spyOn(Array.prototype, "sort");
    try {
      await p.enter("r", "carol");
      await p.enter("r", "alice");
      await p.enter("r", "eve");
      const [next] = await p.members(["r"]);
      expect(next).toEqual(["Zed", "alice", "bob", "carol", "dave", "eve"]);
      expect(sort).not.toHaveBeenCalled();
    } finally {
      sort.mockRestore();
    }
    expect(first).toEqual(["Zed", "bob", "dave"]);
    await p.exit("r", "bob");
    expect((await p.members(["r", "none"]))).toEqual([["Zed", "alice", "carol", "dave", "eve"], []]);
  });

  it("lists the online users with their rooms in work bounded by memberships, not users × rooms", async () => {
    const p = createMemoryPresence();
    const n = 300;
    for (let i = 0; i < n; i++) {
      await p.enter(`r${i}`, `u${i}`);
      await p.enter("all", `u${i}`);
      await p.setLocal(`u${i}`, { sessions: 1, address: "::1", connectedAt: i });
    }
    // A scan of every room for each user asked each room's set about each user: n × (n + 1) look-ups.
    const has = vi.spyOn(Set.prototype, "has");
    let users;
    try {
      users = await p.users();
      expect(has.mock.calls.length).toBeLessThan(2 * n);
    } finally {
      has.mockRestore();
    }
    expect(users).toHaveLength(n);
    expect(users.find((u) => u.name === "u7")).toEqual({ name: "u7", sessions: 1, address: "::1", connectedAt: 7, rooms: ["all", "r7"] });
  });

  it("keeps its users() answer, frozen, until presence changes: a storm of IRC look-ups costs one listing", async () => {
    const p = createMemoryPresence();
    await p.setLocal("alice", { sessions: 1, address: "::1", connectedAt: 1 });
    await p.enter("dev", "alice");
    const first = await p.users();
    expect(await p.users()).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first[0]) && Object.isFrozen(first[0]!.rooms)).toBe(true);
    for (const change of [() => p.enter("ops", "alice"), () => p.exit("dev", "alice"), () => p.setLocal("bob", { sessions: 1, address: "::1", connectedAt: 2 })]) {
      const before = await p.users();
      await change();
      expect(await p.users()).not.toBe(before);
    }
    expect(await p.users()).toEqual([
      { name: "alice", sessions: 1, address: "::1", connectedAt: 1, rooms: ["ops"] },
      { name: "bob", sessions: 1, address: "::1", connectedAt: 2, rooms: [] },
    ]);
    // One user's change makes that user's entry anew, the others' stay (IRC keeps each entry's key).
    const [alice, bob] = await p.users();
    await p.setLocal("bob", { sessions: 2, address: "::1", connectedAt: 2 });
    const after = await p.users();
    expect(after[0]).toBe(alice);
    expect(after[1]).not.toBe(bob);
    expect(after[1]!.sessions).toBe(2);
    // Entering a room one is in already changes nothing.
    const same = await p.users();
    await p.enter("ops", "alice");
    expect(await p.users()).toBe(same);
  });
});
