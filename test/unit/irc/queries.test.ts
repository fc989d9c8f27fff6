import { describe, expect, it } from "vitest";
import { maskMatcher } from "../../../src/irc/queries.ts";

describe("maskMatcher (WHO masks)", () => {
  it("matches * and ? wildcards without regard to case", () => {
    const m = maskMatcher("coolni*");
    expect(m("coolNick")).toBe(true);
    expect(m("COOLNI")).toBe(true);
    expect(m("acoolNick")).toBe(false);
    expect(maskMatcher("b?b")("Bob")).toBe(true);
    expect(maskMatcher("b?b")("bb")).toBe(false);
  });

  it("takes every other character literally", () => {
    expect(maskMatcher("a.c*")("abc")).toBe(false);
    expect(maskMatcher("a.c*")("a.cd")).toBe(true);
    expect(maskMatcher("[x]|(y)+$")("[x]|(y)+$")).toBe(true);
    expect(maskMatcher("[x]")("x")).toBe(false);
  });
});
