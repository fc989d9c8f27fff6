import { describe, expect, it } from "vitest";
import { asBuffer } from "../../../../src/runtime/node/stream.ts";

describe("asBuffer (IRC stream writes)", () => {
  it("wraps the same bytes written to member after member once, without copying them", () => {
    const bytes = new TextEncoder().encode(":bob!bob@chatd JOIN #general\r\n");
    const buffer = asBuffer(bytes);
    expect(Buffer.isBuffer(buffer)).toBe(true);
    expect(asBuffer(bytes)).toBe(buffer);
    expect(buffer.buffer).toBe(bytes.buffer);
    expect(buffer.toString()).toBe(":bob!bob@chatd JOIN #general\r\n");
    const already = Buffer.from("x");
    expect(asBuffer(already)).toBe(already);
    expect(asBuffer(new Uint8Array(bytes.buffer, 1, 3)).toString()).toBe("bob");
  });
});
