import { StorageUnavailableError } from "../errors.ts";

/**
 * Runs a file-system step; any failure (disk full, permissions, an I/O error,
 * a shared folder gone) becomes `StorageUnavailableError`, which the protocol
 * answers in one place. ENOENT is left to the caller when `missing` is given.
 */
export async function failure<T>(what: string, step: () => Promise<T>, missing?: () => T): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (missing && code === "ENOENT") return missing();
    if (error instanceof StorageUnavailableError) throw error;
    throw new StorageUnavailableError(`files: ${what}: ${code ?? (error as Error).message}`);
  }
}
