import { z } from "zod";

/**
 * Characters as docs/protocol.md counts them: Unicode code points, so an emoji
 * such as 😀 is one character though JavaScript's `length` (UTF-16 code units)
 * says two. Every bound the protocol gives in characters is counted here;
 * bounds given in bytes (frames, IRC lines, client tags, passwords) are not.
 */
export function charLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is one code point; a lone one counts as one.
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** True when `s` holds at most `max` characters (code points), counted only when its length cannot tell. */
export function withinChars(s: string, max: number): boolean {
  if (s.length <= max) return true;
  if (s.length > 2 * max) return false;
  return charLength(s) <= max;
}

/**
 * `s` cut to its first `max` characters (code points), never between the two
 * halves of a surrogate pair: what IRC's cut reasons (PART, QUIT, KICK, AWAY) become.
 *
 * @example cutChars("😀😀😀", 2) // "😀😀"
 */
export function cutChars(s: string, max: number): string {
  if (s.length <= max) return s;
  let i = 0;
  for (let n = 0; n < max && i < s.length; n++) {
    const c = s.charCodeAt(i);
    const d = s.charCodeAt(i + 1);
    i += c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
  }
  return s.slice(0, i);
}

/**
 * The schema of a string of at most `max` characters (code points): every
 * character bound of an inbound frame, so an emoji counts as one. Longer is
 * `bad_frame` (`reason: at most 300 characters`).
 */
export function maxChars(max: number) {
  return z.string().refine((s) => withinChars(s, max), `at most ${max} characters`);
}
