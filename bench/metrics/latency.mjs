/**
 * A latency histogram in microseconds with ~1% relative precision: bucket i
 * holds values in [1.01^i - 1, 1.01^(i+1) - 1). Fixed size, so workers can
 * record cheaply and the orchestrator merges them by adding counts.
 */
const BASE = Math.log(1.01);
const BUCKETS = 2000; // up to ~4.4e8 µs (7 minutes)

export class Histogram {
  constructor() {
    this.counts = new Uint32Array(BUCKETS);
    this.count = 0;
    this.max = 0;
    this.sum = 0;
  }

  record(us) {
    if (!(us >= 0)) us = 0;
    let i = Math.floor(Math.log1p(us) / BASE);
    if (i >= BUCKETS) i = BUCKETS - 1;
    this.counts[i]++;
    this.count++;
    this.sum += us;
    if (us > this.max) this.max = us;
  }

  /** Sparse form for IPC. */
  toJSON() {
    const buckets = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i] !== 0) buckets.push(i, this.counts[i]);
    return { count: this.count, max: this.max, sum: this.sum, buckets };
  }

  static from(json) {
    const h = new Histogram();
    if (json) h.add(json);
    return h;
  }

  /** Adds a histogram or its JSON form. */
  add(other) {
    const o = other instanceof Histogram ? other.toJSON() : other;
    for (let k = 0; k < o.buckets.length; k += 2) this.counts[o.buckets[k]] += o.buckets[k + 1];
    this.count += o.count;
    this.sum += o.sum;
    if (o.max > this.max) this.max = o.max;
    return this;
  }

  /** The value at quantile q (0..1), as the upper edge of its bucket, capped by the max seen. */
  quantile(q) {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(this.max, Math.expm1((i + 1) * BASE));
    }
    return this.max;
  }

  /** p50/p99/max in milliseconds, rounded for the report. */
  summaryMs() {
    if (this.count === 0) return { samples: 0, p50: null, p99: null, max: null };
    const ms = (us) => Math.round(us) / 1000;
    return { samples: this.count, p50: ms(this.quantile(0.5)), p99: ms(this.quantile(0.99)), max: ms(this.max) };
  }
}

/** Monotonic microseconds, comparable across processes on one machine (CLOCK_MONOTONIC). */
export function nowUs() {
  return Number(process.hrtime.bigint()) / 1000;
}
