import type { ByteRange } from "../../../storage/files/types.ts";

/**
 * Reads a `Range` header against a file of `size` bytes: a single range
 * (`bytes=a-b`, `bytes=a-`, `bytes=-n`), "unsatisfiable" (answer 416), or
 * undefined to send the whole file (no header, another unit, several ranges,
 * or a malformed one, which RFC 9110 says to ignore).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | "unsatisfiable" | undefined {
  if (!header) return undefined;
  // No two `\s*` meet around an empty group: `\s*(\d*)\s*` backtracked quadratically over a header of spaces.
  const m = /^\s*bytes\s*=\s*(?:(\d+)\s*)?-\s*(?:(\d+)\s*)?$/i.exec(header);
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  if (m[1] === undefined) {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === undefined ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return "unsatisfiable";
  if (end < start) return undefined;
  return { start, end };
}

/** `If-None-Match` against a strong ETag (weak comparison, as RFC 9110 asks for this header). */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((t) => {
    const tag = t.trim();
    return tag === "*" || tag.replace(/^W\//, "") === etag;
  });
}
