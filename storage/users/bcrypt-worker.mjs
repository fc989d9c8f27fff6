/**
 * One bcrypt thread (see bcrypt-pool.ts). Plain JavaScript on purpose: Node
 * (dist/ or vitest) and Deno (TypeScript sources) all load this same file, and
 * Node 20 cannot start a worker from a .ts file.
 *
 * In:  { id, op: "hash", password, cost } | { id, op: "compare", password, hash }
 * Out: { ready: true } once loaded, then { id, result } | { id, error }
 */
import { parentPort } from "node:worker_threads";
import bcrypt from "bcryptjs";

parentPort.on("message", async (job) => {
  try {
    const result = job.op === "hash" ? await bcrypt.hash(job.password, job.cost) : await bcrypt.compare(job.password, job.hash);
    parentPort.postMessage({ id: job.id, result });
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: String(error?.message ?? error) });
  }
});
parentPort.postMessage({ ready: true });
