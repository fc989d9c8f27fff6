import type { ProcessStats } from "../types.ts";

const startTimeSeconds = Math.round(Date.now() / 1000 - process.uptime());

/** CPU and memory of this Node.js process, for /metrics. */
export function nodeProcessStats(): ProcessStats {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    runtime: "node",
    version: process.versions.node,
    cpuUserSeconds: cpu.user / 1e6,
    cpuSystemSeconds: cpu.system / 1e6,
    residentBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    heapTotalBytes: mem.heapTotal,
    startTimeSeconds,
  };
}
