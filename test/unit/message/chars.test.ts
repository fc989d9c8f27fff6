import { describe, expect, it } from "vitest";
import { charLength, cutChars, maxChars, withinChars } from "../../../src/message/chars.ts";
import { decode } from "../../../src/message/codec.ts";
import { ErrorCode } from "../../../src/message/errors.ts";

const EMOJI = "\u{1F600}"; // 😀: one code point, two UTF-16 code units
const FAMILY = "\u{1F469}\u200D\u{1F469}\u200D\u{1F467}"; // 👩‍👩‍👧: five code points

describe("charLength", () => {
  it("counts an emoji outside the BMP as one character", () => {
    expect(EMOJI.length).toBe(2);
    expect(charLength(EMOJI)).toBe(1);
    expect(charLength(EMOJI.repeat(300))).toBe(300);
  });
  it("counts code points, not graphemes: a ZWJ family is five", () => {
    expect(charLength(FAMILY)).toBe(5);
  });
  it("counts ASCII, accented letters and a lone surrogate one each", () => {
    expect(charLength("")).toBe(0);
    expect(charLength("héllo")).toBe(5);
    expect(charLength("a\uD83D")).toBe(2);
    expect(charLength("\uDE00a\uD83D")).toBe(3);
  });
});

describe("withinChars", () => {
  it("says whether a string holds at most max code points", () => {
    expect(withinChars(EMOJI.repeat(300), 300)).toBe(true);
    expect(withinChars(EMOJI.repeat(301), 300)).toBe(false);
    expect(withinChars(`${EMOJI.repeat(299)}ab`, 300)).toBe(false);
    expect(withinChars("x".repeat(300), 300)).toBe(true);
    expect(withinChars("x".repeat(301), 300)).toBe(false);
  });
});

describe("cutChars", () => {
  it("keeps the first max code points, never half an emoji", () => {
    expect(cutChars(EMOJI.repeat(301), 300)).toBe(EMOJI.repeat(300));
    expect(cutChars(`a${EMOJI}${EMOJI}`, 2)).toBe(`a${EMOJI}`);
    expect(cutChars("abc", 3)).toBe("abc");
    expect(cutChars("abcd", 3)).toBe("abc");
  });
});

describe("maxChars", () => {
  it("refuses one code point over the bound and says the bound", () => {
    const schema = maxChars(3);
    expect(schema.safeParse(EMOJI.repeat(3)).success).toBe(true);
    const r = schema.safeParse(EMOJI.repeat(4));
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe("at most 3 characters");
  });
});

/** Every character bound of docs/protocol.md, filled with emoji: `max` of them decode, one more is bad_frame. */
describe("inbound character bounds count code points", () => {
  const bounds: [string, number, (s: string) => Record<string, unknown>][] = [
    ["ref", 64, (s) => ({ type: "ping", ref: s })],
    ["leave's reason", 300, (s) => ({ type: "leave", room: "general", reason: s })],
    ["kick's reason", 500, (s) => ({ type: "kick", user: "bob", reason: s })],
    ["search's q", 500, (s) => ({ type: "search", q: s })],
    ["rooms' query", 100, (s) => ({ type: "rooms", query: s })],
    ["rooms' after", 200, (s) => ({ type: "rooms", after: s })],
    ["a files entry", 64, (s) => ({ type: "say", room: "general", files: [s] })],
  ];
  it.each(bounds)("%s: %i emoji are accepted", (_what, max, frame) => {
    const d = decode(JSON.stringify(frame(EMOJI.repeat(max))));
    expect(d.ok, JSON.stringify(d)).toBe(true);
  });
  it.each(bounds)("%s: one emoji more than %i is bad_frame", (_what, max, frame) => {
    const d = decode(JSON.stringify(frame(EMOJI.repeat(max + 1))));
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.code).toBe(ErrorCode.badFrame);
    expect(d.message).toContain(`at most ${max} characters`);
  });
  it("echoes a ref of 64 emoji on an error, and none of 65", () => {
    const ok = decode(JSON.stringify({ type: "shout", ref: EMOJI.repeat(64) }));
    expect(ok.ok).toBe(false);
    if (!ok.ok) expect(ok.ref).toBe(EMOJI.repeat(64));
    const over = decode(JSON.stringify({ type: "shout", ref: EMOJI.repeat(65) }));
    expect(over.ok).toBe(false);
    if (!over.ok) expect(over.ref).toBeUndefined();
  });
});
