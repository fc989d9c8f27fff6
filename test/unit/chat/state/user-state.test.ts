import { describe, expect, it, vi } from "vitest";
import { belongs, belongsTest, noteConversation } from "../../../../src/chat/state/user-state.ts";
import type { UserRecord, UserStore } from "../../../../storage/users/types.ts";

describe("belongsTest", () => {
  it("answers as belongs does", () => {
    const user = { rooms: ["dev", "ops"] };
    const test = belongsTest(user);
    for (const room of ["dev", "ops", "general", ""]) expect(test(room)).toBe(belongs(user, room));
    expect(belongsTest({})("dev")).toBe(false);
  });

  it("answers thousands of questions about a user of thousands of rooms without scanning the list for each", () => {
    const rooms = Array.from({ length: 5000 }, (_, i) => `r${i}`);
    const test = belongsTest({ rooms });
    // A `rooms` page passing 5000 secret rooms asked belongs() of each: 5000 scans of 5000 rooms.
    const includes = vi.spyOn(Array.prototype, "includes");
    let mine = 0;
    let scans: number;
    try {
      for (let i = 0; i < 10_000; i += 2) if (test(`r${i}`)) mine += 1;
    } finally {
      scans = includes.mock.calls.length;
      includes.mockRestore();
    }
    expect(mine).toBe(2500);
    expect(scans).toBe(0);
  });
});

describe("noteConversation", () => {
  /** A store of one record, enough for the index. */
  function store(): { users: UserStore; record: Partial<UserRecord> } {
    const record: Partial<UserRecord> = {};
    const users = {
      update: async (_key: string, fn: (u: UserRecord) => void) => {
        fn(record as UserRecord);
        return record as UserRecord;
      },
    } as unknown as UserStore;
    return { users, record };
  }
  const id = (n: number) => `17641000000${String(n).padStart(2, "0")}-000000`;

  it("keeps each conversation's newest message, and the list newest first, whatever order two messages stored at once are noted in", async () => {
    const { users, record } = store();
    await noteConversation(users, "ann", { key: "bob", name: "Bob" }, id(1), 1);
    await noteConversation(users, "ann", { key: "cat", name: "Cat" }, id(3), 3);
    // Two nodes noting at once: the older message noted last.
    await noteConversation(users, "ann", { key: "bob", name: "Bob" }, id(4), 4);
    await noteConversation(users, "ann", { key: "bob", name: "Bob" }, id(2), 2);
    await noteConversation(users, "ann", { key: "dan", name: "Dan" }, id(0), 0);
    expect(record.conversations!.map((c) => [c.key, c.lastId])).toEqual([
      ["bob", id(4)],
      ["cat", id(3)],
      ["dan", id(0)],
    ]);
  });
});
