import type { FileRef } from "../message/index.ts";
import { utf8Length } from "../message/utf8.ts";
import { cutChars } from "../message/chars.ts";

/**
 * Message text between IRC and chatd. IRC formatting codes (bold, colour,
 * italic, underline, strike, monospace, reverse, reset) pass both ways; every
 * other control character from IRC is dropped (a tab becomes a space), so
 * none reaches a web user. CTCP ACTION (`/me`) is chatd text starting with
 * "/me "; other CTCP requests are not relayed.
 */
const FORMATTING = new Set([0x02, 0x03, 0x04, 0x0f, 0x11, 0x16, 0x1d, 0x1e, 0x1f]);
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function dropControls(text: string): string {
  return text.replace(CONTROL, (c) => (c === "\t" ? " " : FORMATTING.has(c.charCodeAt(0)) ? c : ""));
}

/**
 * An IRC text that is no message (a PART or QUIT reason) as web users get it:
 * control characters dropped as in a message, at most `max` characters; empty is none.
 */
export function reasonFromIrc(text: string | undefined, max: number): string | undefined {
  return text ? cutChars(dropControls(text), max) || undefined : undefined;
}

/** The chatd text of a PRIVMSG or NOTICE's text; undefined for a CTCP request that is not relayed. */
export function fromIrc(text: string): string | undefined {
  if (text.startsWith("\u0001")) {
    const body = text.slice(1, text.endsWith("\u0001") && text.length > 1 ? -1 : undefined);
    const space = body.indexOf(" ");
    const verb = (space < 0 ? body : body.slice(0, space)).toUpperCase();
    if (verb !== "ACTION") return undefined;
    return `/me ${dropControls(space < 0 ? "" : body.slice(space + 1))}`;
  }
  return dropControls(text);
}

/**
 * The IRC texts of a chatd message, each fitting in `room` bytes: one per
 * line of the message (a blank line is left out), long lines split at spaces
 * where they can be, files as a line each with their link.
 */
export function toIrcTexts(text: string, room: number, files?: readonly FileRef[]): string[] {
  const out: string[] = [];
  let action = false;
  let body = text;
  if (body.startsWith("/me ")) {
    action = true;
    body = body.slice(4);
  }
  for (const line of body.split(/\r\n|\r|\n/)) {
    if (line.trim() === "") continue;
    const first = out.length === 0 && action;
    const budget = first ? room - 9 : room;
    for (const chunk of splitBytes(line, Math.max(16, budget))) out.push(first && out.length === 0 ? `\u0001ACTION ${chunk}\u0001` : chunk);
  }
  for (const file of files ?? []) out.push(...splitBytes(`[file] ${file.name} (${file.size} bytes) ${file.url}`, Math.max(16, room)));
  if (out.length === 0) out.push(action ? "\u0001ACTION\u0001" : " ");
  return out;
}

/** Pieces of `line` of at most `max` UTF-8 bytes, cut at a space when one is near, never inside a character. */
export function splitBytes(line: string, max: number): string[] {
  if (utf8Length(line) <= max) return [line];
  const pieces: string[] = [];
  let rest = line;
  while (utf8Length(rest) > max) {
    let bytes = 0;
    let cut = 0;
    for (const ch of rest) {
      const n = utf8Length(ch);
      if (bytes + n > max) break;
      bytes += n;
      cut += ch.length;
    }
    const space = rest.lastIndexOf(" ", cut);
    const at = space > cut / 2 ? space : cut;
    pieces.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^ /, "");
  }
  if (rest !== "") pieces.push(rest);
  return pieces;
}
