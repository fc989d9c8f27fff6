// Preloaded into chatd by bench/tools/irc-alloc.mjs (node --require this). The first SIGUSR2
// starts V8's sampling heap profiler, keeping the samples of objects a GC collected since
// (so the profile is everything allocated, by allocation site); the second stops it and writes
// the profile to the file named by ALLOC_PROBE_OUT.
const inspector = require("node:inspector");
const fs = require("node:fs");

const session = new inspector.Session();
session.connect();
let signals = 0;
process.on("SIGUSR2", () => {
  if (++signals === 1) {
    const options = { samplingInterval: 65536, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };
    session.post("HeapProfiler.enable", () => session.post("HeapProfiler.startSampling", options));
    return;
  }
  session.post("HeapProfiler.stopSampling", (error, result) => {
    fs.writeFileSync(process.env.ALLOC_PROBE_OUT, JSON.stringify(error ? { error: error.message } : result.profile));
  });
});
