import { describe, expect, it } from "vitest";
import { LineReader, type Input } from "../../../src/irc/input.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

function read(...chunks: Array<string | Uint8Array>): Input[] {
  const reader = new LineReader();
  const out: Input[] = [];
  for (const c of chunks) reader.push(typeof c === "string" ? bytes(c) : c, (i) => (out.push(i), true));
  return out;
}

describe("reading IRC lines", () => {
  it("cuts at LF, drops the CR before it, joins lines split over chunks, skips empty lines", () => {
    expect(read("PING a\r\nPI", "NG b\n\r\n\n")).toEqual([{ line: "PING a" }, { line: "PING b" }]);
  });

  it("takes 512 bytes with CR LF, refuses 513; tags count apart, up to 4096 with '@' and space (4094 of tag data)", () => {
    const at = `PRIVMSG #a :${"x".repeat(512 - "PRIVMSG #a :".length - 2)}`;
    expect(read(`${at}\r\n`)).toEqual([{ line: at }]);
    expect(read(`${at}y\r\n`)).toEqual([{ tooLong: true }]);
    const tags = `@a=${"t".repeat(4096 - 4)} `;
    expect(read(`${tags}${at}\r\n`)).toEqual([{ line: `${tags}${at}` }]);
    expect(read(`@a=${"t".repeat(4096 - 3)} PING x\r\n`)).toEqual([{ tooLong: true }]);
  });

  it("throws away endless input up to the next line end, saying so once", () => {
    const junk = "z".repeat(4000);
    expect(read(junk, junk, junk, junk, "\r\nPING ok\r\n")).toEqual([{ tooLong: true }, { line: "PING ok" }]);
  });

  it("drops a line with NUL and reads invalid UTF-8 as U+FFFD", () => {
    expect(read(new Uint8Array([0x41, 0x00, 0x42, 0x0a, 0xff, 0x0a]))).toEqual([{ line: "\uFFFD" }]);
  });

  it("stops when told to (the connection closed)", () => {
    const reader = new LineReader();
    const seen: Input[] = [];
    reader.push(bytes("QUIT\r\nPING x\r\n"), (i) => (seen.push(i), false));
    expect(seen).toEqual([{ line: "QUIT" }]);
  });
});
