import { ClientError, ErrorCode } from "./errors.ts";
import { charLength } from "./chars.ts";

/**
 * User and room names. One rule for both: NFKC, then lower-case for the key, so
 * names that differ only by case or character width are the same account/room.
 * Allowed: letters, digits, combining marks, `_` and `-`, starting with a letter
 * or digit, 1 to 32 characters. That excludes dots, path separators, NUL, control
 * and bidi characters outright, so a key is always a safe single path segment.
 */
export const NAME_MAX = 32;
const NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{M}\p{N}_-]*$/u;
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

export type Name = { display: string; key: string };

/** Returns the normalised name, or a reason it is refused. */
export function normalizeName(input: string): Name | { error: string } {
  if (input.length === 0 || input.length > NAME_MAX * 4) return { error: `must be 1 to ${NAME_MAX} characters` };
  const display = input.normalize("NFKC");
  const length = charLength(display);
  if (length < 1 || length > NAME_MAX) return { error: `must be 1 to ${NAME_MAX} characters` };
  if (!NAME_PATTERN.test(display)) {
    return { error: "may hold only letters, digits, '_' and '-', starting with a letter or digit" };
  }
  const key = display.toLowerCase().normalize("NFKC");
  if (!NAME_PATTERN.test(key)) return { error: "is not a valid name" };
  if (RESERVED.test(key)) return { error: "is a reserved name" };
  return { display, key };
}

export function isNameError(n: Name | { error: string }): n is { error: string } {
  return "error" in n;
}

/** The normalised name; a name that breaks the rule is a `bad_name` error naming what it is. */
export function checkName(input: string, what: "user" | "room" = "user"): Name {
  const n = normalizeName(input);
  if (isNameError(n)) throw new ClientError(ErrorCode.badName, `${what} name ${n.error}`);
  return n;
}
