/** The longest file name kept, in characters (code points). */
export const MAX_NAME_LENGTH = 120;
/** An extension this long or shorter survives shortening. */
const MAX_EXTENSION = 16;

// Control characters (C0, DEL, C1), line and paragraph separators, and the
// bidirectional controls that make "gpj.exe" display as "exe.jpg".
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu;

/**
 * A client's file name reduced to a safe base name: the last path segment
 * (either slash), without control characters, without leading or trailing
 * dots and spaces, at most 120 characters (the extension kept when it is
 * short); `file` when nothing is left. `../../etc/passwd` becomes `passwd`.
 * Names are only ever shown and sent back, never used as a path.
 *
 * @example safeName("C:\\Users\\me\\shot.png") // "shot.png"
 */
export function safeName(raw: string | undefined): string {
  const last = (raw ?? "").normalize("NFC").split(/[/\\]/).pop() ?? "";
  const clean = trimDotsAndSpaces(last.replace(UNSAFE, ""));
  if (clean === "") return "file";
  const chars = [...clean];
  if (chars.length <= MAX_NAME_LENGTH) return clean;
  const dot = clean.lastIndexOf(".");
  const extension = dot > 0 ? [...clean.slice(dot)] : [];
  // The cut may end on a dot or a space: trimmed again, as the whole name was.
  if (extension.length === 0 || extension.length > MAX_EXTENSION) return trimDotsAndSpaces(chars.slice(0, MAX_NAME_LENGTH).join(""));
  const stem = trimDotsAndSpaces(chars.slice(0, MAX_NAME_LENGTH - extension.length).join(""));
  return stem + extension.join("");
}

/**
 * Without leading or trailing dots and white space. A loop, not `/[\s.]+$/`:
 * that regex tries every start inside a long run of spaces in the middle of
 * a name (quadratic: seconds for a 64 KB name a client can send).
 */
function trimDotsAndSpaces(name: string): string {
  const strip = (ch: string | undefined) => ch === "." || (ch !== undefined && /\s/u.test(ch));
  let start = 0;
  let end = name.length;
  while (start < end && strip(name[start])) start += 1;
  while (end > start && strip(name[end - 1])) end -= 1;
  return name.slice(start, end);
}

/** `/files/{id}/{name}`, the name percent-encoded. */
export function fileUrl(id: string, name: string): string {
  return `/files/${id}/${encodeURIComponent(name)}`;
}
