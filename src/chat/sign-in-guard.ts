import { ClientError, ErrorCode, isNameError, normalizeName, type InboundFrame } from "../message/index.ts";
import type { SignIn } from "../../storage/users/accounts.ts";
import type { AbuseLimits } from "./limits.ts";
import { parseToken } from "../../storage/users/tokens.ts";

type Hello = Extract<InboundFrame, { type: "hello" }>;

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
