import { ClientError, ErrorCode } from "./errors.ts";
import { checkName, NAME_MAX, type Name } from "./names.ts";
import { charLength } from "./chars.ts";
import { isModeratelyRestrictive } from "../unicode/scripts.ts";
import { skeletonsOf } from "../unicode/skeleton.ts";

/**
 * Invisible characters: default-ignorable code points (U+034F COMBINING
 * GRAPHEME JOINER, variation selectors U+FE00-FE0F and U+E0100-E01EF, U+180B,
 * U+17B4, the Hangul fillers U+115F, U+1160, U+3164, U+FFA0, ...). A name
 * holding one looks exactly like the name without it.
 */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;

/** A name for a new account or room, with the skeletons its uniqueness is checked by. */
export type NewName = Name & { skeletons: string[] };

/**
 * The rule for names that do not exist yet (a new account, a new room), on
 * top of the naming rule every name follows (`checkName`): at most 32
 * characters lower-cased too, no invisible
 * characters, and no mix of scripts beyond UTS #39's "moderately
 * restrictive" level. Names that exist keep working whatever they hold.
 * Whether the name's skeleton is free is the store's to say (see
 * `UserStore.claimSkeletons`, `RoomNames`).
 */
export function checkNewName(input: string, what: "user" | "room" = "user"): NewName {
  const n = checkName(input, what);
  // `İ` lower-cases to two characters: a room shown (and sent back) by its key must fit the bound too.
  if (charLength(n.key) > NAME_MAX) throw new ClientError(ErrorCode.badName, `${what} name must be 1 to ${NAME_MAX} characters`);
  if (INVISIBLE.test(input) || INVISIBLE.test(n.display)) {
    throw new ClientError(ErrorCode.badName, `${what} name may not hold invisible characters`);
  }
  if (!isModeratelyRestrictive(n.display)) {
    throw new ClientError(ErrorCode.badName, `${what} name mixes scripts (only Latin with one other script that is not Cyrillic or Greek)`);
  }
  return { ...n, skeletons: skeletonsOf(n.display, n.key) };
}

/** The `bad_name` for a new name whose skeleton is taken. */
export function lookalikeError(what: "user" | "room"): ClientError {
  return new ClientError(ErrorCode.badName, `${what} name looks like an existing ${what}'s name`);
}
