import { describe, expect, it } from "vitest";
import { MAX_NAME_LENGTH, fileUrl, safeName } from "../../../src/files/names.ts";

describe("safeName", () => {
  it.each([
    ["shot.png", "shot.png"],
    ["../../etc/passwd", "passwd"],
    ["C:\\Users\\me\\shot.png", "shot.png"],
    ["dir/", "file"],
    ["..", "file"],
    ["", "file"],
    [undefined, "file"],
    [".bashrc", "bashrc"],
    ["  spaced.txt  ", "spaced.txt"],
    ["trailing.", "trailing"],
    ["a\u0000b\u001fc\u007fd\u0085e.txt", "abcde.txt"],
    ["invoice\u202eexe.pdf", "invoiceexe.pdf"],
    ["line\u2028break.txt", "linebreak.txt"],
    ["cafe\u0301.txt", "café.txt"],
  ])("%j becomes %j", (given, kept) => {
    expect(safeName(given)).toBe(kept);
  });

  it("keeps at most 120 characters, the extension included", () => {
    const name = safeName(`${"é".repeat(300)}.jpeg`);
    expect([...name]).toHaveLength(MAX_NAME_LENGTH);
    expect(name.endsWith(".jpeg")).toBe(true);
    expect([...safeName("😀".repeat(200))]).toHaveLength(MAX_NAME_LENGTH);
    expect([...safeName(`a.${"x".repeat(200)}`)]).toHaveLength(MAX_NAME_LENGTH);
  });

  it("trims a dot or space the cut leaves at the end", () => {
    expect(safeName(`${"a".repeat(119)}.${"b".repeat(30)}`)).toBe("a".repeat(119));
    expect(safeName(`${"a".repeat(118)} .${"b".repeat(30)}`)).toBe("a".repeat(118));
  });
});

describe("safeName of a long run of spaces or dots", () => {
  it("trims in one pass, whatever the run's length (a regex once tried every start inside it)", () => {
    const run = " .".repeat(500_000);
    // Over 120 characters: the stem cut and trimmed, the short extension (".b") kept.
    expect(safeName(`a${run}b`)).toBe("a.b");
    expect(safeName(`a${run}bb`)).toBe("a.bb");
    expect(safeName(`${run}shot.png${run}`)).toBe("shot.png");
    expect(safeName(run)).toBe("file");
  });
});

describe("fileUrl", () => {
  it("percent-encodes the name after the id", () => {
    expect(fileUrl("AAAAAAAAAAAAAAAAAAAAAA", "a b#?.png")).toBe("/files/AAAAAAAAAAAAAAAAAAAAAA/a%20b%23%3F.png");
  });
});
