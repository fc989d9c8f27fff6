/**
 * Drops raw control bytes (C0 but tab, CR and LF; DEL) from the part headers
 * of a multipart body before multipasta reads it. Browsers send a file name's
 * control characters as they are (only CR, LF and `"` are escaped), and
 * multipasta refuses such a header: this way the name loses them, as every
 * other way of sending one does, instead of failing the upload. Part
 * contents pass through untouched: a part's headers start after a delimiter
 * (`CRLF--boundary`, which the content cannot hold) and end at CRLFCRLF.
 */
export class HeaderControlFilter {
  readonly #delimiter: Uint8Array;
  /** The last bytes of content seen, so a delimiter split between chunks is found. */
  #tail: Uint8Array;
  #inHeaders = false;
  /** How much of CRLFCRLF the header bytes seen so far end with. */
  #crlf = 0;

  constructor(boundary: string) {
    this.#delimiter = new TextEncoder().encode(`\r\n--${boundary}`);
    // The body may open with the delimiter without a CRLF before it.
    this.#tail = Uint8Array.of(13, 10);
  }

  /** The chunk as multipasta should see it. */
  write(chunk: Uint8Array): Uint8Array {
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < chunk.byteLength) {
      if (!this.#inHeaders) {
        const window = concat(this.#tail, chunk.subarray(i));
        const at = indexOf(window, this.#delimiter);
        if (at < 0) {
          out.push(chunk.subarray(i));
          this.#tail = window.slice(Math.max(0, window.byteLength - (this.#delimiter.byteLength - 1)));
          break;
        }
        const end = i + at + this.#delimiter.byteLength - this.#tail.byteLength;
        out.push(chunk.subarray(i, end));
        i = end;
        this.#inHeaders = true;
        this.#crlf = 0;
        this.#tail = new Uint8Array(0);
        continue;
      }
      const kept: number[] = [];
      for (; i < chunk.byteLength && this.#inHeaders; i++) {
        const b = chunk[i]!;
        this.#crlf = b === CRLFCRLF[this.#crlf] ? this.#crlf + 1 : b === 13 ? 1 : 0;
        if (!isControl(b)) kept.push(b);
        if (this.#crlf === 4) this.#inHeaders = false;
      }
      out.push(Uint8Array.from(kept));
    }
    return out.length === 1 ? out[0]! : concat(...out);
  }
}

const CRLFCRLF = [13, 10, 13, 10];

function isControl(b: number): boolean {
  return (b < 32 && b !== 9 && b !== 10 && b !== 13) || b === 127;
}

/** The boundary of a multipart Content-Type, or undefined. */
export function boundaryOf(contentType: string): string | undefined {
  const m = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0]!;
  for (let at = haystack.indexOf(first); at >= 0 && at <= haystack.byteLength - needle.byteLength; at = haystack.indexOf(first, at + 1)) {
    let k = 1;
    while (k < needle.byteLength && haystack[at + k] === needle[k]) k++;
    if (k === needle.byteLength) return at;
  }
  return -1;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
