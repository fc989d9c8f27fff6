import { readFile, rm } from "node:fs/promises";
import { mkdirPrivate, openPrivate } from "./private.ts";
import { join } from "node:path";

export const LOCK_FILE = "chatd.lock";

/** Another live chatd holds the data directory. */
export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
  constructor(dataDir: string, pid: number, unchecked = false) {
    super(
      `data directory ${dataDir} is in use by another chatd (pid ${pid}); stop it or choose another CHAT_DATA_DIR` +
        (unchecked ? `; this runtime may not check that pid, so if no chatd runs, remove ${join(dataDir, LOCK_FILE)}` : ""),
    );
  }
}

/**
 * Takes `<dataDir>/chatd.lock` by exclusive create and writes our PID in it,
 * so two daemons never append to one chat log. A lock whose PID is not alive
 * (left by kill -9 or a crash) is stale and taken over. Resolves to the
 * release function.
 */
export async function acquireDataLock(dataDir: string, pid = process.pid): Promise<() => Promise<void>> {
  await mkdirPrivate(dataDir);
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await openPrivate(path, "wx");
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
    if (holder !== undefined) {
      const alive = isAlive(holder);
      if (alive) throw new DataDirLockedError(dataDir, holder, alive === "unknown");
    }
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

/**
 * Whether a process with this PID exists: signal 0 asks the kernel. Where the
 * runtime may not send signals (Deno without --allow-run, as `deno task
 * start` runs it; Deno also refuses /proc without --allow-all) the answer is
 * "unknown", which counts as alive: a lock must never be broken on a guess.
 */
export function isAlive(pid: number, kill: (pid: number, signal: number) => unknown = (p, s) => process.kill(p, s)): boolean | "unknown" {
  try {
    kill(pid, 0);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ESRCH") return false;
    // EPERM: it exists but belongs to someone else, so it is alive.
    if (code === "EPERM") return true;
    return "unknown";
  }
}
