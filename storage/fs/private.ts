import { chmod, mkdir, open, stat, type FileHandle } from "node:fs/promises";
import { dirname, resolve } from "node:path";

/**
 * Everything chatd writes under its data folder is for its own user only:
 * folders 0700, files 0600. The mode given to mkdir/open is cut by the umask,
 * so each new folder or file is also set to its mode explicitly: the chat log
 * holds every direct message, and other local users must not read it,
 * whatever the umask.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** `mkdir -p` with every folder it creates set to 0700 (folders that existed are left as they are). */
export async function mkdirPrivate(path: string): Promise<void> {
  const first = await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (first === undefined) return;
  // mkdir made `first` and every folder below it down to `path`.
  const made: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    made.push(dir);
    if (dir === resolve(first) || dirname(dir) === dir) break;
  }
  for (const dir of made.reverse()) await chmod(dir, PRIVATE_DIR_MODE);
}

/** Opens `path` (creating it 0600 if it is new) with the given flags ("a", "wx", ...). */
export async function openPrivate(path: string, flags: string): Promise<FileHandle> {
  const existed = await stat(path).then(
    () => true,
    () => false,
  );
  const file = await open(path, flags, PRIVATE_FILE_MODE);
  if (!existed) await file.chmod(PRIVATE_FILE_MODE).catch(() => {});
  return file;
}

/**
 * The data folder's permission bits when other users may read or enter it,
 * else undefined: said as a warning at start (chatd leaves existing folders
 * as the operator set them).
 */
export async function openToOthers(path: string): Promise<string | undefined> {
  const mode = await stat(path).then(
    (s) => s.mode & 0o777,
    () => undefined,
  );
  return mode !== undefined && (mode & 0o077) !== 0 ? `0${mode.toString(8)}` : undefined;
}
