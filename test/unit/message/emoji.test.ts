import { describe, expect, it } from "vitest";
import { isReactionEmoji } from "../../../src/message/index.ts";

describe("isReactionEmoji", () => {
  it.each(["👍", "❤️", "🎉", "👩‍👩‍👧", "👍🏽", "🇫🇷", "1️⃣", "#️⃣", "🏳️‍🌈", ":tada:", ":+1:", ":thumbs_up-2:", `:${"x".repeat(30)}:`])("accepts %s", (e) => {
    expect(isReactionEmoji(e)).toBe(true);
  });
  it.each(["", "a", "ab", "1", "👍👍", "👍 ", "🇫", ":", "::", ":a b:", ":tada", `:${"x".repeat(31)}:`, "<script>", "\u200d", "x".repeat(100)])("refuses %j", (e) => {
    expect(isReactionEmoji(e)).toBe(false);
  });
});
