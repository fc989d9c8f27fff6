import { ClientError, CloseCode, ErrorCode, type Ref } from "../message/index.ts";
import { StorageUnavailableError } from "../../storage/errors.ts";
import type { Logger } from "../log.ts";
import type { Session } from "./session.ts";

/** What a client is told about a failed request. `unexpected` failures are logged and their details kept back. */
export type Failure = { code: ErrorCode; message: string; close?: { code: number; reason: string }; retryAfterMs?: number; unexpected?: Error };

/**
 * The one mapping from what went wrong to what the client hears, for error
 * frames and the admin API's JSON errors alike: a ClientError says it itself,
 * a storage failure of any kind is `unavailable` (nothing changed, try again
 * later), anything else is `internal`.
 */
export function describeFailure(error: unknown): Failure {
  if (error instanceof ClientError) {
    return { code: error.code, message: error.message, ...(error.close ? { close: error.close } : {}), ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }) };
  }
  if (error instanceof StorageUnavailableError) {
    return { code: ErrorCode.unavailable, message: error.public ?? "storage is unavailable; try again later" };
  }
  return { code: ErrorCode.internal, message: "internal error", unexpected: error instanceof Error ? error : new Error(String(error)) };
}

/** Answers a failed request with an error frame (closing the connection when the error says so, or on rate-limit abuse). */
export function answerFailure(session: Session, error: unknown, ref: Ref | undefined, logger: Logger): void {
  const failure = describeFailure(error);
  if (failure.unexpected) logger.error("request failed", { session: session.id, error: failure.unexpected.message });
  session.send({
    type: "error",
    code: failure.code,
    message: failure.message,
    ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
    ...(ref === undefined ? {} : { ref }),
  });
  if (failure.close) session.peer.close(failure.close.code, failure.close.reason);
  else if (failure.code === ErrorCode.rateLimited && session.strikes.strike()) session.peer.close(CloseCode.policy, "rate limit abuse");
}
