import { createHash } from "node:crypto";
import { readdir, readFile, rm, rmdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { isFileId, isRefKey } from "./ids.ts";
import { failure } from "./fs-errors.ts";
import { mkdirPrivate, openPrivate } from "../fs/private.ts";
import { beginUpload } from "./fs-upload.ts";
import { readRange } from "./fs-read.ts";
import type { ByteRange, FileStore, StoredFile, UploadEntry } from "./types.ts";

/**
 * Files in a folder (embedded: `<dataDir>/files`; a cluster: one folder every
 * node mounts):
 *
 *     blobs/<id>                         content
 *     meta/<id>.json                     its record (written last, atomically)
 *     refs/<id>/<message id>             one empty marker per referring message
 *     uploads/<owner digest>/<created>-<size>-<id>   the daily allowance ledger
 *     tmp/<uuid>.part                    uploads in progress
 *
 * Every step is one atomic file-system operation (create, rename, unlink), so
 * nodes sharing the folder need no lock between them. Names on disk come only
 * from validated ids and digests, never from a client's file name.
 */
export function createFsFileStore(dir: string): FileStore {
  const paths = { blobs: join(dir, "blobs"), meta: join(dir, "meta"), refs: join(dir, "refs"), uploads: join(dir, "uploads"), tmp: join(dir, "tmp") };
  const metaPath = (id: string) => join(paths.meta, `${id}.json`);
  const refDir = (id: string) => join(paths.refs, id);
  // An account key is not a path component: its digest is.
  const ownerDir = (owner: string) => join(paths.uploads, createHash("sha256").update(owner).digest("hex").slice(0, 32));

  async function get(id: string): Promise<StoredFile | undefined> {
    if (!isFileId(id)) return undefined;
    const text = await failure("read record", () => readFile(metaPath(id), "utf8"), () => undefined);
    if (text === undefined) return undefined;
    try {
      const record = JSON.parse(text) as StoredFile;
      return record.id === id ? record : undefined;
    } catch {
      // writeFileAtomic never leaves half a record: this one was damaged outside chatd.
      return undefined;
    }
  }

  async function names(folder: string): Promise<string[]> {
    return failure("list folder", () => readdir(folder), () => []);
  }

  return {
    async open() {
      // Private (0700) as the data folder is: the names of its entries are the files' ids, each a capability.
      for (const folder of Object.values(paths)) await failure("create folder", () => mkdirPrivate(folder));
    },
    async close() {},
    begin: () => beginUpload(paths),
    get,
    async read(id: string, range?: ByteRange) {
      const record = await get(id);
      if (!record) return undefined;
      return readRange(join(paths.blobs, id), range ?? { start: 0, end: record.size - 1 });
    },
    async list() {
      const ids = (await names(paths.meta)).filter((n) => n.endsWith(".json")).map((n) => n.slice(0, -5));
      const records: StoredFile[] = [];
      // A few at a time: a folder of many thousand records must not open them all at once.
      for (let i = 0; i < ids.length; i += 64) {
        const batch = await Promise.all(ids.slice(i, i + 64).map((id) => get(id)));
        for (const r of batch) if (r) records.push(r);
      }
      return records;
    },
    async remove(id: string) {
      if (!isFileId(id)) return false;
      const existed = (await get(id)) !== undefined;
      // The record first: once it is gone no one is served a half-removed file.
      await failure("remove record", () => rm(metaPath(id), { force: true }));
      await failure("remove file", () => rm(join(paths.blobs, id), { force: true }));
      await failure("remove references", () => rm(refDir(id), { recursive: true, force: true }));
      return existed;
    },
    async addRef(id: string, key: string) {
      if (!isFileId(id) || !isRefKey(key)) throw new Error(`invalid file reference ${id}/${key}`);
      await failure("add reference", () => mkdirPrivate(refDir(id)));
      const marker = await failure("add reference", () => openPrivate(join(refDir(id), key), "a"));
      await marker.close();
    },
    async removeRef(id: string, key: string) {
      if (!isFileId(id) || !isRefKey(key)) return 0;
      await failure("remove reference", () => rm(join(refDir(id), key), { force: true }));
      return (await names(refDir(id))).length;
    },
    async refCount(id: string) {
      if (!isFileId(id)) return 0;
      return (await names(refDir(id))).length;
    },
    async countUpload(owner: string, id: string, entry: UploadEntry) {
      if (!isFileId(id)) throw new Error(`not a file id: ${id}`);
      const folder = ownerDir(owner);
      await failure("count upload", () => mkdirPrivate(folder));
      const marker = await failure("count upload", () => openPrivate(join(folder, `${entry.created}-${entry.size}-${id}`), "a"));
      await marker.close();
    },
    async uploadsSince(owner: string, since: number) {
      const entries: UploadEntry[] = [];
      for (const name of await names(ownerDir(owner))) {
        const entry = parseEntry(name);
        if (entry && entry.created >= since) entries.push(entry);
      }
      return entries;
    },
    async prune(before: number) {
      for (const owner of await names(paths.uploads)) {
        const folder = join(paths.uploads, owner);
        for (const name of await names(folder)) {
          const entry = parseEntry(name);
          if (entry && entry.created < before) await failure("prune ledger", () => rm(join(folder, name), { force: true }));
        }
        // Fails while the folder still has entries, which is what should happen.
        await rmdir(folder).catch(() => {});
      }
      // Temporary files of uploads that died with their process.
      for (const name of await names(paths.tmp)) {
        const path = join(paths.tmp, name);
        const info = await stat(path).catch(() => undefined);
        if (info && info.mtimeMs < before) await rm(path, { force: true }).catch(() => {});
      }
    },
  };
}

function parseEntry(name: string): UploadEntry | undefined {
  const m = /^(\d{1,16})-(\d{1,16})-[A-Za-z0-9_-]{22}$/.exec(name);
  return m ? { created: Number(m[1]), size: Number(m[2]) } : undefined;
}
