import { describe, expect, it } from "vitest";
import { skeleton, skeletonsOf } from "../../../src/unicode/skeleton.ts";
import { isModeratelyRestrictive } from "../../../src/unicode/scripts.ts";
import { checkNewName } from "../../../src/message/new-names.ts";

describe("skeleton", () => {
  it("gives look-alikes of alice and general the same skeleton", () => {
    for (const name of ["\u0430lice", "aIice", "al\u0131ce", "AIice", "a1ice"]) expect(skeleton(name), name).toBe(skeleton("alice"));
    expect(skeleton("g\u0435neral")).toBe(skeleton("general"));
  });
  it("tells different names apart", () => {
    expect(skeleton("alicia")).not.toBe(skeleton("alice"));
    expect(skeleton("bob")).not.toBe(skeleton("rob"));
  });
  it("gives a name's display and key their skeletons, once if they agree", () => {
    expect(skeletonsOf("alice", "alice")).toHaveLength(1);
    expect(skeletonsOf("AIex", "aiex")).toEqual([skeleton("AIex"), skeleton("aiex")]);
  });
});

describe("isModeratelyRestrictive", () => {
  it("allows one script, and Latin with one other that is not Cyrillic or Greek", () => {
    for (const name of ["alice", "\u0438\u0432\u0430\u043d", "\u03b1\u03b2\u03b3", "M\u00fcller", "\u65e5\u672c\u8a9e", "abc\u65e5\u672c", "abc\u304b\u306a\u6f22\u5b57", "\ud55c\uad6d\uc5b4abc", "x-y_1"]) {
      expect(isModeratelyRestrictive(name), name).toBe(true);
    }
  });
  it("refuses Latin with Cyrillic or Greek, and three scripts", () => {
    for (const name of ["\u0430lice", "abc\u03b1", "abc\u0436\u05d0"]) expect(isModeratelyRestrictive(name), name).toBe(false);
  });
});

describe("checkNewName", () => {
  it("refuses the invisible characters of issue 22 with bad_name", () => {
    for (const name of ["alice\u034f", "alice\ufe0f", "alice\ufe00", "alice\u180b", "alice\u{e0100}", "alice\u3164", "alice\u115f", "alice\u17b4", "ali\u034fce"]) {
      expect(() => checkNewName(name), JSON.stringify(name)).toThrow(expect.objectContaining({ code: "bad_name" }));
    }
  });
});
