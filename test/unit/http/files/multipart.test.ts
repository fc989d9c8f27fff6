import { describe, expect, it } from "vitest";
import { MultipartError, UploadAbortedError, UploadTimeoutError, streamFilePart } from "../../../../src/http/files/multipart.ts";
import { FileTooLargeError } from "../../../../src/files/errors.ts";

const TYPE = "multipart/form-data; boundary=b0undary";

function body(parts: string[], chunkSize = 7): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(parts.join(""));
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, (at += chunkSize)));
    },
  });
}

const part = (name: string, disposition: string, content: string) => `--b0undary\r\nContent-Disposition: form-data; name="${name}"${disposition}\r\n\r\n${content}\r\n`;
const END = "--b0undary--\r\n";

async function collect(stream: ReadableStream<Uint8Array>, maxFileBytes = 1000, timeoutMs = 2000) {
  const chunks: Uint8Array[] = [];
  const { filename } = await streamFilePart(stream, { contentType: TYPE, maxFileBytes, timeoutMs, onChunk: async (c) => void chunks.push(c) });
  return { filename, content: Buffer.concat(chunks).toString() };
}

describe("streamFilePart", () => {
  it("streams the file part's content whatever the chunking, ignoring other fields", async () => {
    for (const size of [1, 3, 64, 4096]) {
      const got = await collect(body([part("note", "", "ignored"), part("file", '; filename="a.txt"', "line one\r\n--b0und not yet"), END], size));
      expect(got).toEqual({ filename: "a.txt", content: "line one\r\n--b0und not yet" });
    }
  });

  it("parses the body split into two chunks at every possible place", async () => {
    const whole = new TextEncoder().encode([part("note", "", "hi"), part("file", '; filename="a.txt"', "x--b0undary-\r\n--b0und--"), END].join(""));
    for (let at = 1; at < whole.byteLength; at++) {
      const halves = [whole.slice(0, at), whole.slice(at)];
      const stream = new ReadableStream<Uint8Array>({
        pull: (controller) => (halves.length > 0 ? controller.enqueue(halves.shift()!) : controller.close()),
      });
      expect(await collect(stream), `split at ${at}`).toEqual({ filename: "a.txt", content: "x--b0undary-\r\n--b0und--" });
    }
  });

  it("drops raw control bytes from part headers, wherever the body is split, and never from content", async () => {
    const content = "\u0001a\u0000\r\n\r\n\u007f--b0undar\u0002";
    const whole = new TextEncoder().encode([part("note\u0001", "", "\u0003"), part("file", '; filename="a\u0001b\u001f\u007fc.txt"', content), END].join(""));
    for (let at = 1; at < whole.byteLength; at++) {
      const halves = [whole.slice(0, at), whole.slice(at)];
      const stream = new ReadableStream<Uint8Array>({
        pull: (controller) => (halves.length > 0 ? controller.enqueue(halves.shift()!) : controller.close()),
      });
      expect(await collect(stream), `split at ${at}`).toEqual({ filename: "abc.txt", content });
    }
    for (const size of [1, 2, 5, 4096]) {
      const got = await collect(body([part("file", '; filename="\u0000x\u0008"', content), END], size));
      expect(got).toEqual({ filename: "x", content });
    }
  });

  it("gives each chunk the most the whole file can have, from the declared length, never less than its size", async () => {
    const content = "0123456789".repeat(30);
    const whole = new TextEncoder().encode([part("note", "", "hi"), part("file", '; filename="a.txt"', content), END].join(""));
    for (const size of [1, 7, 64, 4096]) {
      const seen: Array<number | undefined> = [];
      let got = 0;
      const stream = body([new TextDecoder().decode(whole)], size);
      await streamFilePart(stream, {
        contentType: TYPE,
        maxFileBytes: 1000,
        timeoutMs: 2000,
        declaredBytes: whole.byteLength,
        onChunk: async (c, atMost) => {
          got += c.byteLength;
          seen.push(atMost);
        },
      });
      expect(got).toBe(content.length);
      for (const atMost of seen) expect(atMost, `chunks of ${size}`).toBeGreaterThanOrEqual(content.length);
      // At most the closing framing over: CRLF--b0undary--CRLF.
      expect(seen[0]! - content.length, `chunks of ${size}`).toBeLessThanOrEqual("\r\n--b0undary--\r\n".length);
    }
    const chunked: Array<number | undefined> = [];
    await streamFilePart(body([part("file", '; filename="a"', "xyz"), END]), { contentType: TYPE, maxFileBytes: 10, timeoutMs: 2000, onChunk: async (_c, atMost) => void chunked.push(atMost) });
    expect(chunked.every((atMost) => atMost === undefined)).toBe(true);
  });

  it("reads UTF-8 names, filename*, percent-encoded quotes and a part with no file name", async () => {
    expect((await collect(body([part("file", '; filename="café.png"', "x"), END]))).filename).toBe("café.png");
    expect((await collect(body([part("file", `; filename="fallback"; filename*=UTF-8''%E2%98%95.png`, "x"), END]))).filename).toBe("☕.png");
    expect((await collect(body([part("file", '; filename="say %22hi%22.txt"', "x"), END]))).filename).toBe('say "hi".txt');
    expect(await collect(body([part("file", "", "plain field"), END]))).toEqual({ filename: undefined, content: "plain field" });
  });

  it("refuses a filename* whose escapes are not UTF-8 as a malformed part header", async () => {
    for (const size of [1, 4096]) {
      await expect(collect(body([part("file", `; filename*=UTF-8''%E2%82.txt`, "x"), END], size))).rejects.toBeInstanceOf(MultipartError);
    }
  });

  it("refuses a body with no file part, two of them, or no end", async () => {
    await expect(collect(body([part("other", "", "x"), END]))).rejects.toBeInstanceOf(MultipartError);
    await expect(collect(body([part("file", '; filename="a"', "x"), part("file", '; filename="b"', "y"), END]))).rejects.toBeInstanceOf(MultipartError);
    await expect(collect(body([part("file", '; filename="a"', "x")]))).rejects.toBeInstanceOf(MultipartError);
    await expect(streamFilePart(null, { contentType: TYPE, maxFileBytes: 10, timeoutMs: 100, onChunk: async () => {} })).rejects.toBeInstanceOf(MultipartError);
  });

  it("stops reading once the body passes the limit and its framing allowance", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    await expect(collect(endless, 1000)).rejects.toBeInstanceOf(FileTooLargeError);
    expect(pulled).toBeLessThan(70);
  });

  it("says the upload was interrupted when the body fails", async () => {
    let sent = false;
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error("aborted"));
        sent = true;
        controller.enqueue(new TextEncoder().encode(part("file", '; filename="a"', "partial")));
      },
    });
    await expect(collect(broken)).rejects.toBeInstanceOf(UploadAbortedError);
  });

  it("gives up on a body that stalls", async () => {
    const stalled = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) });
    await expect(collect(stalled, 1000, 100)).rejects.toBeInstanceOf(UploadTimeoutError);
  });
});
