import { describe, expect, it } from "vitest";
import { isBlank } from "../../../src/message/text.ts";

describe("isBlank", () => {
  it("is true for empty, white space and invisible-only text", () => {
    for (const text of ["", "  \t\n", "\u200b", "\u00ad", "\u2060\u200e", "\u3164", "\u115f", "\u2800", "\ufe0f"]) expect(isBlank(text), JSON.stringify(text)).toBe(true);
  });
  it("is false as soon as one visible character is there", () => {
    for (const text of ["a", "\u200ba", " .", "\u{1F600}", "é"]) expect(isBlank(text), JSON.stringify(text)).toBe(false);
  });
});
