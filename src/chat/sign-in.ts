import { ClientError, CloseCode, ErrorCode, isNameError, normalizeName, type InboundFrame } from "../message/index.ts";
import type { Accounts, SignIn } from "../../storage/users/accounts.ts";
import type { Limits } from "../config/schema.ts";
import type { AbuseLimits } from "./limits.ts";
import type { Hub } from "./hub.ts";
import type { Session } from "./session.ts";
import { parseToken } from "../../storage/users/tokens.ts";

type Hello = Extract<InboundFrame, { type: "hello" }>;
type Deps = { accounts: Accounts; abuse: AbuseLimits; hub: Hub; limits: Limits };

/**
 * A `hello`, checked in order of cost: its shape and name first (free to
 * refuse, so they count against no limit), then the connection's and the
 * address's sign-in rate and the failure back-off, then bcrypt, then the cap
 * on signed-in connections per user.
 */
export async function authenticate({ accounts, abuse, hub, limits }: Deps, hello: Hello, session?: Session): Promise<SignIn> {
  const address = session?.peer.remoteAddress ?? "unknown";
  const passwordHello = hello.user !== undefined && hello.password !== undefined;
  if (!passwordHello && (hello.token === undefined || hello.user !== undefined)) {
    throw new ClientError(ErrorCode.badFrame, "hello needs `user` and `password`, or `token`");
  }
  if (hello.user !== undefined) {
    const n = normalizeName(hello.user);
    if (isNameError(n)) throw new ClientError(ErrorCode.badName, `user name ${n.error}`);
  }
  if (session && !session.signIns.take()) throw new ClientError(ErrorCode.rateLimited, "too many sign-in attempts on this connection");
  const signIn = await guardSignIn(abuse, address, hello, () => {
    if (passwordHello) return accounts.validateSession(hello.user!, hello.password!, { mayCreate: () => abuse.takeAccount(address) });
    return accounts.resume(hello.token!);
  });
  if (hub.userSessions(signIn.user.key).size >= limits.maxSessionsPerUser) {
    throw new ClientError(ErrorCode.tooManySessions, `at most ${limits.maxSessionsPerUser} connections per user`, {
      code: CloseCode.policy,
      reason: "too many sessions",
    });
  }
  return signIn;
}

/**
 * Runs a sign-in under the address's sign-in rate and the failure back-off of
 * the address and the account. A throttled attempt is answered `rate_limited`
 * before any bcrypt work, so guessing costs the guesser time, not the server.
 */
export async function guardSignIn(abuse: AbuseLimits, address: string, hello: Hello, attempt: () => Promise<SignIn>): Promise<SignIn> {
  const account = accountOf(hello);
  if (!abuse.mayTrySignIn(address, account)) {
    throw new ClientError(ErrorCode.rateLimited, "too many sign-in attempts; wait a little and try again");
  }
  try {
    const signIn = await attempt();
    abuse.signInSucceeded(address, signIn.user.key);
    return signIn;
  } catch (error) {
    if (error instanceof ClientError && error.code === ErrorCode.authFailed) abuse.signInFailed(address, account);
    throw error;
  }
}

function accountOf(hello: Hello): string | undefined {
  const name = hello.user ?? (hello.token === undefined ? undefined : parseToken(hello.token)?.key);
  if (name === undefined) return undefined;
  const n = normalizeName(name);
  return isNameError(n) ? undefined : n.key;
}
