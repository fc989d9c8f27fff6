// Human text for each stable error code of the protocol (docs/protocol.md).
import { state } from "./state.js";
import { duration, friendlyTimes } from "./text.js";

const ERROR_TEXT = {
  auth_failed: "Wrong name or password.",
  bad_name: "That name is not allowed. Use 1–32 letters, digits, “_” or “-”, starting with a letter or digit.",
  bad_password: "Passwords for new accounts need at least 8 characters (and at most 72 bytes).",
  bad_frame: "The server did not understand that request.",
  unknown_type: "The server did not understand that request.",
  not_authenticated: "You are not signed in.",
  already_authenticated: "You are already signed in.",
  not_in_room: "You are not in that room. Join it first.",
  too_large: "That message is too long.",
  rate_limited: "You are sending messages too fast. Wait a moment, then retry.",
  too_many_rooms: "You are in too many rooms. Leave one first.",
  too_many_sessions: "You are signed in on too many devices. Sign out somewhere else first.",
  unknown_user: "There is no user with that name.",
  forbidden: "Only moderators and admins may do that.",
  banned: "This account is banned.",
  unavailable: "The server could not store that. It was not sent; try again.",
  internal: "Something went wrong on the server.",
  offline: "Not connected. Try again when the connection is back.",
  not_found: "That message is gone (deleted, or not in a conversation of yours).",
};

/** A readable sentence for an `error` frame (or a code and the server's message). */
export function errorText(code, message) {
  if (code === "too_large" && state.limits.maxTextLength) {
    return `That message is too long (at most ${state.limits.maxTextLength} characters).`;
  }
  if (code === "muted") {
    // The server's message names the end of the mute as a UTC timestamp: say it in local time.
    const until = /until (\S+)/.exec(message ?? "")?.[1];
    return until ? `You are muted in this room ${friendlyTimes(`until ${until}`)}.` : "You are muted in this room.";
  }
  if (code === "banned" && message) {
    // The server's message is "this account is banned: <reason>": the reason is what is left to say.
    const reason = message.replace(/^this account is banned:?\s*/i, "");
    return reason ? `This account is banned: ${reason}` : ERROR_TEXT.banned;
  }
  return ERROR_TEXT[code] ?? (message ? friendlyTimes(message) : `Error: ${code}`);
}

/** A `rate_limited` answer to something other than a message: what went too fast, and how long to wait (`retryAfterMs`). */
export function tooFastText(what, f) {
  const wait = typeof f.retryAfterMs === "number" ? `Try again in ${duration(f.retryAfterMs)}.` : "Wait a moment, then retry.";
  return `You are ${what} too fast. ${wait}`;
}
