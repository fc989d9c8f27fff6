import { isNameError, normalizeName } from "../message/index.ts";

/** `@room` in a message's text mentions every member of its room. */
export const ROOM_MENTION = "@room";
/** At most this many distinct `@name`s of a text are looked up (the rest are plain text). */
export const MENTIONS_MAX = 50;

// `@` at the start or after a character that cannot be part of a name (so `a@b` is no mention).
const AT_NAME = /(?:^|[^\p{L}\p{M}\p{N}_@-])@([\p{L}\p{N}][\p{L}\p{M}\p{N}_-]*)/gu;

/** The distinct name keys written as `@name` in the text, in order, and whether `@room` is among them. */
export function mentionCandidates(text: string): { keys: string[]; room: boolean } {
  const keys: string[] = [];
  let room = false;
  if (!text.includes("@")) return { keys, room };
  for (const match of text.matchAll(AT_NAME)) {
    const n = normalizeName(match[1]!);
    if (isNameError(n)) continue;
    if (n.key === "room") room = true;
    else if (!keys.includes(n.key) && keys.length < MENTIONS_MAX) keys.push(n.key);
  }
  return { keys, room };
}

/**
 * The `mentions` of a text: canonical names of existing users written as
 * `@name` (no duplicates, in order of first mention), then `@room` when the
 * text mentions the room (`allowRoom`: only in a room). Undefined when none.
 */
export async function resolveMentions(
  text: string,
  findUser: (key: string) => Promise<{ name: string } | undefined>,
  allowRoom: boolean,
): Promise<string[] | undefined> {
  const { keys, room } = mentionCandidates(text);
  const names: string[] = [];
  for (const key of keys) {
    const user = await findUser(key);
    if (user && !names.includes(user.name)) names.push(user.name);
  }
  if (room && allowRoom) names.push(ROOM_MENTION);
  return names.length > 0 ? names : undefined;
}
