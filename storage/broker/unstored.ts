import { StorageUnavailableError } from "../errors.ts";

/** Why a publish failed, as a storage error: the event was not stored, so no one received it. */
export function unstored(error: unknown): StorageUnavailableError {
  const why = error instanceof Error ? error.message : String(error);
  return new StorageUnavailableError(`chat log append failed: ${why}`, {
    cause: error,
    public: "the message could not be stored; it was not sent",
  });
}
