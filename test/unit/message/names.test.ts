import { describe, expect, it } from "vitest";
import { isNameError, NAME_MAX, normalizeName, type Name } from "../../../src/message/names.ts";

function accepted(input: string): Name {
  const n = normalizeName(input);
  if (isNameError(n)) throw new Error(`${JSON.stringify(input)} was refused: ${n.error}`);
  return n;
}

function refused(input: string): string {
  const n = normalizeName(input);
  if (!isNameError(n)) throw new Error(`${JSON.stringify(input)} was accepted as ${JSON.stringify(n)}`);
  expect(n.error.length).toBeGreaterThan(0);
  return n.error;
}

describe("normalizeName", () => {
  describe("equivalence", () => {
    it("keeps a plain lower-case name as it is", () => {
      expect(accepted("alice")).toEqual({ display: "alice", key: "alice" });
    });

    it("gives ALICE, Alice and alice the same key", () => {
      expect(accepted("ALICE").key).toBe("alice");
      expect(accepted("Alice").key).toBe("alice");
    });

    it("keeps the spelling as the display name", () => {
      expect(accepted("ALICE").display).toBe("ALICE");
      expect(accepted("Alice").display).toBe("Alice");
    });

    it("maps full-width letters to the same key (NFKC)", () => {
      const n = accepted("ａｌｉｃｅ");
      expect(n.key).toBe("alice");
      expect(n.display).toBe("alice");
      expect(accepted("ＡＬＩＣＥ").key).toBe("alice");
    });

    it("composes a letter and a combining accent into one character", () => {
      const decomposed = "e\u0301mile";
      const n = accepted(decomposed);
      expect(n.key).toBe("\u00e9mile");
      expect(n.key).toBe(accepted("\u00e9mile").key);
    });

    it("expands compatibility ligatures", () => {
      expect(accepted("ﬁsh").key).toBe("fish");
    });

    it("accepts letters and digits of other scripts", () => {
      expect(accepted("Ölçü").key).toBe("ölçü");
      expect(accepted("наташа").key).toBe("наташа");
      expect(accepted("日本語").key).toBe("日本語");
      expect(accepted("٣x").key).toBe("٣x");
    });

    it("accepts '_' and '-' after the first character", () => {
      expect(accepted("a_b-c").key).toBe("a_b-c");
      expect(accepted("1st").key).toBe("1st");
    });

    it("accepts names that only look like reserved ones", () => {
      expect(accepted("console").key).toBe("console");
      expect(accepted("com10").key).toBe("com10");
      expect(accepted("nul1").key).toBe("nul1");
      expect(accepted("lpt").key).toBe("lpt");
    });
  });

  describe("length", () => {
    it("accepts one character", () => {
      expect(accepted("a").key).toBe("a");
    });

    it(`accepts ${NAME_MAX} characters`, () => {
      expect(NAME_MAX).toBe(32);
      expect(accepted("a".repeat(32)).key).toBe("a".repeat(32));
    });

    it("refuses 33 characters", () => {
      refused("a".repeat(33));
    });

    it("refuses the empty name", () => {
      refused("");
    });

    it("counts characters, not UTF-16 code units", () => {
      // 32 astral letters are 64 code units.
      const gothic = "\u{10330}".repeat(32);
      expect(accepted(gothic).display).toBe(gothic);
    });

    it("counts after NFKC, so 32 decomposed accented letters fit", () => {
      expect([...accepted("e\u0301".repeat(32)).key].length).toBe(32);
    });

    it("counts after NFKC, so a name that expands past the limit is refused", () => {
      // Each U+FB00 LATIN SMALL LIGATURE FF becomes "ff".
      refused("\uFB00".repeat(17));
      expect(accepted("\uFB00".repeat(16)).key).toBe("f".repeat(32));
    });

    it("refuses a huge input without normalising it", () => {
      refused("a".repeat(100_000));
    });
  });

  describe("refused characters", () => {
    it.each([
      ["'.'", "."],
      ["'..'", ".."],
      ["a leading dot", ".alice"],
      ["a dot inside", "al.ice"],
      ["a trailing dot", "alice."],
      ["a slash", "a/b"],
      ["a path traversal", "../etc"],
      ["a backslash", "a\\b"],
      ["NUL", "a\u0000b"],
      ["a lone NUL", "\u0000"],
      ["a control character", "a\u0007b"],
      ["a tab", "a\tb"],
      ["a newline", "alice\n"],
      ["DEL", "a\u007fb"],
      ["a bidi override U+202E", "a\u202Eb"],
      ["a leading bidi override", "\u202Eecila"],
      ["a right-to-left mark U+200F", "a\u200Fb"],
      ["a bidi isolate U+2066", "a\u2066b"],
      ["a zero-width joiner", "a\u200Db"],
      ["a zero-width space", "a\u200Bb"],
      ["a space", "a b"],
      ["a leading space", " alice"],
      ["a trailing space", "alice "],
      ["a no-break space", "a\u00A0b"],
      ["an ideographic space", "a\u3000b"],
      ["a leading underscore", "_alice"],
      ["a leading hyphen", "-alice"],
      ["a leading combining mark", "\u0301alice"],
      ["an at sign", "al@ice"],
      ["a hash", "#general"],
      ["a colon", "dm:a:b"],
      ["an emoji", "alice😀"],
      ["a full-width solidus (NFKC '/')", "a\uFF0Fb"],
      ["a full-width full stop (NFKC '.')", "\uFF0E\uFF0E"],
      ["a one-dot leader (NFKC '.')", "\u2024alice"],
      ["a full-width reverse solidus (NFKC '\\')", "a\uFF3Cb"],
    ])("refuses %s", (_name, input) => {
      refused(input);
    });
  });

  describe("reserved names", () => {
    it.each(["con", "CON", "Con", "nul", "aux", "prn", "com0", "com1", "COM9", "lpt0", "lpt1", "LPT9"])("refuses %s", (input) => {
      expect(refused(input)).toContain("reserved");
    });

    it("refuses a full-width spelling of a reserved name", () => {
      expect(refused("ｃｏｎ")).toContain("reserved");
      expect(refused("ＣＯＭ１")).toContain("reserved");
    });
  });

  describe("keys", () => {
    it("are always lower-case and a safe single path segment", () => {
      for (const input of ["Alice", "ＢＯＢ", "Émile", "a_B-C", "ΣΊΣΥΦΟΣ", "ǅemal"]) {
        const { key } = accepted(input);
        expect(key).toBe(key.toLowerCase());
        expect(key).not.toMatch(/[./\\\u0000-\u001f\u007f\s]/);
        expect(key.startsWith(".")).toBe(false);
      }
    });

    it("are stable: normalising a key gives the key again", () => {
      for (const input of ["ALICE", "ａｌｉｃｅ", "e\u0301mile", "ΣΊΣΥΦΟΣ", "ﬁsh"]) {
        const { key } = accepted(input);
        expect(accepted(key).key).toBe(key);
      }
    });
  });
});

describe("isNameError", () => {
  it("tells an error from a name", () => {
    expect(isNameError({ error: "x" })).toBe(true);
    expect(isNameError({ display: "a", key: "a" })).toBe(false);
  });
});
