/**
 * Stable error codes a client can receive in an `error` frame. Clients switch on
 * these; the human `message` beside them may change.
 */
export const ErrorCode = {
  badFrame: "bad_frame",
  unknownType: "unknown_type",
  authFailed: "auth_failed",
  notAuthenticated: "not_authenticated",
  alreadyAuthenticated: "already_authenticated",
  notInRoom: "not_in_room",
  tooLarge: "too_large",
  rateLimited: "rate_limited",
  badName: "bad_name",
  badPassword: "bad_password",
  unknownUser: "unknown_user",
  /** A `mute` in a room that does not exist (as `POST /admin/mute` answers). */
  unknownRoom: "unknown_room",
  tooManyRooms: "too_many_rooms",
  unavailable: "unavailable",
  tooManySessions: "too_many_sessions",
  forbidden: "forbidden",
  banned: "banned",
  muted: "muted",
  /** A message or file id that does not exist, is not visible to the user, or (a message) was deleted. */
  notFound: "not_found",
  internal: "internal",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** WebSocket close codes chatd uses, beside the ones the socket layer sends itself (1007, 1009). */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  policy: 1008,
  tooBig: 1009,
  serviceRestart: 1012,
  kicked: 4000,
  slowConsumer: 4001,
  banned: 4002,
  /** The account's password changed: every other session closes (the same code as a ban, reason "password changed"). */
  passwordChanged: 4002,
} as const;

/** An error a handler throws to answer the client with an `error` frame (and, with `close`, then close the connection). */
export class ClientError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly close?: { code: number; reason: string },
    /** For `rate_limited`: how long until the same request would be allowed, in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ClientError";
  }
}

/**
 * A `rate_limited` refusal. Every one tells the client when to try again
 * (`retryAfterMs`, at least 1 ms), so a client backs off for the right time
 * instead of guessing.
 */
export function rateLimited(message: string, retryAfterMs: number): ClientError {
  return new ClientError(ErrorCode.rateLimited, message, undefined, Math.max(1, Math.ceil(retryAfterMs)));
}

/** The error frame answering a ClientError (with `retryAfterMs` when it has one). */
export function errorFrameOf(error: ClientError, ref?: string | number) {
  return {
    type: "error" as const,
    code: error.code,
    message: error.message,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    ...(ref === undefined ? {} : { ref }),
  };
}

/** "4 s", "1 min 5 s": a wait as people read it, rounded up to the second. */
export function waitText(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
}
