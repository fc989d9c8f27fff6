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
