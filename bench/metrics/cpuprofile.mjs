/** Top self-time functions of a V8 .cpuprofile (as written by `node --cpu-prof`). */
import { readFileSync } from "node:fs";

export function selfTimes(path) {
  const profile = JSON.parse(readFileSync(path, "utf8"));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    self.set(id, (self.get(id) ?? 0) + dt);
  });
  const byFunction = new Map();
  const byArea = new Map();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const path = url.replace(/^file:\/\//, "");
    const file = path.includes("/node_modules/") ? path.replace(/^.*\/node_modules\//, "~/") : path.replace(/^.*\/dist\//, "dist/");
    const key = `${functionName || "(anonymous)"} ${file ? `${file}:${lineNumber + 1}` : ""}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const area = file.startsWith("~/") ? file.split("/").slice(0, file.startsWith("~/@") ? 3 : 2).join("/") : file.startsWith("dist/") ? file.split("/").slice(0, 3).join("/") : file ? file.split("/")[0] + " (node internals)" : functionName.startsWith("(") ? functionName : `${functionName} (native)`;
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);
  return { total, rows: sorted(byFunction), areas: sorted(byArea) };
}

/** Top `n` functions by self time, then self time by package / source folder. */
export function topSelfTime(path, n = 20) {
  const { total, rows, areas } = selfTimes(path);
  const line = ([name, us]) => `${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`;
  return `by function:\n${rows.slice(0, n).map(line).join("\n")}\n\nby package or folder:\n${areas.slice(0, 15).map(line).join("\n")}`;
}
