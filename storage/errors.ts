/**
 * The shared store could not be reached (Redis down, a command timed out).
 * The chat answers it with the `unavailable` error code: the request had no
 * effect, and the client may try again later.
 */
export class StorageUnavailableError extends Error {
  override name = "StorageUnavailableError";
}
