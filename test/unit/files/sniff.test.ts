import { describe, expect, it } from "vitest";
import { sniff } from "../../../src/files/sniff.ts";
import { PNG_2x3 } from "../../helpers/files.ts";

const none = () => Promise.reject(new Error("not needed"));
const bytes = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

/** A minimal GIF header of the given size. */
function gif(width: number, height: number): Uint8Array {
  const b = Buffer.alloc(16);
  b.write("GIF89a", 0, "latin1");
  b.writeUInt16LE(width, 6);
  b.writeUInt16LE(height, 8);
  return new Uint8Array(b);
}

/** A lossless WebP header (VP8L) of the given size. */
function webp(width: number, height: number): Uint8Array {
  const b = Buffer.alloc(30);
  b.write("RIFF", 0, "latin1");
  b.writeUInt32LE(22, 4);
  b.write("WEBPVP8L", 8, "latin1");
  b.writeUInt32LE(10, 16);
  b[20] = 0x2f;
  const bits = (width - 1) | ((height - 1) << 14);
  b.writeUInt32LE(bits, 21);
  return new Uint8Array(b);
}

describe("sniff", () => {
  it("reads PNG, GIF and WebP with their size", async () => {
    expect(await sniff(new Uint8Array(PNG_2x3), PNG_2x3.length, none)).toEqual({ type: "image/png", width: 2, height: 3 });
    expect(await sniff(gif(7, 5), 16, none)).toEqual({ type: "image/gif", width: 7, height: 5 });
    expect(await sniff(webp(40, 30), 30, none)).toEqual({ type: "image/webp", width: 40, height: 30 });
  });

  it("finds nothing in text: HTML, SVG and scripts come out as octet-stream or their non-image type", async () => {
    expect(await sniff(bytes("<!doctype html><script>x</script>"), 33, none)).toEqual({ type: "application/octet-stream" });
    expect(await sniff(bytes("<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>"), 60, none)).toEqual({ type: "application/octet-stream" });
    expect(await sniff(new Uint8Array(0), 0, none)).toEqual({ type: "application/octet-stream" });
  });

  it("keeps a non-image type it recognises, such as PDF", async () => {
    expect((await sniff(bytes("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), 30, none)).type).toBe("application/pdf");
  });

  it("does not take an image signature without a readable size for an image", async () => {
    const fake = bytes("\x89PNG\r\n\x1a\n<html>");
    expect(await sniff(fake, fake.byteLength, none)).toEqual({ type: "application/octet-stream" });
  });

  it("reads the whole file when the size is past the first bytes", async () => {
    const whole = gif(3, 4);
    const head = whole.subarray(0, 7);
    expect(await sniff(head, whole.byteLength, async () => whole)).toEqual({ type: "image/gif", width: 3, height: 4 });
  });
});
