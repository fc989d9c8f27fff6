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

/** Makes a folder's entries (a rename, a new file) durable. */
export async function syncDir(dir: string): Promise<void> {
  // Not every platform can open a folder for fsync (Windows); the rename is still atomic there.
  const handle = await open(dir, "r").catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync().catch(() => {});
  } finally {
    await handle.close();
  }
}
