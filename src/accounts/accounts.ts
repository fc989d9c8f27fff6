import { checkName, isNameError, normalizeName } from "../message/names.ts";
import { checkNewName, lookalikeError } from "../message/new-names.ts";
import { ClientError, ErrorCode, rateLimited, waitText } from "../message/errors.ts";
import { charLength } from "../message/chars.ts";
import { StorageUnavailableError } from "../../storage/errors.ts";
import type { UserRecord, UserStore } from "../../storage/users/types.ts";
import { createBcryptPool, type PasswordHasher } from "../../storage/users/bcrypt-pool.ts";
import { digestsEqual, formatToken, hashSecret, newSecret, parseToken } from "./tokens.ts";

export type AccountsOptions = {
  store: UserStore;
  bcryptCost: number;
  registration: "open" | "closed";
  passwordMinLength: number;
  tokenTtlMs: number;
  /**
   * Where bcrypt runs: the daemon passes a pool of worker threads (and closes
   * it on stop). Without one, bcrypt runs on the event loop, one job at a time.
   */
  hasher?: PasswordHasher;
  maxTokensPerUser?: number;
  now?: () => number;
};

export type SignIn = { user: UserRecord; token: string; created: boolean };
/** A password sign-in without a resume token (`checkSignIn`: IRC's). */
export type TokenlessSignIn = { user: UserRecord; token?: undefined; created: boolean };
type SignInOptions = { mayCreate?: () => true | number };

const PASSWORD_MAX_BYTES = 72;
const AUTH_FAILED = "unknown user or wrong password";

/**
 * The brief's client api: `validateSession` looks a user up (`findUser`) and,
 * when registration is open and the name is free, creates the account
 * (`createUser`). Every successful sign-in issues a resume token, except
 * `checkSignIn`'s (for clients that never resume).
 */
export function createAccounts(options: AccountsOptions) {
  const { store, bcryptCost, registration, passwordMinLength, tokenTtlMs } = options;
  const now = options.now ?? Date.now;
  const maxTokens = options.maxTokensPerUser ?? 20;
  const hashing = options.hasher ?? createBcryptPool({ threads: 0 });

  function checkPassword(password: string): void {
    if (charLength(password) < passwordMinLength) {
      throw new ClientError(ErrorCode.badPassword, `password must be at least ${passwordMinLength} characters`);
    }
    if (new TextEncoder().encode(password).length > PASSWORD_MAX_BYTES) {
      throw new ClientError(ErrorCode.badPassword, `password must be at most ${PASSWORD_MAX_BYTES} bytes`);
    }
  }

  async function issueToken(key: string): Promise<{ user: UserRecord; token: string }> {
    const secret = newSecret();
    const hash = hashSecret(secret);
    const at = now();
    const user = await store.update(key, (u) => {
      const live = u.tokens.filter((t) => t.expiresAt > at);
      // Keep the newest maxTokens - 1 (slice(-0) would keep them all).
      u.tokens = live.slice(Math.max(0, live.length - (maxTokens - 1)));
      u.tokens.push({ hash, createdAt: at, expiresAt: at + tokenTtlMs });
      u.lastSeenAt = at;
    });
    if (!user) throw new ClientError(ErrorCode.authFailed, AUTH_FAILED);
    return { user, token: formatToken(key, secret) };
  }

  async function findUser(name: string): Promise<UserRecord | undefined> {
    const n = normalizeName(name);
    if (isNameError(n)) return undefined;
    return store.get(n.key);
  }

  /** Creates the account; false when the name is taken (by a concurrent sign-in, say). */
  async function createUser(name: string, password: string): Promise<boolean> {
    const n = checkNewName(name);
    checkPassword(password);
    const holder = await store.claimSkeletons(n.key, n.skeletons);
    if (holder !== undefined) throw lookalikeError("user");
    const passwordHash = await hashing.hash(password, bcryptCost);
    const at = now();
    return store.create({ name: n.display, key: n.key, passwordHash, role: "user", createdAt: at, lastSeenAt: at, tokens: [] });
  }

  /**
   * A password sign-in without a resume token, for clients that never resume
   * (IRC): it writes nothing to the user store (but an account it creates).
   * `mayCreate` is asked only when this sign-in would create an account: true
   * allows it; a number of ms (how long until it would be allowed) refuses it
   * with `rate_limited`.
   */
  async function checkSignIn(name: string, password: string, options: SignInOptions = {}): Promise<TokenlessSignIn> {
    const n = checkName(name);
    if (new TextEncoder().encode(password).length > PASSWORD_MAX_BYTES) {
      throw new ClientError(ErrorCode.badPassword, `password must be at most ${PASSWORD_MAX_BYTES} bytes`);
    }
    let existing = await store.get(n.key);
    let created = false;
    if (!existing) {
      if (registration === "closed") {
        // Same answer as a wrong password: sign-in must not reveal which names exist.
        await hashing.hash(password, bcryptCost);
        throw new ClientError(ErrorCode.authFailed, AUTH_FAILED);
      }
      // A name or password a new account may not have creates nothing: it must not use up the address's allowance.
      checkNewName(name);
      checkPassword(password);
      const allowed = options.mayCreate?.() ?? true;
      if (allowed !== true) throw rateLimited(`too many new accounts from this address; try again in ${waitText(allowed)}`, allowed);
      created = await createUser(name, password);
      existing = await store.get(n.key);
      if (!existing) throw new StorageUnavailableError(`user store: ${n.key} could not be read back`, { public: "account could not be read back" });
    }
    // A lost creation race falls through to the normal password check.
    if (!created) {
      const ok = await hashing.compare(password, existing.passwordHash);
      if (!ok) throw new ClientError(ErrorCode.authFailed, AUTH_FAILED);
      // Only after the password matched: a ban is no hint to someone guessing names.
      if (existing.banned) throw new ClientError(ErrorCode.banned, `this account is banned: ${existing.banned.reason}`);
    }
    return { user: existing, created };
  }

  /** `checkSignIn`, then a resume token issued (the user's record written with its hash). */
  async function validateSession(name: string, password: string, options: SignInOptions = {}): Promise<SignIn> {
    const { user: checked, created } = await checkSignIn(name, password, options);
    const { user, token } = await issueToken(checked.key);
    return { user, token, created };
  }

  /** Signs in with a resume token; the same token stays valid until it expires or is revoked. */
  async function resume(token: string): Promise<SignIn> {
    const parsed = parseResumeToken(token);
    return admitToken(await store.get(parsed.key), parsed.secret, token);
  }

  /**
   * `resume` without waiting, when the store has the user at hand (see
   * `UserStore.peek`); undefined when the record must be read: call `resume`.
   * Throws what `resume` rejects with.
   */
  function resumeNow(token: string): SignIn | undefined {
    const parsed = parseResumeToken(token);
    const user = store.peek?.(parsed.key);
    return user && admitToken(user, parsed.secret, token);
  }

  function parseResumeToken(token: string): { key: string; secret: string } {
    const parsed = tokenUser(token);
    if (!parsed) throw new ClientError(ErrorCode.authFailed, "invalid or expired token");
    return parsed;
  }

  function admitToken(user: UserRecord | undefined, secret: string, token: string): SignIn {
    const hash = hashSecret(secret);
    const at = now();
    const match = user?.tokens.find((t) => digestsEqual(t.hash, hash) && t.expiresAt > at);
    if (!user || !match || user.banned) throw new ClientError(ErrorCode.authFailed, "invalid or expired token");
    return { user, token, created: false };
  }

  async function revoke(token: string): Promise<void> {
    const parsed = tokenUser(token);
    if (!parsed) return;
    const hash = hashSecret(parsed.secret);
    await store.update(parsed.key, (u) => {
      u.tokens = u.tokens.filter((t) => !digestsEqual(t.hash, hash));
    });
  }

  async function revokeAll(name: string): Promise<void> {
    const n = normalizeName(name);
    if (isNameError(n)) return;
    await store.update(n.key, (u) => {
      u.tokens = [];
    });
  }

  /**
   * Sets a new password and revokes every token of the user; with `old`, only
   * if it matches (`auth_failed` otherwise). Resolves to one new resume token
   * (the only valid one), or undefined when there is no such user.
   */
  async function setPassword(name: string, password: string, old?: string): Promise<string | undefined> {
    const n = normalizeName(name);
    if (isNameError(n)) return undefined;
    const existing = await store.get(n.key);
    if (!existing) return undefined;
    if (old !== undefined) {
      const ok = new TextEncoder().encode(old).length <= PASSWORD_MAX_BYTES && (await hashing.compare(old, existing.passwordHash));
      if (!ok) throw new ClientError(ErrorCode.authFailed, "wrong password");
    }
    checkPassword(password);
    const passwordHash = await hashing.hash(password, bcryptCost);
    const secret = newSecret();
    const at = now();
    const user = await store.update(n.key, (u) => {
      u.passwordHash = passwordHash;
      u.tokens = [{ hash: hashSecret(secret), createdAt: at, expiresAt: at + tokenTtlMs }];
    });
    return user && formatToken(n.key, secret);
  }

  /**
   * Whether a password matches a bcrypt hash, checked off the event loop like
   * a sign-in's: for secrets stored elsewhere than an account (irc.operators).
   */
  async function matchesHash(password: string, hash: string): Promise<boolean> {
    if (new TextEncoder().encode(password).length > PASSWORD_MAX_BYTES) return false;
    return hashing.compare(password, hash);
  }

  return { validateSession, checkSignIn, issueToken, matchesHash, findUser, createUser, resume, resumeNow, revoke, revokeAll, setPassword, store };
}

export type Accounts = ReturnType<typeof createAccounts>;

/**
 * The account a token names, and its secret; undefined unless the token is
 * well formed and names a user key (a normalised name, as tokens are issued).
 * One reading for every use (resume, revoke, the sign-in back-off), so a
 * token cannot count against one account and be checked against another.
 */
export function tokenUser(token: string): { key: string; secret: string } | undefined {
  const parsed = parseToken(token);
  if (!parsed) return undefined;
  const n = normalizeName(parsed.key);
  return !isNameError(n) && n.key === parsed.key ? parsed : undefined;
}
