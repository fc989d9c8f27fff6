import { describe, expect, it } from "vitest";
import { checkText } from "../../../src/chat/checks.ts";
import { checkContent } from "../../../src/chat/attachments.ts";
import { ClientError } from "../../../src/message/index.ts";

/** The ClientError `run` throws (fails the test when it throws none). */
function refusal(run: () => unknown): ClientError {
  try {
    run();
  } catch (error) {
    if (error instanceof ClientError) return error;
    throw error;
  }
  throw new Error("no ClientError thrown");
}

describe("text length (limits.maxTextLength counts UTF-16 code units; docs/configuration.md)", () => {
  it("counts an emoji beyond U+FFFF as 2, and the too_large message says code units, not characters", () => {
    // 3 emoji: 3 characters, 6 UTF-16 code units.
    const text = "😀".repeat(3);
    expect(checkText(text, 6)).toBe(text);
    const error = refusal(() => checkText(text, 5));
    expect(error.code).toBe("too_large");
    expect(error.message).toBe("text is longer than 5 UTF-16 code units");
  });

  it("says the same for a message that shares files", () => {
    expect(checkContent("😀", ["f1"], 2)).toBe("😀");
    const error = refusal(() => checkContent("😀", ["f1"], 1));
    expect(error.code).toBe("too_large");
    expect(error.message).toBe("text is longer than 1 UTF-16 code unit");
  });
});
