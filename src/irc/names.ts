import { VERSION } from "../chat/service.ts";
import { isNameError, normalizeName } from "../message/index.ts";

export { isNameError, normalizeName };

/** The version IRC clients see (002, 004). */
export const VERSION_TEXT = `chatd-${VERSION}`;

/** The room key of `#name`, or undefined when it is no channel name chatd allows. */
export function channelKey(target: string): string | undefined {
  if (!target.startsWith("#")) return undefined;
  const n = normalizeName(target.slice(1));
  return isNameError(n) ? undefined : n.key;
}

/** A user name's key, or undefined when it is no name chatd allows. */
export function userKey(name: string): string | undefined {
  const n = normalizeName(name);
  return isNameError(n) ? undefined : n.key;
}
