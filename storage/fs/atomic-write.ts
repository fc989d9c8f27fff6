import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { openPrivate } from "./private.ts";
import { basename, dirname, join } from "node:path";

/**
 * Replaces `path` with `data` so that after a crash or power loss the file
 * holds the old content or the new, never a mix: write a temp file beside it,
 * fsync it, rename it over the old one, then fsync the folder so the rename
 * itself is durable. Temp files are named `.<name>.<random>.tmp`, which no
 * reader takes for a data file.
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const file = await openPrivate(temp, "wx");
  try {
    await file.writeFile(data, "utf8");
    await file.sync();
  } catch (error) {
    await file.close().catch(() => {});
    await rm(temp, { force: true });
    throw error;
  }
  await file.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
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
  const handle = await open(dir, "r").catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync().catch(() => {});
  } finally {
    await handle.close();
  }
}
