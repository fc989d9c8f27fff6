import type { ChatService } from "../chat/service.ts";
import { userKey } from "./names.ts";

/**
 * The users online, by account key. Several IRC commands (WHOIS, WHO nick,
 * ISON, USERHOST, NICK, a guest's registration) look for one or a few users
 * among all online: normalising every online name for each of them cost tens
 * of milliseconds a command on a node of 10,000, and any client may send them
 * back to back. The index is made once per `users()` answer, which the
 * embedded presence keeps until presence changes, and an entry's key once
 * per entry (a cluster's listing is read anew each time).
 */
/** One user of the chat's presence listing (as the chat hands it over: the gateway reaches storage only through the chat). */
type OnlineUser = Awaited<ReturnType<ChatService["presence"]["users"]>>[number];

const indexes = new WeakMap<readonly OnlineUser[], ReadonlyMap<string, OnlineUser>>();
/** Each entry's key: the embedded presence keeps a user's entry from one listing to the next while it does not change. */
const keys = new WeakMap<OnlineUser, string | undefined>();

export function onlineByKey(users: readonly OnlineUser[]): ReadonlyMap<string, OnlineUser> {
  let index = indexes.get(users);
  if (!index) {
    const map = new Map<string, OnlineUser>();
    for (const u of users) {
      let key = keys.get(u);
      if (key === undefined && !keys.has(u)) keys.set(u, (key = userKey(u.name)));
      if (key !== undefined && !map.has(key)) map.set(key, u);
    }
    indexes.set(users, (index = map));
  }
  return index;
}
