/**
 * The orchestrator's handle on the load-generator processes: forks them,
 * spreads connections over them (connection i goes to worker i % n), sends
 * operations and merges their answers.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Histogram } from "../metrics/latency.mjs";

const WORKER = fileURLToPath(new URL("./worker.mjs", import.meta.url));

export class GeneratorPool {
  constructor(size) {
    this.workers = [];
    let nextId = 1;
    for (let i = 0; i < size; i++) {
      const child = fork(WORKER, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
      const waiting = new Map();
      child.on("message", (msg) => {
        const w = waiting.get(msg.id);
        if (!w) return;
        waiting.delete(msg.id);
        if (msg.error) w.reject(new Error(`generator ${i}: ${msg.error}`));
        else w.resolve(msg.result);
      });
      child.on("exit", (code) => {
        for (const w of waiting.values()) w.reject(new Error(`generator ${i} exited with ${code}`));
        waiting.clear();
      });
      const call = (op, args = {}) =>
        new Promise((resolve, reject) => {
          const id = nextId++;
          waiting.set(id, { resolve, reject });
          child.send({ ...args, id, op });
        });
      this.workers.push({ child, call });
    }
  }

  get pids() {
    return this.workers.map((w) => w.child.pid);
  }

  /** Runs `op` on every worker; `argsFor(i)` gives each its own arguments. */
  all(op, argsFor) {
    return Promise.all(this.workers.map((w, i) => w.call(op, typeof argsFor === "function" ? argsFor(i) : argsFor ?? {})));
  }

  /** Opens connections; specs are split round-robin over the workers. */
  async connect({ group, dialect, port, specs, concurrency = 100, timeoutMs = 120_000, host = "127.0.0.1" }) {
    const n = this.workers.length;
    const parts = this.workers.map((_, i) => specs.filter((s, k) => (s.w ?? k % n) === i));
    const t0 = performance.now();
    const answers = await this.all("connect", (i) => ({ group, dialect, host, port, specs: parts[i], concurrency, timeoutMs }));
    const ms = performance.now() - t0;
    return {
      ready: sum(answers, "ready"),
      failed: sum(answers, "failed"),
      errors: answers.flatMap((a) => a.errors),
      tokens: Object.assign({}, ...answers.map((a) => a.tokens)),
      ms,
    };
  }

  /** Open-loop offer of `rate` msg/s in total, split by each worker's share of the senders. */
  async offer({ group, rate, durationMs, senderShare, maxUnacked }) {
    const answers = await this.all("offer", (i) => ({ group, rate: rate * senderShare[i], durationMs, maxUnacked }));
    return { sent: sum(answers, "sent"), shed: sum(answers, "shed") };
  }

  async closedLoop({ group, durationMs, window }) {
    const answers = await this.all("closedLoop", { group, durationMs, window });
    return { sent: sum(answers, "sent"), acked: sum(answers, "acked"), unanswered: sum(answers, "unanswered"), ms: Math.max(...answers.map((a) => a.ms)) };
  }

  /** Times `hello {token}` on a group opened with `deferHello` (see worker.mjs), `concurrency` in flight in all. */
  async hellos({ group, concurrency = 100 }) {
    const n = this.workers.length;
    const answers = await this.all("hellos", { group, concurrency: Math.max(1, Math.round(concurrency / n)) });
    const lat = new Histogram();
    for (const a of answers) lat.add(a.lat);
    return { ok: sum(answers, "ok"), failed: sum(answers, "failed"), errors: answers.flatMap((a) => a.errors), ms: Math.max(...answers.map((a) => a.ms)), lat };
  }

  /** Merged counters and histograms of all workers. */
  async stats(reset = false) {
    const answers = await this.all("stats", { reset });
    const out = { deliveries: 0, acks: 0, pongs: 0, other: 0, lost: 0, lat: new Histogram(), ackLat: new Histogram(), pongLat: new Histogram() };
    for (const a of answers) {
      for (const k of ["deliveries", "acks", "pongs", "other", "lost"]) out[k] += a[k];
      for (const k of ["lat", "ackLat", "pongLat"]) out[k].add(a[k]);
    }
    return out;
  }

  close(group) {
    return this.all("close", { group });
  }

  /** Ping from the first connection of the group on worker 0 only. */
  ping(group, action, intervalMs = 10) {
    return this.workers[0].call("ping", { group, action, intervalMs });
  }

  stop() {
    for (const w of this.workers) w.child.disconnect();
  }
}

function sum(list, key) {
  return list.reduce((n, x) => n + (x[key] ?? 0), 0);
}
