import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import type { Adapter } from "lowdb";
import { writeFileAtomic } from "../fs/atomic-write.ts";
import { stampOf } from "./record-cache.ts";

/** A user file that exists but cannot be read as a user: empty, truncated, not JSON or not an account. */
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
 * one, or one `check` finds wrong (says why), throws `CorruptFileError`, so it
 * is never mistaken for a free name nor half-used.
 */
export class AtomicJsonFile<T> implements Adapter<T> {
  /** The version (see `stampOf`) of the file the last `read` parsed; undefined if it found none. */
  stamp: string | undefined;

  constructor(
    readonly path: string,
    readonly check: (value: object) => string | undefined = () => undefined,
  ) {}

  async read(): Promise<T | null> {
    this.stamp = undefined;
    let text: string;
    try {
      // open, fstat, read, close: the fstat that sizes the read also stamps what was read.
      // Synchronous on purpose: a user file is a few hundred bytes, read in ~10 µs from the
      // page cache, where four thread-pool round trips cost several times that in CPU and
      // kept each sign-in's buffers and promises alive across turns (promoted garbage in a
      // connection storm). Only a cold page cache makes the event loop wait on the disk.
      const fd = openSync(this.path, "r");
      try {
        const stats = fstatSync(fd, { bigint: true });
        const buffer = Buffer.allocUnsafe(Number(stats.size) + 1);
        const bytesRead = readSync(fd, buffer, 0, buffer.length, 0);
        // Grown since the fstat (an edit in place): read it whole, unstamped.
        text = bytesRead > Number(stats.size) ? readFileSync(fd, "utf8") : buffer.toString("utf8", 0, bytesRead);
        if (bytesRead <= Number(stats.size)) this.stamp = stampOf(stats);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
    if (text.trim() === "") throw new CorruptFileError(this.path, "empty file");
    try {
      const value = JSON.parse(text) as unknown;
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not a JSON object");
      const wrong = this.check(value);
      if (wrong !== undefined) throw new Error(wrong);
      return value as T;
    } catch (error) {
      throw new CorruptFileError(this.path, (error as Error).message);
    }
  }

  async write(data: T): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(data, null, 2));
  }
}
