import { PassThrough } from "node:stream";
import type { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { Encoded } from "../../../../src/message/codec.ts";
import * as ws from "ws";
import { flushCorked, frameText, piecesFrame, queuedThisTurn, textFrame, writeCorked } from "../../../../src/runtime/node/framing.ts";

// ws's ESM entry exports Sender by name; its type definitions do not declare it.
const { Sender } = ws as unknown as { Sender: { frame(data: Buffer, options: object): Buffer[] } };

const nextTurn = () => new Promise((r) => setImmediate(r));

/** A writable that counts how many times data reached it (one per uncorked batch). */
function fakeSocket() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  let batches = 0;
  stream.on("data", (c: Buffer) => chunks.push(c));
  (stream as unknown as { _writev: (c: Array<{ chunk: Buffer }>, cb: () => void) => void })._writev = (list, cb) => {
    batches += 1;
    for (const { chunk } of list) stream.push(chunk);
    cb();
  };
  return { socket: stream as unknown as Socket, chunks, batches: () => batches };
}

describe("textFrame", () => {
  it("frames a short text payload with a 2-byte header", () => {
    const frame = textFrame(new Encoded('{"a":1}'));
    expect(frame.subarray(0, 2)).toEqual(Buffer.from([0x81, 7]));
    expect(frame.subarray(2).toString()).toBe('{"a":1}');
  });

  it("uses the 16-bit and 64-bit length forms for longer payloads", () => {
    const medium = textFrame(new Encoded("x".repeat(300)));
    expect(medium[1]).toBe(126);
    expect(medium.readUInt16BE(2)).toBe(300);
    const large = textFrame(new Encoded("y".repeat(70_000)));
    expect(large[1]).toBe(127);
    expect(Number(large.readBigUInt64BE(2))).toBe(70_000);
    expect(large.length).toBe(10 + 70_000);
  });

  it("returns the same bytes for every recipient of one encoded message", () => {
    const e = new Encoded('{"type":"message"}');
    expect(textFrame(e)).toBe(textFrame(e));
    expect(textFrame(new Encoded('{"type":"message"}'))).not.toBe(textFrame(e));
  });

  it("counts UTF-8 bytes, not characters, in the header", () => {
    const frame = textFrame(new Encoded("é"));
    expect(frame[1]).toBe(2);
  });

  it("makes the bytes ws's Sender.frame makes of the text's UTF-8, at every length form's edges", () => {
    const texts = ["", "a", '{"type":"ack","id":"1764100000000-000003","ts":1764100000000}', "é✓😀 mixed", "😀".repeat(31)];
    for (const n of [125, 126, 127, 65_535, 65_536, 70_000]) texts.push("x".repeat(n), "é".repeat(Math.ceil(n / 2)));
    for (const text of texts) {
      const parts = Sender.frame(Buffer.from(text, "utf8"), { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false });
      expect(frameText(text).equals(Buffer.concat(parts))).toBe(true);
    }
  });
});

describe("piecesFrame", () => {
  it("frames a text given in UTF-8 pieces as frameText frames the whole, without copying the pieces", () => {
    const utf8 = new TextEncoder();
    for (const text of ["é✓😀 mixed", "x".repeat(125), "x".repeat(70_000)]) {
      const chars = Array.from(text);
      const pieces = [chars.slice(0, 3), chars.slice(3, 60), chars.slice(60)].map((c) => utf8.encode(c.join("")));
      const frame = piecesFrame(pieces);
      expect(Buffer.concat(frame).equals(frameText(text))).toBe(true);
      expect(frame.slice(1).map((b) => b.buffer)).toEqual(pieces.map((p) => p.buffer));
    }
  });
});

describe("writeCorked", () => {
  it("batches every write of one turn into one write to the socket", async () => {
    const { socket, chunks, batches } = fakeSocket();
    writeCorked(socket, Buffer.from("a"));
    writeCorked(socket, Buffer.from("b"));
    writeCorked(socket, Buffer.from("c"));
    expect(queuedThisTurn(socket)).toBe(3);
    expect(batches()).toBe(0);
    await nextTurn();
    await nextTurn();
    expect(batches()).toBe(1);
    expect(Buffer.concat(chunks).toString()).toBe("abc");
    expect(queuedThisTurn(socket)).toBe(0);
  });

  it("flushes at once when asked (before a close frame)", async () => {
    const { socket, chunks } = fakeSocket();
    writeCorked(socket, Buffer.from("now"));
    flushCorked(socket);
    expect(socket.writableCorked).toBe(0);
    expect(queuedThisTurn(socket)).toBe(0);
    await new Promise((r) => process.nextTick(r));
    expect(Buffer.concat(chunks).toString()).toBe("now");
  });
});

describe("the ws internals this path relies on", () => {
  it("are those of the exact ws version package.json pins, shared with @hono/node-ws", async () => {
    const { readFileSync } = await import("node:fs");
    const { createRequire } = await import("node:module");
    const root = new URL("../../../../", import.meta.url);
    const pinned = JSON.parse(readFileSync(new URL("package.json", root), "utf8")).dependencies.ws as string;
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    const require = createRequire(new URL("node_modules/@hono/node-ws/package.json", root));
    const used = JSON.parse(readFileSync(require.resolve("ws/package.json"), "utf8")).version;
    expect(used).toBe(pinned);
  });
});
