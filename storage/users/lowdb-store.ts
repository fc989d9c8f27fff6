import { mkdir, readdir } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { Low } from "lowdb";
import { JSONFile } from "lowdb/node";
import type { UserRecord, UserStore } from "./types.ts";
import { KeyedLock } from "./keyed-lock.ts";

/**
 * The embedded user store: one JSON file per user, read and written through
 * lowdb, sharded by the first letter of the key:
 * `<dataDir>/users/<first letter>/<key>.json`. lowdb's writer (steno) writes a
 * temp file and renames it over the old one, so a crash leaves the old or the
 * new file, never half of one.
 */
export function createLowdbUserStore(dataDir: string): UserStore {
  const root = resolve(dataDir, "users");
  const lock = new KeyedLock();

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

  async function read(key: string): Promise<Low<UserRecord | null>> {
    const db = new Low<UserRecord | null>(new JSONFile(pathOf(key)), null);
    await db.read();
    return db;
  }

  return {
    async get(key) {
      const db = await read(key);
      return db.data ?? undefined;
    },
    create(record) {
      return lock.run(record.key, async () => {
        const db = await read(record.key);
        if (db.data) return false;
        await mkdir(join(pathOf(record.key), ".."), { recursive: true });
        db.data = record;
        await db.write();
        return true;
      });
    },
    update(key, change) {
      return lock.run(key, async () => {
        const db = await read(key);
        if (!db.data) return undefined;
        change(db.data);
        await db.write();
        return db.data;
      });
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
