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
  tooManyRooms: "too_many_rooms",
  unavailable: "unavailable",
  tooManySessions: "too_many_sessions",
  forbidden: "forbidden",
  banned: "banned",
  muted: "muted",
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
  tryAgainLater: 1013,
  kicked: 4000,
  slowConsumer: 4001,
  banned: 4002,
} as const;

/** An error a handler throws to answer the client with an `error` frame (and, with `close`, then close the connection). */
export class ClientError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly close?: { code: number; reason: string },
    /** When to ask again (search's `unavailable` and `rate_limited`). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ClientError";
  }
}
