import { z } from "zod";

/** Upload limits, part of `limits` (they change on a reload). */
export const fileLimits = {
  // A file's content; the multipart framing around it may add up to 64 KiB.
  maxFileBytes: z.number().int().min(1).max(2 ** 31).default(10 * 1024 * 1024),
  // Bytes one user may upload in any 24 hours.
  fileBytesPerUserPerDay: z.number().int().min(0).default(200 * 1024 * 1024),
  // Uploads one user may start in any 24 hours: empty files cost no bytes, yet each is a record on disk.
  filesPerUserPerDay: z.number().int().min(0).default(1000),
};

/** Where uploads are kept and how long one never shared in a message is. */
export const files = z
  .strictObject({
    // Empty: `<dataDir>/files`. In a cluster, one folder every node mounts.
    dir: z.string().default(""),
    unsharedTtlMs: z.number().int().min(100).default(24 * 3_600_000),
  })
  .prefault({});
