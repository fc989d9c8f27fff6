import { MAX_LINE_BYTES, MAX_TAGS_BYTES } from "./line.ts";

const LF = 0x0a;
const decoder = new TextDecoder();
/** The most a client may send without a line end before its input is thrown away up to the next one. */
const MAX_PENDING_BYTES = MAX_TAGS_BYTES + MAX_LINE_BYTES;

/** What a line of input turned out to be. */
export type Input = { line: string } | { tooLong: true };

/**
 * An IRC client's input as lines: bytes are cut at LF (a CR before it is
 * dropped), a line over the specs' limits (512 bytes without tags, 4096 of
 * tags) is refused whole, and bytes without a line end past both limits are
 * thrown away up to the next line end (refused once). A line holding NUL is
 * dropped; invalid UTF-8 reads as U+FFFD.
 */
export class LineReader {
  #parts: Uint8Array[] = [];
  #bytes = 0;
  #discarding = false;

  /** Feeds a chunk; `each` gets every input it completes, and stops the reading by returning false. */
  push(chunk: Uint8Array, each: (input: Input) => boolean): void {
    let start = 0;
    for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, start)) {
      const over = this.#take(chunk.subarray(start, i));
      start = i + 1;
      if (over && !each({ tooLong: true })) return;
      const bytes = this.#join();
      const input = bytes && lineOf(bytes);
      if (input && !each(input)) return;
    }
    // A copy: the rest waits for the next chunk, and a runtime may reuse its read buffer.
    if (start < chunk.byteLength && this.#take(new Uint8Array(chunk.subarray(start)))) each({ tooLong: true });
  }

  /** Keeps a part of the line being read; true when that made it too long (said once per line). */
  #take(part: Uint8Array): boolean {
    if (this.#discarding || part.byteLength === 0) return false;
    this.#bytes += part.byteLength;
    if (this.#bytes <= MAX_PENDING_BYTES) {
      this.#parts.push(part);
      return false;
    }
    this.#discarding = true;
    this.#parts = [];
    this.#bytes = 0;
    return true;
  }

  #join(): Uint8Array | undefined {
    if (this.#discarding) {
      this.#discarding = false;
      return undefined;
    }
    const parts = this.#parts;
    this.#parts = [];
    this.#bytes = 0;
    if (parts.length <= 1) return parts[0];
    const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.byteLength;
    }
    return all;
  }
}

/** One line's bytes (without LF) as input: undefined for an empty line or one holding NUL. */
function lineOf(bytes: Uint8Array): Input | undefined {
  let end = bytes.byteLength;
  if (bytes[end - 1] === 0x0d) end--;
  if (end === 0) return undefined;
  let tagBytes = 0;
  if (bytes[0] === 0x40) {
    const space = bytes.indexOf(0x20);
    tagBytes = space < 0 ? end : space + 1;
  }
  if (tagBytes > MAX_TAGS_BYTES || end - tagBytes + 2 > MAX_LINE_BYTES) return { tooLong: true };
  const line = decoder.decode(bytes.subarray(0, end));
  // NUL is never valid in IRC (RFC 1459).
  return line.includes("\u0000") ? undefined : { line };
}
