import { mkdir, open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";

export const LOCK_FILE = "chatd.lock";

/** Another live chatd holds the data directory. */
export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
  constructor(dataDir: string, pid: number) {
    super(`data directory ${dataDir} is in use by another chatd (pid ${pid}); stop it or choose another CHAT_DATA_DIR`);
  }
}

/**
 * Takes `<dataDir>/chatd.lock` by exclusive create and writes our PID in it,
 * so two daemons never append to one chat log. A lock whose PID is not alive
 * (left by kill -9 or a crash) is stale and taken over. Resolves to the
 * release function.
 */
export async function acquireDataLock(dataDir: string, pid = process.pid): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await open(path, "wx", 0o600);
      await file.writeFile(`${pid}\n`);
      await file.sync();
      await file.close();
      return async () => {
        // Only remove our own lock: a stale-lock takeover may have replaced it.
        const holder = await readPid(path);
        if (holder === pid) await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await readPid(path);
    if (holder !== undefined && isAlive(holder)) throw new DataDirLockedError(dataDir, holder);
    // Stale or unreadable (a crash between create and write): take it over.
    await rm(path, { force: true });
  }
  throw new Error(`cannot take the lock ${path}`);
}

async function readPid(path: string): Promise<number | undefined> {
  const text = await readFile(path, "utf8").catch(() => "");
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, so it is alive.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
