import { ClientError, ErrorCode, isBlank, rateLimited } from "../message/index.ts";
import { ID_PATTERN } from "../../storage/chatlog/ids.ts";
import type { AbuseLimits } from "./limits.ts";
import type { Session } from "./session.ts";
import { roomKey } from "./room-key.ts";

/** The room's key, if the session is in it; `not_in_room` otherwise. */
export function memberRoom(session: Session, name: string): string {
  const room = roomKey(name);
  if (!session.rooms.has(room)) throw new ClientError(ErrorCode.notInRoom, `not in room ${room}`);
  return room;
}

/** `bad_frame` unless `id` is absent or a message id. */
export function checkId(id: string | undefined, message: string): void {
  if (id !== undefined && !ID_PATTERN.test(id)) throw new ClientError(ErrorCode.badFrame, message);
}

/**
 * `too_large` for a message text over `limits.maxTextLength`, which counts
 * UTF-16 code units (JavaScript's length), as the message says: an emoji
 * beyond U+FFFF counts 2.
 */
export function textTooLong(maxTextLength: number): ClientError {
  return new ClientError(ErrorCode.tooLarge, `text is longer than ${maxTextLength} UTF-16 code unit${maxTextLength === 1 ? "" : "s"}`);
}

/** The text of a `say` or `dm`: not too long, not blank. */
export function checkText(text: string, maxTextLength: number): string {
  if (text.length > maxTextLength) throw textTooLong(maxTextLength);
  if (isBlank(text)) throw new ClientError(ErrorCode.badFrame, "text: must not be empty");
  return text;
}

/** Takes one message from the session's and its address's allowance; `rate_limited` (counted) when either is spent. */
export function checkRate(session: Session, abuse: AbuseLimits, counters: { rateLimited: number }): void {
  let wait = session.messages.take() ? 0 : session.messages.retryAfterMs();
  if (wait === 0) {
    if (abuse.takeMessage(session.peer.remoteAddress)) return;
    // Refused by the address's limit: this connection's allowance was not used.
    session.messages.refund();
    wait = abuse.retryAfterMs(session.peer.remoteAddress, "messages");
  }
  counters.rateLimited += 1;
  throw rateLimited("too many messages; slow down", wait);
}
