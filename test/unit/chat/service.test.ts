import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { roomKey } from "../../../src/chat/service.ts";
import { ClientError, ErrorCode, isNameError, normalizeName } from "../../../src/message/index.ts";

const nameChars = fc.constantFrom(..."abcXYZ019_-éÉßİıǅＡｂ１ﬁ\u0301\u202e./ :ℌ".split(""));
const input = fc.string({ minLength: 0, maxLength: 12, unit: nameChars });

/** roomKey's answer as a value: the key, or the error code it threw. */
function answer(name: string): string {
  try {
    return `key:${roomKey(name)}`;
  } catch (error) {
    expect(error).toBeInstanceOf(ClientError);
    return `error:${(error as ClientError).code}`;
  }
}

describe("roomKey", () => {
  it("answers what normalizeName answers, however often a name is asked", () => {
    fc.assert(
      fc.property(fc.array(input, { minLength: 1, maxLength: 20 }), (names) => {
        for (const name of [...names, ...names]) {
          const n = normalizeName(name);
          expect(answer(name)).toBe(isNameError(n) ? `error:${ErrorCode.badName}` : `key:${n.key}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a bad name every time it is asked, not only the first", () => {
    for (let i = 0; i < 3; i++) expect(answer("bad/room")).toBe(`error:${ErrorCode.badName}`);
  });

  it("keeps answering correctly past the number of names it remembers", () => {
    for (let i = 0; i < 10_050; i++) expect(roomKey(`Room${i}`)).toBe(`room${i}`);
    expect(roomKey("Room3")).toBe("room3");
    expect(roomKey("ＲＯＯＭ１")).toBe("room1");
  });
});
