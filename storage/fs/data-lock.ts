import { randomBytes } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { mkdirPrivate, openPrivate } from "./private.ts";
import { join } from "node:path";

export const LOCK_FILE = "chatd.lock";

/** Another live chatd holds the data directory. */
export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
  constructor(dataDir: string, holder: LockHolder, unchecked: "runtime" | "host" | false = false) {
    const remove = `so if no chatd runs, remove ${join(dataDir, LOCK_FILE)}`;
    super(
      `data directory ${dataDir} is in use by another chatd (pid ${holder.pid}${unchecked === "host" ? ` on host ${holder.host}` : ""}); stop it or choose another CHAT_DATA_DIR` +
        (unchecked === "runtime" ? `; this runtime may not check that pid, ${remove}` : "") +
        (unchecked === "host" ? `; a pid on another host (or container) cannot be checked from here, ${remove}` : ""),
    );
  }
}

/**
 * Who holds the lock. More than the pid, because a pid alone misleads in a
 * container: node is PID 1 there, so a lock left by `docker kill` names pid 1,
 * which is alive (the restarted daemon itself). `instance` tells a previous
 * process with our pid from ourselves, `host` (the hostname: a container's own)
 * says whether the pid means anything here, `start` (the kernel's start time
 * of the process, where /proc is readable) tells a reused pid from the holder.
 */
export type LockHolder = { pid: number; instance?: string; host?: string; start?: string };

/** Where the lock's facts come from; tests pass their own. */
export type LockProbe = {
  pid: number;
  host: () => Promise<string | undefined>;
  /** The start time of a process (field 22 of /proc/<pid>/stat), or undefined where unreadable. */
  startTime: (pid: number) => Promise<string | undefined>;
  kill: (pid: number, signal: number) => unknown;
};

export const systemProbe: LockProbe = {
  pid: process.pid,
  host: async () => (await readFile("/etc/hostname", "utf8").catch(() => "")).trim() || undefined,
  startTime: async (pid) => {
    // Deno refuses /proc without --allow-all: then undefined, and the pid check alone decides.
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] || undefined;
  },
  kill: (pid, signal) => process.kill(pid, signal),
};

/** Instances whose lock this process holds now (several daemons may run in one process, as in tests). */
const heldHere = new Set<string>();

/**
 * Takes `<dataDir>/chatd.lock` by exclusive create and writes who we are in it
 * (one JSON line), so two daemons never append to one chat log. A lock whose
 * holder is not alive (left by kill -9, `docker kill` or a crash) is stale and
 * taken over. Resolves to the release function.
 */
export async function acquireDataLock(dataDir: string, probe: LockProbe = systemProbe): Promise<() => Promise<void>> {
  await mkdirPrivate(dataDir);
  const path = join(dataDir, LOCK_FILE);
  const me: LockHolder = { pid: probe.pid, instance: randomBytes(8).toString("hex"), host: await probe.host(), start: await probe.startTime(probe.pid) };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await openPrivate(path, "wx");
      await file.writeFile(`${JSON.stringify(me)}\n`);
      await file.sync();
      await file.close();
      heldHere.add(me.instance!);
      return async () => {
        heldHere.delete(me.instance!);
        // Only remove our own lock: a stale-lock takeover may have replaced it.
        const holder = await readHolder(path);
        if (holder?.instance === me.instance) await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await readHolder(path);
    if (holder !== undefined) {
      const alive = await holderAlive(holder, me, probe);
      if (alive !== false) throw new DataDirLockedError(dataDir, holder, alive === true ? false : alive);
    }
    // Stale or unreadable (a crash between create and write): take it over.
    await rm(path, { force: true });
  }
  throw new Error(`cannot take the lock ${path}`);
}

/** The holder written in the lock: a JSON line, or the bare pid older versions wrote. */
export async function readHolder(path: string): Promise<LockHolder | undefined> {
  const text = (await readFile(path, "utf8").catch(() => "")).trim();
  let holder: Partial<LockHolder> | undefined;
  try {
    holder = text.startsWith("{") ? (JSON.parse(text) as Partial<LockHolder>) : { pid: Number(text) };
  } catch {
    return undefined;
  }
  return Number.isInteger(holder.pid) && holder.pid! > 0 ? (holder as LockHolder) : undefined;
}

/**
 * Whether the holder still runs: true, false, or why it cannot be told
 * ("runtime": no way to check a pid here; "host": the pid is another host's or
 * container's). Anything but false keeps the lock: it is never broken on a guess.
 */
async function holderAlive(holder: LockHolder, me: LockHolder, probe: LockProbe): Promise<boolean | "runtime" | "host"> {
  if (holder.host && me.host && holder.host !== me.host) return "host";
  // Our own pid, but not a lock this process holds: it was left by an earlier
  // process that had this pid (PID 1 in a restarted container). Two live
  // processes never share a pid on one host.
  if (holder.pid === me.pid) return holder.instance !== undefined && heldHere.has(holder.instance);
  const alive = isAlive(holder.pid, probe.kill);
  if (alive !== true) return alive === "unknown" ? "runtime" : false;
  // Alive, but the pid may have been reused by another process since.
  if (holder.start === undefined) return true;
  const start = await probe.startTime(holder.pid);
  return start === undefined || start === holder.start;
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
