import type { Limits } from "../config/schema.ts";
import { TokenBucket } from "./token-bucket.ts";

type IpState = {
  /** The map's own key: handed out by `sameAddress`. */
  address: string;
  connections: number;
  messages: TokenBucket;
  joins: TokenBucket;
  signIns: TokenBucket;
  accounts: TokenBucket;
  history: TokenBucket;
  searches: TokenBucket;
  failures: number;
  blockedUntil: number;
  touchedAt: number;
};

export type Bucket = "messages" | "joins" | "signIns" | "accounts" | "history" | "searches";

/**
 * Each per-address bucket's rate (tokens a second) and burst, read from the
 * limits at every use: a reload changes the limits object in place.
 */
const RATE: Record<Bucket, (l: Limits) => number> = {
  messages: (l) => l.ipMessagesPerSecond,
  joins: (l) => l.ipJoinsPerSecond,
  signIns: (l) => l.ipSignInsPerMinute / 60,
  accounts: (l) => l.ipAccountsPerHour / 3600,
  history: (l) => l.ipHistoryMessagesPerSecond,
  searches: (l) => l.ipSearchesPerSecond,
};
const BURST: Record<Bucket, (l: Limits) => number> = {
  messages: (l) => l.ipMessageBurst,
  joins: (l) => l.ipJoinBurst,
  signIns: (l) => l.ipSignInBurst,
  accounts: (l) => l.ipAccountBurst,
  history: (l) => l.ipHistoryMessageBurst,
  searches: (l) => l.ipSearchBurst,
};

/** Consecutive failed sign-ins an address may have before its own back-off starts. */
export const IP_FREE_FAILURES = 10;

type Failures = { failures: number; blockedUntil: number; touchedAt: number };

/** A sign-in's outcome for the back-off: the address and (when known) the account it tried. */
export type SignInOutcome = { address: string; account?: string; failed: boolean };

/**
 * Per-address and per-account abuse state: connection counts, the per-IP
 * token buckets and the sign-in failure back-off. Entries are dropped by
 * `sweep` once idle, so the maps do not grow with every address ever seen.
 */
export class AbuseLimits {
  readonly #ips = new Map<string, IpState>();
  readonly #accounts = new Map<string, Failures>();

  constructor(
    private readonly limits: Limits,
    private readonly now: () => number = Date.now,
  ) {}

  #ip(address: string): IpState {
    let s = this.#ips.get(address);
    if (!s) {
      s = {
        address,
        connections: 0,
        messages: this.#newBucket("messages"),
        joins: this.#newBucket("joins"),
        signIns: this.#newBucket("signIns"),
        accounts: this.#newBucket("accounts"),
        history: this.#newBucket("history"),
        searches: this.#newBucket("searches"),
        failures: 0,
        blockedUntil: 0,
        touchedAt: this.now(),
      };
      this.#ips.set(address, s);
    }
    s.touchedAt = this.now();
    return s;
  }

  /**
   * The string already held for this address, if any, else `address`: every
   * connection keeps its address for its life, and those from one address
   * (a NAT, a proxy, the same machine) can share one copy.
   */
  sameAddress(address: string): string {
    return this.#ips.get(address)?.address ?? address;
  }

  connectionsFrom(address: string): number {
    return this.#ips.get(address)?.connections ?? 0;
  }

  connected(address: string): void {
    this.#ip(address).connections += 1;
  }

  disconnected(address: string): void {
    const s = this.#ips.get(address);
    if (s) s.connections = Math.max(0, s.connections - 1);
  }

  takeMessage(address: string): boolean {
    return this.#take(this.#ip(address), "messages");
  }

  takeJoin(address: string): boolean {
    return this.#take(this.#ip(address), "joins");
  }

  takeAccount(address: string): boolean {
    const taken = this.#take(this.#ip(address), "accounts");
    if (taken) this.onAccount?.(address);
    return taken;
  }

  /** Told of every new account allowed here, so a cluster's other nodes take it too (`recordAccount`). */
  onAccount: ((address: string) => void) | undefined;

  /** A new account another node allowed from this address: taken from this node's allowance too, into debt if need be. */
  recordAccount(address: string): void {
    const s = this.#ip(address);
    // Taking nothing renews the bucket if a reload changed its limits, as a take does.
    this.#take(s, "accounts", 0);
    s.accounts.charge(1);
  }

  /** Whether the address may read history now (see HistoryBudget): a token of its history budget. */
  takeHistory(address: string): boolean {
    return this.#take(this.#ip(address), "history");
  }

  /** A token of the address's search rate (all its connections together). */
  takeSearch(address: string): boolean {
    return this.#take(this.#ip(address), "searches");
  }

  /** Charges the address's history budget for messages read, into debt if need be. */
  chargeHistory(address: string, messages: number): void {
    this.#ips.get(address)?.history.charge(messages);
  }

  #newBucket(bucket: Bucket): TokenBucket {
    return new TokenBucket(RATE[bucket](this.limits), BURST[bucket](this.limits), this.now);
  }

  /**
   * A token from the address's bucket, made anew (full) when a config reload
   * changed its rate or burst: an address already seen gets the new limits at
   * once, as a new one does.
   */
  #take(s: IpState, bucket: Bucket, cost = 1): boolean {
    const current = s[bucket];
    if (current.rate !== RATE[bucket](this.limits) || current.burst !== BURST[bucket](this.limits)) s[bucket] = this.#newBucket(bucket);
    return s[bucket].take(cost);
  }

  /** How long until the address's `bucket` has a token again, in ms (0: now). */
  retryAfterMs(address: string, bucket: Bucket, cost = 1): number {
    return this.#ips.get(address)?.[bucket].retryAfterMs(cost) ?? 0;
  }

  /**
   * Why a sign-in `mayTrySignIn` refused was refused, and for how long: the
   * failure back-off of the address or account (the later end), else the
   * address's sign-in rate.
   */
  signInRefusal(address: string, account: string | undefined): { backOff: boolean; retryAfterMs: number } {
    const t = this.now();
    const until = Math.max(this.#ips.get(address)?.blockedUntil ?? 0, account === undefined ? 0 : (this.#accounts.get(account)?.blockedUntil ?? 0));
    if (until > t) return { backOff: true, retryAfterMs: until - t };
    return { backOff: false, retryAfterMs: this.retryAfterMs(address, "signIns") };
  }

  /**
   * Whether a sign-in attempt may run now: within the address's sign-in rate,
   * and neither the address nor the account is in a failure back-off.
   */
  mayTrySignIn(address: string, account: string | undefined): boolean {
    const s = this.#ip(address);
    const t = this.now();
    if (s.blockedUntil > t) return false;
    if (account !== undefined && (this.#accounts.get(account)?.blockedUntil ?? 0) > t) return false;
    return this.#take(s, "signIns");
  }

  /**
   * Told of every sign-in outcome recorded here (a success only when it clears something), so
   * a cluster's other nodes can record it too (`recordSignIn`): one back-off on every node.
   */
  onSignIn: ((outcome: SignInOutcome) => void) | undefined;

  /** A failed sign-in doubles the wait of the address and of the account, up to the cap. */
  signInFailed(address: string, account: string | undefined): void {
    this.#failed(address, account);
    this.onSignIn?.({ address, ...(account === undefined ? {} : { account }), failed: true });
  }

  signInSucceeded(address: string, account: string): void {
    const clears = (this.#ips.get(address)?.failures ?? 0) > 0 || this.#accounts.has(account);
    this.#succeeded(address, account);
    if (clears) this.onSignIn?.({ address, account, failed: false });
  }

  /** A sign-in outcome another node recorded (see `onSignIn`). */
  recordSignIn(outcome: SignInOutcome): void {
    if (outcome.failed) this.#failed(outcome.address, outcome.account);
    else if (outcome.account !== undefined) this.#succeeded(outcome.address, outcome.account);
  }

  #failed(address: string, account: string | undefined): void {
    const t = this.now();
    const s = this.#ip(address);
    s.failures += 1;
    // Many people share an address (NAT, a proxy): it gets more slack than one account.
    s.blockedUntil = t + this.#delay(s.failures - IP_FREE_FAILURES + 1);
    if (account === undefined) return;
    const a = this.#accounts.get(account) ?? { failures: 0, blockedUntil: 0, touchedAt: t };
    a.failures += 1;
    a.blockedUntil = t + this.#delay(a.failures);
    a.touchedAt = t;
    this.#accounts.set(account, a);
  }

  #succeeded(address: string, account: string): void {
    const s = this.#ip(address);
    s.failures = 0;
    s.blockedUntil = 0;
    this.#accounts.delete(account);
  }

  #delay(failures: number): number {
    const { signInFailureDelayMs: base, signInFailureDelayMaxMs: cap } = this.limits;
    // The first failure costs nothing extra: a typo should not lock anyone out.
    if (failures <= 1 || base === 0) return 0;
    return Math.min(cap, base * 2 ** Math.min(failures - 2, 30));
  }

  /** Forgets addresses and accounts with nothing to remember (idle long enough for buckets to refill). */
  sweep(idleMs = 3_600_000): void {
    const t = this.now();
    for (const [k, s] of this.#ips) if (s.connections === 0 && s.blockedUntil <= t && t - s.touchedAt > idleMs) this.#ips.delete(k);
    for (const [k, a] of this.#accounts) if (a.blockedUntil <= t && t - a.touchedAt > idleMs) this.#accounts.delete(k);
  }

  get trackedAddresses(): number {
    return this.#ips.size;
  }
}

/**
 * Counts a session's `rate_limited` answers in a sliding window; past
 * `abuseStrikes` within `abuseWindowMs` the client is flooding on purpose.
 */
export class Strikes {
  readonly #times: number[] = [];
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records one strike; true when the session is over the limit. */
  strike(): boolean {
    const t = this.now();
    this.#times.push(t);
    while (this.#times.length > 0 && this.#times[0]! <= t - this.windowMs) this.#times.shift();
    return this.#times.length >= this.max;
  }
}
