/**
 * File ids: 16 random bytes (128 bits) in base64url, 22 characters. A file's
 * URL is a capability, so the id must not be guessable; and since the id names
 * files on disk, nothing that does not match the pattern reaches a path.
 */
export const FILE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** A reference key (a message id) names a marker file: the same rule, looser length. */
const REF_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function newFileId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function isFileId(id: unknown): id is string {
  return typeof id === "string" && FILE_ID_PATTERN.test(id);
}

export function isRefKey(key: unknown): key is string {
  return typeof key === "string" && REF_PATTERN.test(key);
}
