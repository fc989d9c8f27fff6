import { randomBytes } from "node:crypto";
import { readFile, rm, stat, utimes } from "node:fs/promises";
import { mkdirPrivate, openPrivate } from "./private.ts";
import { join } from "node:path";

export const LOCK_FILE = "chatd.lock";
/** How often the holder touches the lock file (its modification time is the heartbeat). */
export const HEARTBEAT_MS = 2000;
/** A lock not touched for this long is stale, whoever held it: its holder is gone (or frozen that long). */
export const STALE_AFTER_MS = 15_000;

/** Another live chatd holds the data directory. */
export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
  /** `why`: false when the holder is known to run; "beating" when its heartbeat shows it; else why it cannot be told. */
  constructor(dataDir: string, holder: LockHolder, why: "runtime" | "host" | "beating" | false = false) {
    const remove = `so if no chatd runs, remove ${join(dataDir, LOCK_FILE)}`;
    const where = why === "host" || (why === "beating" && holder.host) ? ` on host ${holder.host}` : "";
    super(
      `data directory ${dataDir} is in use by another chatd (pid ${holder.pid}${where}${why === "beating" ? ", which keeps its lock fresh" : ""}); stop it or choose another CHAT_DATA_DIR` +
        (why === "runtime" ? `; this runtime may not check that pid, ${remove}` : "") +
        (why === "host" ? `; a pid on another host (or container) cannot be checked from here, ${remove}` : ""),
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
 * `heartbeatMs` says the holder touches the file that often while it runs
 * (locks of older versions have none), so a holder whose pid cannot be
 * checked (another container, or Deno) is judged by its heartbeat.
 */
export type LockHolder = { pid: number; instance?: string; host?: string; start?: string; heartbeatMs?: number };

/** Where the lock's facts come from; tests pass their own. */
export type LockProbe = {
  pid: number;
  host: () => Promise<string | undefined>;
  /** The start time of a process (field 22 of /proc/<pid>/stat), or undefined where unreadable. */
  startTime: (pid: number) => Promise<string | undefined>;
  kill: (pid: number, signal: number) => unknown;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
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
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export type LockOptions = {
  /** Told once when the lock names a holder whose heartbeat is fresh: the start waits to see whether it beats. */
  onWait?: (holder: LockHolder, waitMs: number) => void;
  /** Told once if the lock stops being ours while we run (another chatd judged it stale and took it over). */
  onLost?: (holder: LockHolder | undefined) => void;
};

/** Instances whose lock this process holds now (several daemons may run in one process, as in tests). */
const heldHere = new Set<string>();

/**
 * Takes `<dataDir>/chatd.lock` by exclusive create and writes who we are in it
 * (one JSON line), so two daemons never append to one chat log, then touches
 * it every HEARTBEAT_MS while it is held. A lock whose holder is gone (left by
 * kill -9, `docker kill`, `docker rm` or a crash) is stale and taken over: by
 * its pid where this process can check it, else by its heartbeat; and a lock
 * not touched for STALE_AFTER_MS is stale whoever held it. Resolves to the
 * release function.
 */
export async function acquireDataLock(dataDir: string, probe: LockProbe = systemProbe, options: LockOptions = {}): Promise<() => Promise<void>> {
  await mkdirPrivate(dataDir);
  const path = join(dataDir, LOCK_FILE);
  const me: LockHolder = { pid: probe.pid, instance: randomBytes(8).toString("hex"), host: await probe.host(), start: await probe.startTime(probe.pid), heartbeatMs: HEARTBEAT_MS };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await openPrivate(path, "wx");
      await file.writeFile(`${JSON.stringify(me)}\n`);
      await file.sync();
      await file.close();
      heldHere.add(me.instance!);
      const stopBeating = heartbeat(path, me, probe, options.onLost);
      return async () => {
        stopBeating();
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
      if (alive === true) {
        // Its pid runs; yet a lock not touched for STALE_AFTER_MS is stale whoever holds it (a reused pid, a frozen holder).
        if (!holder.heartbeatMs) throw new DataDirLockedError(dataDir, holder);
        const touched = await touchedAt(path);
        if (touched === undefined) continue;
        if (probe.now() - touched <= STALE_AFTER_MS) throw new DataDirLockedError(dataDir, holder);
      } else if (alive !== false) {
        // Its pid cannot be checked from here: its heartbeat decides.
        const beating = await heartbeatFresh(path, holder, probe, options.onWait);
        if (beating === "moved") continue;
        if (beating === true) throw new DataDirLockedError(dataDir, holder, "beating");
        if (beating === "unknown") throw new DataDirLockedError(dataDir, holder, alive);
      }
    }
    // Stale or unreadable (a crash between create and write): take it over.
    await rm(path, { force: true });
  }
  throw new Error(`cannot take the lock ${path}`);
}

/**
 * Touches the lock every HEARTBEAT_MS while it is ours; once it is not (taken
 * over, or removed by hand), stops and says so. Returns the stop.
 */
function heartbeat(path: string, me: LockHolder, probe: LockProbe, onLost: LockOptions["onLost"] = () => {}): () => void {
  let stopped = false;
  const beat = async () => {
    const holder = await readHolder(path);
    if (stopped) return;
    if (holder?.instance !== me.instance) {
      stop();
      onLost(holder);
      return;
    }
    const now = new Date(probe.now());
    await utimes(path, now, now).catch(() => {});
  };
  const timer = setInterval(() => void beat(), HEARTBEAT_MS);
  // The heartbeat alone does not keep a process alive (Deno's timers have no unref: it then stays until released).
  (timer as { unref?: () => void }).unref?.();
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  return stop;
}

/**
 * Whether a lock whose holder cannot be checked by pid still beats: false when
 * its file was not touched for STALE_AFTER_MS (at once if it is that old
 * already, else after watching it until then), true as soon as it is touched,
 * "moved" when the lock was removed or replaced meanwhile (try again), and
 * "unknown" for a lock without a heartbeat (older versions): kept, as a lock
 * is never broken on a guess.
 */
async function heartbeatFresh(path: string, holder: LockHolder, probe: LockProbe, onWait: LockOptions["onWait"] = () => {}): Promise<boolean | "moved" | "unknown"> {
  if (!holder.heartbeatMs) return "unknown";
  const first = await touchedAt(path);
  if (first === undefined) return "moved";
  let told = false;
  for (;;) {
    const left = first + STALE_AFTER_MS - probe.now();
    if (left < 0) return false;
    if (!told) onWait(holder, left);
    told = true;
    await probe.sleep(Math.min(left + 1, HEARTBEAT_MS));
    const now = await touchedAt(path);
    if (now === undefined) return "moved";
    if (now !== first) return (await readHolder(path))?.instance === holder.instance ? true : "moved";
  }
}

/** When the lock file was last touched (ms), or undefined if it is gone. */
async function touchedAt(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => s.mtimeMs,
    () => undefined,
  );
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
