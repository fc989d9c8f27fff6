/**
 * CPU time and RSS of a process tree, from /proc (Linux). CPU is utime+stime of
 * the process and every live descendant, plus cutime+cstime (children that
 * already exited and were reaped); RSS is the sum over the live tree.
 */
import { readFileSync, readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";

let ticksPerSecond = 100;
try {
  ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
} catch {}
const PAGE = 4096;

function readStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return {
      pid,
      ppid: Number(f[1]),
      cpuTicks: Number(f[11]) + Number(f[12]),
      sysTicks: Number(f[12]),
      childTicks: Number(f[13]) + Number(f[14]),
      childSysTicks: Number(f[14]),
      rssBytes: Number(f[21]) * PAGE,
    };
  } catch {
    return undefined;
  }
}

/** The pids of the tree rooted at `root` (root first). */
export function treePids(root) {
  const byParent = new Map();
  for (const name of readdirSync("/proc")) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const s = readStat(Number(name));
    if (!s) continue;
    let list = byParent.get(s.ppid);
    if (!list) byParent.set(s.ppid, (list = []));
    list.push(s.pid);
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const child of byParent.get(out[i]) ?? []) out.push(child);
  return out;
}

/** { cpuMs, sysMs, rssBytes } of one or more process trees (sysMs: the kernel's share of cpuMs). */
export function treeUsage(...roots) {
  let ticks = 0;
  let sysTicks = 0;
  let rssBytes = 0;
  for (const root of roots) {
    const pids = treePids(root);
    pids.forEach((pid, i) => {
      const s = readStat(pid);
      if (!s) return;
      ticks += s.cpuTicks + (i === 0 ? s.childTicks : 0);
      sysTicks += s.sysTicks + (i === 0 ? s.childSysTicks : 0);
      rssBytes += s.rssBytes;
    });
  }
  return { cpuMs: (ticks * 1000) / ticksPerSecond, sysMs: (sysTicks * 1000) / ticksPerSecond, rssBytes };
}

export function cpuInfo() {
  let model = "unknown";
  try {
    model = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? model;
  } catch {}
  return model;
}

/** Busy and total CPU time of the whole machine so far, in ms (from /proc/stat). */
export function machineUsage() {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] ?? 0);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busyMs: ((total - idle) * 1000) / ticksPerSecond, totalMs: (total * 1000) / ticksPerSecond };
}
