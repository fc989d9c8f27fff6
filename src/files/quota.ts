import type { UploadEntry } from "../../storage/files/types.ts";

export const DAY_MS = 24 * 3_600_000;

/**
 * How long until the owner may upload `wanted` more bytes: until enough of
 * the window's oldest uploads have aged out of it. An upload larger than the
 * whole allowance never fits: then a full day.
 */
export function retryAfterMs(entries: readonly UploadEntry[], used: number, wanted: number, limit: number, now: number): number {
  if (wanted > limit) return DAY_MS;
  let excess = used + wanted - limit;
  for (const entry of [...entries].sort((a, b) => a.created - b.created)) {
    if (excess <= 0) break;
    excess -= entry.size;
    if (excess <= 0) return Math.max(1000, entry.created + DAY_MS - now);
  }
  return excess <= 0 ? 1000 : DAY_MS;
}

/**
 * How long until the owner may start one more upload when `count` uploads
 * (the window's and those still arriving) already reach `limit`: until enough
 * of the window's oldest have aged out of it. Uploads still arriving may yet
 * fail, so when they alone are over the limit: a second.
 */
export function countRetryAfterMs(entries: readonly UploadEntry[], count: number, limit: number, now: number): number {
  if (limit === 0) return DAY_MS;
  const oldest = [...entries].sort((a, b) => a.created - b.created)[count - limit];
  return oldest ? Math.max(1000, oldest.created + DAY_MS - now) : 1000;
}

/**
 * The size a refused upload asks room for: the whole file, not the part that
 * arrived before it passed the allowance (a Retry-After for that part would
 * come too soon). `atMost` is the most the whole file can be, from the
 * request's declared length, when there is one; a file over `maxFileBytes`
 * is refused (413) anyway, so never more than that.
 *
 * @example wholeUploadBytes(4096, 1_000_000, 10_485_760) // 1_000_000
 */
export function wholeUploadBytes(received: number, atMost: number | undefined, maxFileBytes: number): number {
  return Math.max(received, Math.min(atMost ?? received, maxFileBytes));
}
