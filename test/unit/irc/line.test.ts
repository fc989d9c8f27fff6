import { describe, expect, it } from "vitest";
import { clientTagsOf, escapeTag, formatLine, parseLine, tagPrefix } from "../../../src/irc/line.ts";
import { utf8Length } from "../../../src/message/utf8.ts";

describe("IRC lines", () => {
  it("parses tags, source, command and params, with a trailing parameter", () => {
    const m = parseLine("@label=a1;+typing=active;flag :nick!u@h privmsg #room :hello there")!;
    expect(m.tags).toEqual(new Map([["label", "a1"], ["+typing", "active"], ["flag", ""]]));
    expect(m.source).toBe("nick!u@h");
    expect(m.command).toBe("PRIVMSG");
    expect(m.params).toEqual(["#room", "hello there"]);
  });

  it("unescapes tag values and keeps empty trailing parameters", () => {
    expect(parseLine("@a=x\\sy\\:z\\\\ CMD :")!).toMatchObject({ tags: new Map([["a", "x y;z\\"]]), command: "CMD", params: [""] });
    expect(parseLine("CMD a  b")!.params).toEqual(["a", "b"]);
  });

  it("has no command for blank, tag-only or source-only lines", () => {
    for (const line of ["", "   ", "@a=b", ":source", "@a=b :source"]) expect(parseLine(line)).toBeUndefined();
  });

  it("formats a line with a trailing parameter only where needed", () => {
    expect(formatLine("srv", "001", ["nick", "Welcome here"])).toBe(":srv 001 nick :Welcome here\r\n");
    expect(formatLine("srv", "324", ["nick", "#a", "+nt"])).toBe(":srv 324 nick #a +nt\r\n");
    expect(formatLine(undefined, "PRIVMSG", ["#a", "word"], true)).toBe("PRIVMSG #a :word\r\n");
    expect(formatLine(undefined, "X", ["", ":colon"])).toBe("X  ::colon\r\n");
  });

  it("escapes tag values and leaves out absent ones", () => {
    expect(escapeTag("a b;c\\d\r\n")).toBe("a\\sb\\:c\\\\d\\r\\n");
    expect(tagPrefix([["time", "t"], ["msgid", undefined], ["flag", ""]])).toBe("@time=t;flag ");
    expect(tagPrefix([])).toBe("");
  });

  it("counts UTF-8 bytes", () => {
    expect(utf8Length("aé€😀")).toBe(1 + 2 + 3 + 4);
  });

  it("picks a line's client-only tags, leaving out server tags, one named tag and names the spec does not allow", () => {
    const m = parseLine("@label=a;+baz=b\\sc;+example.com/x;+a_b=1;+draft/reply=9;msgid=2 TAGMSG #a")!;
    expect(clientTagsOf(m.tags, "+draft/reply")).toEqual({ "+baz": "b c", "+example.com/x": "" });
    expect(clientTagsOf(parseLine("@label=a PING x")!.tags)).toBeUndefined();
  });
});
