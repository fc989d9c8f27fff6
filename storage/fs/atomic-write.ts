import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, fsync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { promisify } from "node:util";
import { PRIVATE_FILE_MODE } from "./private.ts";
import { basename, dirname, join } from "node:path";

const fsyncFd = promisify(fsync);

/**
 * Replaces `path` with `data` so that after a crash or power loss the file
 * holds the old content or the new, never a mix: write a temp file beside it,
 * fsync it, rename it over the old one, then fsync the folder so the rename
 * itself is durable. Temp files are named `.<name>.<random>.tmp`, which no
 * reader takes for a data file. `data` may come in pieces (a large file
 * written whole: each piece is written as it comes, and none is joined).
 *
 * Only the fsyncs wait on the thread pool. Opening, writing a few hundred
 * bytes to the page cache, closing and renaming are synchronous on purpose
 * (as the user file's read is, json-file-adapter.ts): each takes microseconds,
 * where a thread-pool round trip each cost several times that in CPU, queued
 * behind other fsyncs, and kept the write's buffers and promises alive long
 * enough to be promoted (a storm of first joins, each writing its user's file).
 */
export async function writeFileAtomic(path: string, data: string | Iterable<string>): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(temp, "wx", PRIVATE_FILE_MODE);
  try {
    // The umask may have cut the mode: set it (a "wx" temp file is always new); best effort, as before.
    try {
      chmodSync(temp, PRIVATE_FILE_MODE);
    } catch {}
    for (const piece of typeof data === "string" ? [data] : data) {
      const bytes = Buffer.from(piece, "utf8");
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
    }
    await fsyncFd(fd);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {}
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  await syncDir(dir);
}

/** The folder fsync under way per folder, and the one queued to start after it. */
const dirSyncs = new Map<string, { running: Promise<void>; queued: Promise<void> | undefined }>();

/**
 * Makes a folder's entries (a rename, a new file) durable. Grouped like the
 * chat log's commits: a call made while an fsync of the folder is under way
 * waits for the next one, which starts when that one ends and serves every
 * call made meanwhile, so a burst of renames in one folder (users joining
 * rooms, each user file replaced) costs two folder fsyncs, not one each. An
 * fsync that started after the call covers its entries, so each caller still
 * resolves only once its own rename is durable.
 */
export function syncDir(dir: string): Promise<void> {
  const current = dirSyncs.get(dir);
  if (!current) return startDirSync(dir);
  current.queued ??= current.running.catch(() => {}).then(() => startDirSync(dir));
  return current.queued;
}

function startDirSync(dir: string): Promise<void> {
  const entry: { running: Promise<void>; queued: Promise<void> | undefined } = { running: Promise.resolve(), queued: undefined };
  entry.running = fsyncDir(dir).finally(() => {
    if (dirSyncs.get(dir) === entry) dirSyncs.delete(dir);
  });
  dirSyncs.set(dir, entry);
  return entry.running;
}

async function fsyncDir(dir: string): Promise<void> {
  // Not every platform can open a folder for fsync (Windows); the rename is still atomic there.
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch {
    return;
  }
  try {
    await fsyncFd(fd).catch(() => {});
  } finally {
    closeSync(fd);
  }
}
