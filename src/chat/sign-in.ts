import { checkName, ClientError, CloseCode, ErrorCode, rateLimited, waitText, type InboundFrame } from "../message/index.ts";
import { tokenUser, type Accounts, type SignIn, type TokenlessSignIn } from "../accounts/accounts.ts";
import type { Limits } from "../config/schema.ts";
import type { AbuseLimits } from "./limits.ts";
import type { Hub } from "./hub.ts";
import type { Moderation } from "./moderation.ts";
import type { Session } from "./session.ts";
import type { Logger } from "../log.ts";

type Hello = Extract<InboundFrame, { type: "hello" }>;
type Deps = { accounts: Accounts; abuse: AbuseLimits; hub: Hub; limits: Limits; moderation: Moderation; logger?: Logger };

/**
 * A sign-in whose password or token checked out, not yet a session: `mark`
 * is where the moderation journal stood before the user record was read (see
 * `refusal`), `byToken` how the user signed in; no `token` for a peer that
 * never resumes (Peer.resumes).
 */
export type Admission = (SignIn | TokenlessSignIn) & { readonly mark: number; readonly byToken: boolean };

/**
 * A `hello`, checked in order of cost: its shape and name first (free to
 * refuse, so they count against no limit), then the connection's and the
 * address's sign-in rate and the failure back-off, then bcrypt, then the cap
 * on signed-in connections per user.
 *
 * A token resume whose user record is at hand (see `Accounts.resumeNow`) is
 * decided at once: the result is a SignIn, not a promise (its failures are
 * rejections, as every failed sign-in's). Only a hello refused for its shape,
 * name or rate throws, so the session answers it before the frames behind it.
 */
export function authenticate(deps: Deps, hello: Hello, session?: Session): Admission | Promise<Admission> {
  const { accounts, abuse } = deps;
  const logger = deps.logger;
  // Before any read of the user record: what the record misses was applied after this.
  const mark = deps.moderation.mark();
  const address = session?.peer.remoteAddress ?? "unknown";
  const passwordHello = hello.user !== undefined && hello.password !== undefined;
  if (!passwordHello && hello.token === undefined) {
    throw new ClientError(ErrorCode.badFrame, "hello needs `user` and `password`, or `token`");
  }
  const userKey = hello.user === undefined ? undefined : checkName(hello.user).key;
  if (session && !session.signIns.take()) {
    const wait = session.signIns.retryAfterMs();
    throw rateLimited(`too many sign-in attempts on this connection; try again in ${waitText(wait)}`, wait);
  }
  const fromToken = passwordHello ? undefined : tokenUser(hello.token!);
  // The account the back-off counts against: the named user, else the token's (a hello without `user` has one).
  const account = userKey ?? fromToken?.key;
  if (!abuse.mayTrySignIn(address, account)) {
    const { backOff, retryAfterMs } = abuse.signInRefusal(address, account);
    const what = backOff ? "too many failed sign-ins" : "too many sign-in attempts from this address";
    throw rateLimited(`${what}; try again in ${waitText(retryAfterMs)}`, retryAfterMs);
  }
  if (!passwordHello) {
    // Only the checks above fail at once (the session answers them before any frame behind the hello);
    // a token refused here is answered as every failed sign-in is, as a rejection, frames held behind it.
    try {
      // A token sign-in may name its user too; a token of another user is refused like any invalid token.
      if (userKey !== undefined && fromToken?.key !== userKey) {
        throw failed(abuse, logger, address, account, passwordHello, new ClientError(ErrorCode.authFailed, "invalid or expired token"));
      }
      let now: SignIn | undefined;
      try {
        now = accounts.resumeNow(hello.token!);
      } catch (error) {
        throw failed(abuse, logger, address, account, passwordHello, error);
      }
      if (now) return admitted(deps, address, admission(now, mark, true));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  const attempt = passwordHello
    ? accounts.checkSignIn(hello.user!, hello.password!, {
        mayCreate: () => abuse.takeAccount(address) || abuse.retryAfterMs(address, "accounts"),
      })
    : accounts.resume(hello.token!);
  return attempt.then(
    (signIn) => {
      const admitted_ = admitted(deps, address, admission(signIn, mark, !passwordHello));
      // Clients that never resume (IRC) get no token.
      return passwordHello && session?.peer.resumes !== false ? withToken(deps, admitted_) : admitted_;
    },
    (error: unknown) => {
      throw failed(abuse, logger, address, account, passwordHello, error);
    },
  );
}

/**
 * A password sign-in's resume token, issued only once the sign-in is admitted:
 * one refused (too many sessions) must not push a live token out of the
 * user's 20. The cap is checked again after the write, which let others in.
 */
async function withToken(deps: Deps, signIn: Admission): Promise<Admission> {
  const { user, token } = await deps.accounts.issueToken(signIn.user.key);
  try {
    underCap(deps, user.key);
  } catch (error) {
    await deps.accounts.revoke(token);
    throw error;
  }
  return admission({ user, token, created: signIn.created }, signIn.mark, false);
}

/**
 * The sign-in with its mark, written out key by key: on Node 20's V8 a spread
 * followed by keys its source lacks (`{ ...signIn, mark, byToken }`) gives each
 * object hidden classes of its own, made in the old generation (~0.4 KiB of
 * old-space garbage per sign-in, docs/benchmarks.md).
 */
function admission(signIn: SignIn | TokenlessSignIn, mark: number, byToken: boolean): Admission {
  return { user: signIn.user, token: signIn.token, created: signIn.created, mark, byToken };
}

/** A sign-in that worked: counted as such, then held to the cap on connections per user. */
function admitted(deps: Deps, address: string, signIn: Admission): Admission {
  deps.abuse.signInSucceeded(address, signIn.user.key);
  underCap(deps, signIn.user.key);
  return signIn;
}

function underCap({ hub, limits }: Deps, key: string): void {
  if (hub.userSessions(key).size >= limits.maxSessionsPerUser) {
    throw new ClientError(ErrorCode.tooManySessions, `at most ${limits.maxSessionsPerUser} connections per user`, {
      code: CloseCode.policy,
      reason: "too many sessions",
    });
  }
}

/**
 * A failed attempt feeds the address's and the account's back-off and is
 * logged (the name and address, never the password or token); the error is
 * passed on.
 */
function failed(abuse: AbuseLimits, logger: Logger | undefined, address: string, account: string | undefined, password: boolean, error: unknown): unknown {
  if (error instanceof ClientError && error.code === ErrorCode.authFailed) abuse.signInFailed(address, account);
  if (error instanceof ClientError && (error.code === ErrorCode.authFailed || error.code === ErrorCode.banned)) {
    logger?.info("sign-in failed", { user: account ?? null, address, with: password ? "password" : "token", reason: error.code });
  }
  return error;
}

/**
 * Why a sign-in that checked out may not become a session after all, asked
 * at the moment it would (in the same step as registering it, see
 * sessionMachine): the user was banned while the password was being checked.
 * The record read after the mark shows a ban stored before that read; a ban
 * stored after it was applied on this node after the mark (a change is stored
 * before it is published), so the journal has it. Either way the sign-in is
 * refused as a sign-in to a banned account is: `banned` after a password,
 * `auth_failed` for a token (a ban revokes every token).
 */
export function refusal(moderation: Moderation, admission: Admission): ClientError | undefined {
  const changes = moderation.since(admission.mark, admission.user.key);
  // Too many changes since to tell: refused as a store that cannot answer would be.
  if (!changes) return new ClientError(ErrorCode.unavailable, "the account could not be checked; try again");
  const ban = changes.findLast((c) => c.action === "ban");
  const reason = admission.user.banned?.reason ?? (ban?.action === "ban" ? ban.reason : undefined);
  if (reason === undefined) return undefined;
  if (admission.byToken) return new ClientError(ErrorCode.authFailed, "invalid or expired token");
  return new ClientError(ErrorCode.banned, `this account is banned: ${reason}`);
}
