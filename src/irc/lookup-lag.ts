import { TokenBucket } from "../chat/token-bucket.ts";

/** Lookups (NAMES, WHO, WHOIS, LUSERS, ISON, USERHOST) a connection may make a second, past its burst. */
export const LOOKUPS_PER_SECOND = 4;
export const LOOKUP_BURST = 20;
/** A lookup answered with this many lines or more counts once more for each such part (a WHO of a big channel). */
export const LINES_PER_LOOKUP = 500;

/**
 * "Fake lag" for a connection's lookups, as IRC servers do: within the burst
 * a lookup is answered at once; past it, it waits until the rate allows, and
 * so does everything the client sent after it (the session's order), but
 * nothing is refused or closed. One client asking `WHO #room` of a
 * 500-member channel in a loop once took the event loop from everyone (other
 * users' PING answered in 70–290 ms instead of under 3). Made on a
 * connection's first lookup.
 */
export class LookupLag {
  readonly #bucket: TokenBucket;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #wake: ((run: boolean) => void) | undefined;

  constructor(now: () => number = Date.now) {
    this.#bucket = new TokenBucket(LOOKUPS_PER_SECOND, LOOKUP_BURST, now);
  }

  /** Settles when the lookup may run (at once within the rate): false if the connection closed while it waited. */
  async turn(): Promise<boolean> {
    const wait = this.#bucket.retryAfterMs();
    if (wait > 0) {
      const run = await new Promise<boolean>((resolve) => {
        this.#wake = resolve;
        this.#timer = setTimeout(() => resolve(true), wait);
      });
      this.#wake = this.#timer = undefined;
      if (!run) return false;
    }
    this.#bucket.charge(1);
    return true;
  }

  /** The lookup was answered with `lines` lines: a big answer counts more. */
  answered(lines: number): void {
    const extra = Math.floor(lines / LINES_PER_LOOKUP);
    if (extra > 0) this.#bucket.charge(extra);
  }

  /** The connection is gone: a lookup waiting its turn is dropped. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#wake?.(false);
  }
}
