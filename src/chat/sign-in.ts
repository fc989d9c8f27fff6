import { checkName, ClientError, CloseCode, ErrorCode, rateLimited, waitText, type InboundFrame } from "../message/index.ts";
import { tokenUser, type Accounts, type SignIn } from "../accounts/accounts.ts";
import type { Limits } from "../config/schema.ts";
import type { AbuseLimits } from "./limits.ts";
import type { Hub } from "./hub.ts";
import type { Session } from "./session.ts";
import type { Logger } from "../log.ts";

type Hello = Extract<InboundFrame, { type: "hello" }>;
type Deps = { accounts: Accounts; abuse: AbuseLimits; hub: Hub; limits: Limits; logger?: Logger };

/**
 * A `hello`, checked in order of cost: its shape and name first (free to
 * refuse, so they count against no limit), then the connection's and the
 * address's sign-in rate and the failure back-off, then bcrypt, then the cap
 * on signed-in connections per user.
 *
 * A token resume whose user record is at hand (see `Accounts.resumeNow`) is
 * decided at once: the result is a SignIn, not a promise, and failures throw.
 * The session actor then goes from `hello` to `active` in one step.
 */
export function authenticate(deps: Deps, hello: Hello, session?: Session): SignIn | Promise<SignIn> {
  const { accounts, abuse } = deps;
  const logger = deps.logger;
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
    if (now) return admitted(deps, address, now);
  }
  const attempt = passwordHello
    ? accounts.validateSession(hello.user!, hello.password!, { mayCreate: () => abuse.takeAccount(address) || abuse.retryAfterMs(address, "accounts") })
    : accounts.resume(hello.token!);
  return attempt.then(
    (signIn) => admitted(deps, address, signIn),
    (error: unknown) => {
      throw failed(abuse, logger, address, account, passwordHello, error);
    },
  );
}

/** A sign-in that worked: counted as such, then held to the cap on connections per user. */
function admitted({ abuse, hub, limits }: Deps, address: string, signIn: SignIn): SignIn {
  abuse.signInSucceeded(address, signIn.user.key);
  if (hub.userSessions(signIn.user.key).size >= limits.maxSessionsPerUser) {
    throw new ClientError(ErrorCode.tooManySessions, `at most ${limits.maxSessionsPerUser} connections per user`, {
      code: CloseCode.policy,
      reason: "too many sessions",
    });
  }
  return signIn;
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
