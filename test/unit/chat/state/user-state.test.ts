import { describe, expect, it, vi } from "vitest";
import { belongs, belongsTest } from "../../../../src/chat/state/user-state.ts";

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
