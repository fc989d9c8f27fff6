/** A resume token as stored: only its SHA-256, never the token itself. */
export type TokenRecord = { hash: string; createdAt: number; expiresAt: number };

export type Role = "user" | "moderator" | "admin";

const RANK: Record<Role, number> = { user: 0, moderator: 1, admin: 2 };

/** The stronger of two roles, either of which may be missing (then the other). */
export function strongerRole(a: Role | undefined, b: Role | undefined): Role | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

/** One account, as kept in `<data>/users/<first letter>/<key>.json`. */
export type UserRecord = {
  /** Display name as first registered (NFKC). */
  name: string;
  /** Lookup key: the normalised, lower-cased name. */
  key: string;
  /** bcrypt hash; the password itself is never stored or logged. */
  passwordHash: string;
  role: Role;
  /** Set by a ban: sign-in is refused until an unban. */
  banned?: { at: number; reason: string };
  /** Rooms the user may not `say` in, until the time given (ms since the epoch). */
  mutes?: Array<{ room: string; until: number }>;
  createdAt: number;
  lastSeenAt: number;
  tokens: TokenRecord[];
  /** Rooms the user belongs to: from the first `join` until `leave`. */
  rooms?: string[];
  /** Read markers: `#<room>` or `@<user key>` -> the last message id read. */
  reads?: Record<string, string>;
  /** The user's direct conversations, most recent first (at most a few hundred). */
  conversations?: Array<{ key: string; with: string; lastId: string; ts: number }>;
};

/**
 * Where accounts live. Implementations: lowdb files (embedded default) and,
 * in cluster mode, Redis. Guarantees: `create` succeeds for exactly one of any
 * number of concurrent calls with the same key; `update` is a read-modify-write
 * that no other update of the same key interleaves with.
 */
export interface UserStore {
  get(key: string): Promise<UserRecord | undefined>;
  /**
   * The record when it is at hand without waiting (a cached copy still current
   * on disk); undefined means "ask `get`". Stores without a cache leave it out.
   */
  peek?(key: string): UserRecord | undefined;
  /** Resolves true if this call created the account, false if it already existed. */
  create(record: UserRecord): Promise<boolean>;
  /** Applies `change` to the stored record and saves it; undefined if there is no such user. */
  update(key: string, change: (record: UserRecord) => void): Promise<UserRecord | undefined>;
  /**
   * Records `skeletons` (UTS #39 skeletons of a new account's name) as
   * `key`'s, unless one of them is already another key's: resolves that other
   * key, or undefined once recorded. Check and record are one step, on every
   * node. Called before `create`; existing accounts' skeletons are indexed
   * too (built from the accounts the first time).
   */
  claimSkeletons(key: string, skeletons: string[]): Promise<string | undefined>;
  /** Number of accounts (may scan: for admin views, not the hot path). */
  count(): Promise<number>;
  close(): Promise<void>;
}
