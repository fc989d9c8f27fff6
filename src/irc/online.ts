import type { OnlineUser } from "../../storage/presence/types.ts";
import { userKey } from "./names.ts";

/**
 * The users online, by account key. Several IRC commands (WHOIS, WHO nick,
 * ISON, USERHOST, NICK, a guest's registration) look for one or a few users
 * among all online: normalising every online name for each of them cost tens
 * of milliseconds a command on a node of 10,000, and any client may send them
 * back to back. The index is made once per `users()` answer, which the
 * embedded presence keeps until presence changes (a cluster's is read anew).
 */
const indexes = new WeakMap<readonly OnlineUser[], ReadonlyMap<string, OnlineUser>>();

export function onlineByKey(users: readonly OnlineUser[]): ReadonlyMap<string, OnlineUser> {
  let index = indexes.get(users);
  if (!index) {
    const map = new Map<string, OnlineUser>();
    for (const u of users) {
      const key = userKey(u.name);
      if (key !== undefined && !map.has(key)) map.set(key, u);
    }
    indexes.set(users, (index = map));
  }
  return index;
}
