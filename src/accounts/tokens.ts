/**
 * Resume tokens: `<base64url(user key)>.<base64url(32 random bytes)>`. The key
 * part lets the server find the account without a global index; only the
 * SHA-256 of the secret part is stored, and a fast hash is enough because the
 * secret has 256 bits of entropy (unlike a password).
 */
import { createHash } from "node:crypto";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return toBase64Url(bytes);
}

export function formatToken(key: string, secret: string): string {
  return `${toBase64Url(encoder.encode(key))}.${secret}`;
}

type ParsedToken = Readonly<{ key: string; secret: string }>;

/**
 * The last token parsed and its parts: a resume parses its token two or three
 * times in a row (the back-off's account key, then the resume itself), and
 * decoding it is most of what a cached resume costs besides the hash.
 */
let last: { token: string; parsed: ParsedToken | undefined } | undefined;

export function parseToken(token: string): ParsedToken | undefined {
  if (last?.token === token) return last.parsed;
  const parsed = decodeToken(token);
  last = { token, parsed };
  return parsed;
}

function decodeToken(token: string): ParsedToken | undefined {
  const dot = token.indexOf(".");
  if (dot <= 0 || dot === token.length - 1) return undefined;
  try {
    const key = decoder.decode(fromBase64Url(token.slice(0, dot)));
    const secret = token.slice(dot + 1);
    if (!/^[A-Za-z0-9_-]{43}$/.test(secret)) return undefined;
    return Object.freeze({ key, secret });
  } catch {
    return undefined;
  }
}

/**
 * SHA-256 of the secret, in hex. Synchronous on purpose: a resume hashes one
 * 43-character string, which takes microseconds, while WebCrypto's async
 * digest costs a thread-pool round trip several times that (node:crypto is
 * there on Node and Deno alike).
 */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** Compares two equal-length hex digests without an early exit. */
export function digestsEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function toBase64Url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]+$/.test(s)) throw new Error("not base64url");
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}
