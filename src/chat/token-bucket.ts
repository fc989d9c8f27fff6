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
    this.#tokens = Math.min(this.burst, this.#tokens + ((t - this.#at) / 1000) * this.rate);
    this.#at = t;
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }
}
