/**
 * Why an upload was refused. The HTTP layer maps each to its status in one
 * place (src/http/files/errors.ts); the chat maps `ClientError`s as usual.
 */
export class FileTooLargeError extends Error {
  override name = "FileTooLargeError";
  constructor(readonly limit: number) {
    super(`file is over ${limit} bytes`);
  }
}

/** The owner's uploads of the last 24 hours would pass the daily allowance. */
export class FileQuotaError extends Error {
  override name = "FileQuotaError";
  constructor(
    readonly limit: number,
    readonly retryAfterMs: number,
  ) {
    super(`uploads over ${limit} bytes in 24 hours`);
  }
}
