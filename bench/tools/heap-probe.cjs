// Preloaded into chatd by bench/tools/storm-heap.mjs (node --expose-gc --require this).
// On SIGUSR2 it writes, to the file named by STORM_HEAP_OUT, the memory figures as they are
// (no GC) and again after three full GCs, and how many mark-compacts ran before it.
const v8 = require("node:v8");
const fs = require("node:fs");
const { PerformanceObserver, constants } = require("node:perf_hooks");

let majorGCs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorGCs++;
}).observe({ entryTypes: ["gc"] });

function figures() {
  const spaces = {};
  for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name] = { used: s.space_used_size, physical: s.physical_space_size };
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed, spaces };
}

process.on("SIGUSR2", () => {
  const raw = { ...figures(), majorGCs };
  for (let i = 0; i < 3; i++) globalThis.gc();
  const collected = figures();
  // GC entries reach the observer asynchronously: count this probe's own GCs before answering.
  setTimeout(() => fs.writeFileSync(process.env.STORM_HEAP_OUT, JSON.stringify({ raw, collected: { ...collected, majorGCs } })), 100);
});
