import { describe, expect, it } from "vitest";
import { fromIrc, splitBytes, toIrcTexts } from "../../../src/irc/text.ts";
import { utf8Length } from "../../../src/message/utf8.ts";

describe("text between IRC and chatd", () => {
  it("keeps IRC formatting codes and drops every other control character", () => {
    expect(fromIrc("\u0002b\u0002 \u000304,01c\u0003 \u001di\u001d \u001fu\u001f \u001es\u001e \u0011m\u0011 \u0016r\u0016 \u000f")).toBe(
      "\u0002b\u0002 \u000304,01c\u0003 \u001di\u001d \u001fu\u001f \u001es\u001e \u0011m\u0011 \u0016r\u0016 \u000f",
    );
    expect(fromIrc("a\u0000b\u0007c\u001bd\u007fe\u0085f\tg")).toBe("abcdef g");
  });

  it("maps CTCP ACTION to /me and back, and relays no other CTCP", () => {
    expect(fromIrc("\u0001ACTION waves\u0001")).toBe("/me waves");
    expect(fromIrc("\u0001VERSION\u0001")).toBeUndefined();
    expect(toIrcTexts("/me waves", 400)).toEqual(["\u0001ACTION waves\u0001"]);
  });

  it("turns a multi-line message into one text per non-blank line", () => {
    expect(toIrcTexts("a\r\nb\n\n  \nc", 400)).toEqual(["a", "b", "c"]);
    expect(toIrcTexts("\n\n", 400)).toEqual([" "]);
  });

  it("splits long lines at spaces, never inside a character, each within the byte budget", () => {
    const long = "word ".repeat(100) + "é".repeat(300);
    const pieces = splitBytes(long, 100);
    expect(pieces.every((p) => utf8Length(p) <= 100)).toBe(true);
    // Nothing is lost but the spaces cut at.
    expect(pieces.join("").replace(/ /g, "")).toBe(long.replace(/ /g, ""));
    expect(pieces.join("")).not.toContain("\uFFFD");
  });

  it("adds a line for each shared file", () => {
    const file = { id: "f1", name: "cat.png", size: 10, type: "image/png", url: "/files/f1/cat.png" };
    expect(toIrcTexts("look", 400, [file])).toEqual(["look", "[file] cat.png (10 bytes) /files/f1/cat.png"]);
  });
});
