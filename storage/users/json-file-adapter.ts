import { readFile } from "node:fs/promises";
import type { Adapter } from "lowdb";
import { writeFileAtomic } from "../fs/atomic-write.ts";

/** A user file that exists but cannot be read as a user: empty, truncated or not JSON. */
export class CorruptFileError extends Error {
  override name = "CorruptFileError";
  constructor(
    readonly path: string,
    why: string,
  ) {
    super(`${path}: ${why}`);
  }
}

/**
 * lowdb's Adapter for one JSON file, written with `writeFileAtomic` (temp,
 * fsync, rename, fsync the folder) rather than steno's rename without fsync.
 * Reading a missing file gives null (no such user); an empty or unparsable
 * one throws `CorruptFileError`, so it is never mistaken for a free name.
 */
export class AtomicJsonFile<T> implements Adapter<T> {
  constructor(readonly path: string) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
    if (text.trim() === "") throw new CorruptFileError(this.path, "empty file");
    try {
      const value = JSON.parse(text) as unknown;
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not a JSON object");
      return value as T;
    } catch (error) {
      throw new CorruptFileError(this.path, (error as Error).message);
    }
  }

  async write(data: T): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(data, null, 2));
  }
}
