import type { Context } from "hono";
import { describeFailure } from "../../chat/failure.ts";
import { ErrorCode } from "../../message/index.ts";
import { FileQuotaError, FileTooLargeError } from "../../files/errors.ts";
import type { Logger } from "../../log.ts";
import { MultipartError, UploadAbortedError, UploadTimeoutError } from "./multipart.ts";

/** On every response under /files, errors included: nothing there is ever rendered as a page. */
export const FILE_SAFETY_HEADERS = { "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox" } as const;

/**
 * The one place file errors become HTTP answers (`{error, message}`). A body
 * refused part way is answered with `Connection: close`, so the rest of it is
 * not read.
 */
export function fileErrorResponse(c: Context, error: unknown, logger: Logger): Response {
  const stop = { ...FILE_SAFETY_HEADERS, Connection: "close" };
  if (error instanceof FileTooLargeError) return c.json({ error: "too_large", message: error.message }, 413, stop);
  if (error instanceof FileQuotaError) {
    const seconds = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
    return c.json({ error: "quota_exceeded", message: error.message }, 429, { ...stop, "Retry-After": seconds });
  }
  if (error instanceof UploadTimeoutError) return c.json({ error: "timeout", message: error.message }, 408, stop);
  if (error instanceof UploadAbortedError) logger.debug("files: upload interrupted", { error: error.message });
  if (error instanceof MultipartError) return c.json({ error: "bad_request", message: error.message }, 400, stop);
  // A storage failure is told as the one mapping (describeFailure) says: `unavailable`, HTTP 503.
  if (describeFailure(error).code === ErrorCode.unavailable) {
    logger.warn("files: storage failed", { error: (error as Error).message });
    return c.json({ error: "unavailable", message: "file storage is unavailable; try again later" }, 503, FILE_SAFETY_HEADERS);
  }
  logger.error("files: request failed", { path: c.req.path, error: (error as Error)?.message });
  return c.json({ error: "internal", message: "internal error" }, 500, FILE_SAFETY_HEADERS);
}
