import { describe, expect, it } from "vitest";
import { dispositionName } from "../../../../src/http/files/download.ts";

describe("dispositionName", () => {
  it("offers the ASCII name with one _ per non-ASCII character (code point), \" and \\ as _, and the exact name in filename*", () => {
    expect(dispositionName('😀 "é"\\.txt')).toBe(`filename="_ ____.txt"; filename*=UTF-8''%F0%9F%98%80%20%22%C3%A9%22%5C.txt`);
  });
});
