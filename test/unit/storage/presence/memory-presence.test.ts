import { describe, expect, it } from "vitest";
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
});
