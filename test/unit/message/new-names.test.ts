import { describe, expect, it } from "vitest";
import { checkNewName } from "../../../src/message/new-names.ts";

// `İ` (U+0130) is the one letter whose lower-case form is longer: `i` and U+0307.
// A new name must fit the 32-character bound in the form the server shows it
// (a room's lower-cased name), else that name could not be sent back.
describe("checkNewName", () => {
  it("refuses a name that lower-cases to more than 32 characters", () => {
    expect(() => checkNewName("\u0130".repeat(17), "room")).toThrow("room name must be 1 to 32 characters");
    expect(() => checkNewName("\u0130".repeat(32))).toThrow("user name must be 1 to 32 characters");
  });

  it("takes one whose lower-cased form has 32, and keeps its key joinable", () => {
    const n = checkNewName("\u0130".repeat(16), "room");
    expect([...n.key]).toHaveLength(32);
    expect(checkNewName(n.key, "room").key).toBe(n.key);
  });
});
