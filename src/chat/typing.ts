import type { Limits } from "../config/schema.ts";
import { rateLimited } from "../message/index.ts";
import type { Session } from "./session.ts";
import { TokenBucket } from "./token-bucket.ts";

/** Past this many remembered (user, room) pairs, the ones whose interval is over are forgotten. */
const SWEEP_AT = 10_000;

/**
 * The limits on `typing`. A flood of `typing` frames once reached every
 * member of the room frame for frame (30,000 frames into a 40-member room:
 * 1.2 M deliveries) and slowed everyone's pings to seconds. Now:
 *
 * - each connection has a rate (`limits.typingPerSecond`, burst
 *   `limits.typingBurst`); over it the frame is answered `rate_limited`, which
 *   counts as an abuse strike like any other, so a flooder is closed (1008);
 * - within the rate, notices are coalesced per user and room: at most one per
 *   `limits.typingIntervalMs` (default 2 s) goes to the room (and to the other
 *   nodes); the rest are dropped quietly. A client shows "is typing" for a few
 *   seconds after a notice, so nothing visible is lost. A message from the
 *   user in the room ends the interval (`ended`): typing again right after
 *   sending is shown at once.
 */
export class TypingGate {
  /** When a notice of this user in this room last went out, by `${userKey}\n${room}`. */
  readonly #lastSent = new Map<string, number>();
  /** Each connection's typing rate, made on its first `typing` (most connections never send one). */
  readonly #rates = new WeakMap<Session, TokenBucket>();

  constructor(
    private readonly limits: Limits,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Whether this `typing` goes out to the room. Throws `rate_limited` (with
   * `retryAfterMs`) when the connection is over its typing rate.
   */
  pass(session: Session, room: string): boolean {
    const rate = this.#rateOf(session);
    if (!rate.take()) throw rateLimited("too many typing notices; slow down", rate.retryAfterMs());
    const t = this.now();
    const key = `${session.user!.key}\n${room}`;
    const last = this.#lastSent.get(key);
    if (last !== undefined && t - last < this.limits.typingIntervalMs) return false;
    if (this.#lastSent.size >= SWEEP_AT) this.#sweep(t);
    this.#lastSent.set(key, t);
    return true;
  }

  /**
   * The user sent a message in the room: that ends the typing spell (clients
   * clear "is typing" on the message), so the next `typing` goes out at once.
   */
  ended(userKey: string, room: string): void {
    if (this.#lastSent.size > 0) this.#lastSent.delete(`${userKey}\n${room}`);
  }

  #rateOf(session: Session): TokenBucket {
    let rate = this.#rates.get(session);
    if (!rate) {
      rate = new TokenBucket(this.limits.typingPerSecond, this.limits.typingBurst, this.now);
      this.#rates.set(session, rate);
    }
    return rate;
  }

  #sweep(t: number): void {
    for (const [key, at] of this.#lastSent) if (t - at >= this.limits.typingIntervalMs) this.#lastSent.delete(key);
  }

  /** Pairs remembered now (for tests: it stays bounded). */
  get remembered(): number {
    return this.#lastSent.size;
  }
}
