/**
 * IRC messages (RFC 1459 framing with IRCv3 message-tags): parsing a line
 * from a client and formatting one to send. Pure functions on strings.
 */
import { utf8Length } from "../message/utf8.ts";
import { CLIENT_TAG_NAME } from "../message/client-tags.ts";

/** The most bytes of a line without its tags, CR LF included (RFC 1459). */
export const MAX_LINE_BYTES = 512;
/**
 * The most bytes of the tag section of a line from a client, '@' and the
 * trailing space included: message-tags gives clients 4094 bytes of tag data
 * (of the 8191 a line's tags may take, the rest is the server's).
 */
export const MAX_TAGS_BYTES = 4096;

export type IrcMessage = {
  tags: Map<string, string>;
  source: string | undefined;
  /** Upper-cased. */
  command: string;
  params: string[];
};

/** Parses one line (no CR LF). Undefined for a line with no command (blank, or only tags). */
export function parseLine(line: string): IrcMessage | undefined {
  let at = 0;
  const tags = new Map<string, string>();
  if (line.startsWith("@")) {
    const end = line.indexOf(" ");
    if (end < 0) return undefined;
    for (const part of line.slice(1, end).split(";")) {
      if (part === "") continue;
      const eq = part.indexOf("=");
      if (eq < 0) tags.set(part, "");
      else tags.set(part.slice(0, eq), unescapeTag(part.slice(eq + 1)));
    }
    at = end + 1;
  }
  while (line[at] === " ") at++;
  let source: string | undefined;
  if (line[at] === ":") {
    const end = line.indexOf(" ", at);
    if (end < 0) return undefined;
    source = line.slice(at + 1, end);
    at = end + 1;
  }
  const params: string[] = [];
  let command = "";
  while (at < line.length) {
    while (line[at] === " ") at++;
    if (at >= line.length) break;
    if (command !== "" && line[at] === ":") {
      params.push(line.slice(at + 1));
      break;
    }
    let end = line.indexOf(" ", at);
    if (end < 0) end = line.length;
    const word = line.slice(at, end);
    if (command === "") command = word.toUpperCase();
    else params.push(word);
    at = end;
  }
  if (command === "") return undefined;
  return { tags, source, command, params };
}

const TAG_UNESCAPES: Record<string, string> = { ":": ";", s: " ", "\\": "\\", r: "\r", n: "\n" };

function unescapeTag(value: string): string {
  if (!value.includes("\\")) return value;
  return value.replace(/\\(.?)/g, (_m, c: string) => TAG_UNESCAPES[c] ?? c);
}

/** A tag value as it goes on the wire. */
export function escapeTag(value: string): string {
  return value.replace(/[\\; \r\n]/g, (c) => (c === "\\" ? "\\\\" : c === ";" ? "\\:" : c === " " ? "\\s" : c === "\r" ? "\\r" : "\\n"));
}

/** `@a=b;c ` (with the trailing space) for tags, "" for none. Values are escaped. */
export function tagPrefix(tags: ReadonlyArray<readonly [string, string | undefined]>): string {
  let out = "";
  for (const [key, value] of tags) {
    if (value === undefined) continue;
    out += (out === "" ? "@" : ";") + (value === "" ? key : `${key}=${escapeTag(value)}`);
  }
  return out === "" ? "" : `${out} `;
}

/**
 * A line to send, CR LF included. The last parameter is written as a trailing
 * one (after ':') when it must be (empty, has a space, starts with ':') or
 * when `trailing` asks.
 */
export function formatLine(source: string | undefined, command: string, params: readonly string[], trailing = false): string {
  let out = source === undefined ? command : `:${source} ${command}`;
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    const last = i === params.length - 1;
    if (last && (trailing || p === "" || p.includes(" ") || p.startsWith(":"))) out += ` :${p}`;
    else out += ` ${p}`;
  }
  return `${out}\r\n`;
}


/** The tag section's length in bytes (with '@' and the space), 0 without tags. */
export function tagSectionBytes(line: string): number {
  if (!line.startsWith("@")) return 0;
  const end = line.indexOf(" ");
  return end < 0 ? utf8Length(line) : utf8Length(line.slice(0, end + 1));
}

/**
 * The client-only tags (`+name`) of a line but `except`, by name; undefined
 * when there are none. A name the spec does not allow (`+a_b`) is dropped
 * rather than costing the message (the input cap already bounds the size).
 */
export function clientTagsOf(tags: ReadonlyMap<string, string>, except?: string): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const [name, value] of tags) if (name !== except && CLIENT_TAG_NAME.test(name)) (out ??= {})[name] = value;
  return out;
}
