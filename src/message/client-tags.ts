import { z } from "zod";
import { utf8Length } from "./utf8.ts";

/**
 * Client-only tags (IRCv3 message-tags): `+name=value` pairs a client attaches
 * to a message or sends on their own, which chatd relays without reading
 * them. A name is `+`, an optional vendor (a host name) and `/`, then
 * letters, digits and hyphens (`+draft/reply`, `+example.com/x`).
 */
export const CLIENT_TAG_NAME = /^\+(?:[A-Za-z0-9.-]+\/)?[A-Za-z0-9-]+$/;
/** The most bytes of tag data a client may send, as IRC writes it (`+a=b;+c`): the message-tags spec's 4094. */
export const MAX_CLIENT_TAG_BYTES = 4094;

/** The bytes the tags take written as IRC tag data: `+a=b;+c`, with `\`, `;`, space, CR and LF escaped (two bytes each). */
export function clientTagBytes(tags: Readonly<Record<string, string>>): number {
  let n = 0;
  for (const [name, value] of Object.entries(tags)) {
    n += (n === 0 ? 0 : 1) + name.length + (value === "" ? 0 : 1 + utf8Length(value) + (value.match(/[\\; \r\n]/g)?.length ?? 0));
  }
  return n;
}

/** The `tags` of `say`, `dm` and `tags` frames: names as above, values without NUL, at most 4094 bytes in all. */
export const clientTags = z
  .record(z.string().regex(CLIENT_TAG_NAME, "not a client tag name (+name or +vendor/name)"), z.string().regex(/^[^\0]*$/, "NUL in a tag value"))
  .refine((tags) => clientTagBytes(tags) <= MAX_CLIENT_TAG_BYTES, `client tags over ${MAX_CLIENT_TAG_BYTES} bytes`);
