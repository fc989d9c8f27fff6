import { describe, expect, it } from "vitest";
import { noneMatch, parseRange } from "../../../../src/http/files/range.ts";

describe("parseRange", () => {
  it.each([
    ["bytes=0-3", 10, { start: 0, end: 3 }],
    ["bytes=5-", 10, { start: 5, end: 9 }],
    ["bytes=-3", 10, { start: 7, end: 9 }],
    ["bytes=-30", 10, { start: 0, end: 9 }],
    ["bytes=2-100", 10, { start: 2, end: 9 }],
    ["bytes=10-", 10, "unsatisfiable"],
    ["bytes=0-", 0, "unsatisfiable"],
    ["bytes=-0", 10, "unsatisfiable"],
    ["bytes=5-2", 10, undefined],
    ["bytes=0-1,3-4", 10, undefined],
    ["items=0-1", 10, undefined],
    ["bytes=-", 10, undefined],
    [undefined, 10, undefined],
    [" bytes = 1 - 2 ", 10, { start: 1, end: 2 }],
  ])("%j of %i bytes is %j", (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });

  it("reads a header of a million spaces in one pass (a regex once backtracked over it quadratically)", () => {
    const spaces = " ".repeat(1_000_000);
    expect(parseRange(`bytes=${spaces}x`, 10)).toBeUndefined();
    expect(parseRange(`bytes=1-${spaces}x`, 10)).toBeUndefined();
    expect(parseRange(`bytes=-${spaces}x`, 10)).toBeUndefined();
    expect(parseRange(`bytes=${spaces}1${spaces}-${spaces}2${spaces}`, 10)).toEqual({ start: 1, end: 2 });
  });
});

describe("noneMatch", () => {
  it("matches the tag, a weak form of it, one of a list, or *", () => {
    expect(noneMatch('"abc"', '"abc"')).toBe(true);
    expect(noneMatch('W/"abc"', '"abc"')).toBe(true);
    expect(noneMatch('"x", "abc"', '"abc"')).toBe(true);
    expect(noneMatch("*", '"abc"')).toBe(true);
    expect(noneMatch('"abcd"', '"abc"')).toBe(false);
    expect(noneMatch(undefined, '"abc"')).toBe(false);
  });
});
