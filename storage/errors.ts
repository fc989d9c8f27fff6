/**
 * The store could not do what was asked: the shared store could not be
 * reached (Redis down, a command timed out), the disk is full, a file cannot
 * be read. Nothing was changed. The protocol answers it with the
 * `unavailable` error code (HTTP 503) in one place (`describeFailure`, src/chat/failure.ts);
 * `message` is for the log, `public` (when given) is what a client may be told.
 */
export class StorageUnavailableError extends Error {
  override name = "StorageUnavailableError";
  readonly public: string | undefined;

  constructor(message: string, options?: { cause?: unknown; public?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.public = options?.public;
  }
}
