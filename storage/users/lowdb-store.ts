import { statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { mkdirPrivate } from "../fs/private.ts";
import { join, resolve, sep } from "node:path";
import { Low } from "lowdb";
import type { UserRecord, UserStore } from "./types.ts";
import { AtomicJsonFile, CorruptFileError } from "./json-file-adapter.ts";
import { StorageUnavailableError } from "../errors.ts";
import { KeyedLock } from "./keyed-lock.ts";
import { RecordCache, stampOf } from "./record-cache.ts";
import { createSkeletonFile } from "./skeleton-file.ts";

/**
 * The embedded user store: one JSON file per user, read and written through
 * lowdb, sharded by the first letter of the key:
 * `<dataDir>/users/<first letter>/<key>.json`. Files are written through
 * `AtomicJsonFile` (temp, fsync, rename), so a crash leaves the old or the new
 * file, never half of one. A corrupt file is reported through `onCorrupt` and
 * makes that one user unavailable; every other user is unaffected. Every
 * failure to read or write (a full disk, an I/O error, a corrupt file) is a
 * StorageUnavailableError: nothing was changed.
 *
 * `get` (every sign-in and resume) keeps the records it read in a bounded
 * cache and answers from it while one `stat` shows the file unchanged (same
 * inode, size and modification time): a stat costs a fraction of lowdb's
 * open/fstat/read/close, and a file replaced or edited by anyone, including
 * an operator repairing it, is read again (README promises this).
 */
export function createLowdbUserStore(
  dataDir: string,
  onCorrupt: (path: string, why: string) => void = () => {},
  { cacheSize = 4096 }: { cacheSize?: number } = {},
): UserStore {
  const root = resolve(dataDir, "users");
  const lock = new KeyedLock();
  const cache = new RecordCache<UserRecord>(cacheSize);
  const skeletons = createSkeletonFile(root);

  function pathOf(key: string): string {
    const first = [...key][0]?.toLowerCase();
    if (!first) throw new Error("empty user key");
    const path = resolve(root, first, `${key}.json`);
    // Keys are validated names, but the store does not rely on its callers for this.
    if (!path.startsWith(root + sep) || key.includes("/") || key.includes("\\") || key.startsWith(".")) {
      throw new Error(`user key escapes the users folder: ${JSON.stringify(key)}`);
    }
    return path;
  }

  /** The user's file through lowdb, and the stamp of the version it read. */
  async function read(key: string): Promise<{ db: Low<UserRecord | null>; stamp: string | undefined }> {
    const file = new AtomicJsonFile<UserRecord | null>(pathOf(key), accountProblem);
    const db = new Low<UserRecord | null>(file, null);
    try {
      await db.read();
    } catch (error) {
      if (!(error instanceof CorruptFileError)) throw failed("read", key, error);
      onCorrupt(error.path, error.message);
      throw new StorageUnavailableError(`user store: ${error.message}`, { public: "this account cannot be read right now; an operator has been told" });
    }
    return { db, stamp: file.stamp };
  }

  /** Writes the user's file (and its folder, for a new user); any failure is the store's. */
  async function write(key: string, db: Low<UserRecord | null>, folder = false): Promise<void> {
    try {
      if (folder) await mkdirPrivate(join(pathOf(key), ".."));
      await db.write();
    } catch (error) {
      throw failed("write", key, error);
    }
  }

  /**
   * A cached record whose file is unchanged (same inode, size and mtime), else
   * undefined (and the stale entry dropped). Only a key read before pays for the
   * stat; a first read stamps itself (see AtomicJsonFile).
   */
  function cached(key: string): { hit: UserRecord | undefined; gone: boolean } {
    if (!cache.has(key)) return { hit: undefined, gone: false };
    // Synchronous on purpose: the inode of a file read moments ago is in the kernel's
    // cache, so this stat takes a few microseconds, while an async one paid a
    // thread-pool round trip (queue, wake a thread, callback, promise) ten times that.
    const stats = statSync(pathOf(key), { bigint: true, throwIfNoEntry: false });
    const stamp = stats === undefined ? undefined : stampOf(stats);
    const hit = stamp === undefined ? undefined : cache.get(key, stamp);
    if (!hit) cache.delete(key);
    return { hit, gone: stamp === undefined };
  }

  return {
    peek(key) {
      return cached(key).hit;
    },
    async get(key) {
      const { hit, gone } = cached(key);
      if (hit) return hit;
      if (gone) return undefined;
      const { db, stamp } = await read(key);
      if (db.data && stamp !== undefined) cache.set(key, stamp, db.data);
      return db.data ?? undefined;
    },
    create(record) {
      return lock.run(record.key, async () => {
        cache.delete(record.key);
        const { db } = await read(record.key);
        if (db.data) return false;
        db.data = record;
        await write(record.key, db, true);
        return true;
      });
    },
    update(key, change) {
      return lock.run(key, async () => {
        cache.delete(key);
        const { db } = await read(key);
        if (!db.data) return undefined;
        change(db.data);
        await write(key, db);
        return db.data;
      });
    },
    claimSkeletons(key, list) {
      return skeletons.claim(key, list);
    },
    async count() {
      let n = 0;
      for (const shard of await readdir(root).catch(() => [] as string[])) {
        const files = await readdir(join(root, shard)).catch(() => [] as string[]);
        n += files.filter((f) => f.endsWith(".json") && !f.startsWith(".")).length;
      }
      return n;
    },
    async close() {
      // Every write completes before its promise resolves; nothing is buffered here.
    },
  } satisfies UserStore;
}

function failed(what: "read" | "write", key: string, error: unknown): StorageUnavailableError {
  return new StorageUnavailableError(`user store: cannot ${what} ${key}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

/**
 * Why a parsed user file is no account (a hand edit gone wrong), or undefined:
 * the fields every account has had since the first chatd that a sign-in, a
 * resume or a `dm` reads. Unchecked, such a file failed deep in a sign-in or
 * a `dm` as an internal error.
 */
function accountProblem(value: object): string | undefined {
  const record = value as Partial<Record<keyof UserRecord, unknown>>;
  for (const field of ["name", "key", "passwordHash"] as const) {
    if (typeof record[field] !== "string") return `"${field}" is not a string`;
  }
  if (!Array.isArray(record.tokens)) return `"tokens" is not a list`;
  return undefined;
}
