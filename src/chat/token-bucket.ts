/**
 * A token bucket: `rate` tokens a second up to `burst`. `take()` is O(1) and
 * allocation-free, so it can sit on every inbound message.
 */
export class TokenBucket {
  #tokens: number;
  #at: number;
  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#tokens = burst;
    this.#at = now();
  }

  take(cost = 1): boolean {
    const t = this.now();
    // A clock that steps back (NTP) refills nothing rather than draining the bucket.
    const elapsed = Math.max(0, t - this.#at);
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed / 1000) * this.rate);
    this.#at = t;
    // The epsilon absorbs floating-point drift (0.3 + 0.3 + 0.3 + 0.1 < 1).
    if (this.#tokens < cost - EPSILON) return false;
    this.#tokens -= cost;
    return true;
  }

  /** How long until `take(cost)` can succeed (0: now). */
  waitMs(cost = 1): number {
    const elapsed = Math.max(0, this.now() - this.#at);
    const tokens = Math.min(this.burst, this.#tokens + (elapsed / 1000) * this.rate);
    return tokens >= cost - EPSILON ? 0 : Math.ceil(((cost - tokens) / this.rate) * 1000);
  }

  /** Gives back what a `take` got for a request another limit then refused: it was never served. */
  refund(cost = 1): void {
    this.#tokens = Math.min(this.burst, this.#tokens + cost);
  }
}

const EPSILON = 1e-9;
