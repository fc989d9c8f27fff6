/**
 * How the log keys its streams: a room by its name, a direct conversation by
 * `dm:<key a>:<key b>` (keys sorted, so both sides name the same stream).
 * Written once here; the log lists only rooms, the hub delivers a DM to both sides.
 */
const DM_PREFIX = "dm:";

/** The stream key of the conversation between two user keys (order does not matter). */
export function dmRoom(a: string, b: string): string {
  return a < b ? `${DM_PREFIX}${a}:${b}` : `${DM_PREFIX}${b}:${a}`;
}

/** True for a direct conversation's key (user and room names cannot hold a colon). */
export function isDmRoom(room: string): boolean {
  return room.startsWith(DM_PREFIX);
}

/** The two user keys of a direct conversation's key. */
export function dmParties(room: string): [string, string] {
  const [a = "", b = ""] = room.slice(DM_PREFIX.length).split(":");
  return [a, b];
}
