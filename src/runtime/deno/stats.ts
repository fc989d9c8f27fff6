/// <reference lib="deno.ns" />
import process from "node:process";
import type { ProcessStats } from "../types.ts";

const startTimeSeconds = Math.round(Date.now() / 1000 - performance.now() / 1000);

/** CPU and memory of this Deno process, for /metrics (CPU through Deno's node:process). */
export function denoProcessStats(): ProcessStats {
  const cpu = process.cpuUsage();
  const mem = Deno.memoryUsage();
  return {
    runtime: "deno",
    version: Deno.version.deno,
    cpuUserSeconds: cpu.user / 1e6,
    cpuSystemSeconds: cpu.system / 1e6,
    residentBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    heapTotalBytes: mem.heapTotal,
    startTimeSeconds,
  };
}
