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

/** The owner's uploads of the last 24 hours would pass the daily allowance (of bytes or of uploads). */
export class FileQuotaError extends Error {
  override name = "FileQuotaError";
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}
