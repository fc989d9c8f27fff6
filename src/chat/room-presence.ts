import type { Bus, PresenceDetail } from "../../storage/bus/types.ts";
import type { Presence } from "../../storage/presence/types.ts";
import { strongerRole, type Role } from "../../storage/users/types.ts";
import type { Logger } from "../log.ts";
import type { Hub } from "./hub.ts";
import { actingRole } from "./roles.ts";
import type { Session } from "./session.ts";

/**
 * Who is in which room across the cluster: the presence store counts a user's
 * sessions in a room on every node, and the first in or last out is told to
 * the room here and, over the bus, on the other nodes (`origin` names this
 * node, so it does not tell its own sessions twice).
 */
export class RoomPresence {
  constructor(
    private readonly hub: Hub,
    private readonly bus: Bus,
    readonly store: Presence,
    private readonly logger: Logger,
    readonly origin: string,
  ) {}

  /** This node's last session of the user left the room: if it was the last anywhere, tell the room everywhere. */
  left(room: string, user: string, detail: PresenceDetail = {}): void {
    this.store.exit(room, user).then(
      (gone) => gone && this.announce(room, user, "leave", undefined, detail),
      (error) => this.logger.warn("presence: exit failed", { room, error: (error as Error).message }),
    );
  }

  announce(room: string, user: string, event: "join" | "leave", except?: Session, detail: PresenceDetail = {}): void {
    const why = presenceDetail(detail);
    this.hub.toRoomPresence(room, { type: "presence", room, user, event, ...why }, except);
    this.bus.publish({ kind: "presence", room, user, event, ...why, origin: this.origin }).catch(() => {});
  }

  /**
   * Tells the presence store how many sessions this node has for the user (for
   * the admin views), the away message of one and, if any OPERed, the
   * strongest role an operator block granted them (WHO, WHOIS, LUSERS).
   * Settles once stored (or failed: the store's own error is not the caller's).
   */
  syncLocal(key: string, name: string): Promise<void> {
    const sessions = [...this.hub.userSessions(key)];
    const first = sessions.reduce<Session | undefined>((a, b) => (a && a.connectedAt <= b.connectedAt ? a : b), undefined);
    const away = sessions.find((s) => s.peer.away !== undefined)?.peer.away;
    // `user` for a connection that opered as its own moderator or admin account: no grant, its stored role counts.
    const oper = sessions.reduce<Role | undefined>((role, s) => (s.peer.oper ? strongerRole(role, actingRole("user", s)) : role), undefined);
    const info = first && {
      sessions: sessions.length,
      address: first.peer.remoteAddress,
      connectedAt: first.connectedAt,
      ...(away !== undefined ? { away } : {}),
      ...(oper !== undefined ? { oper } : {}),
    };
    return this.store.setLocal(name, info).catch(() => {});
  }

  /**
   * The session's away message changed (its peer's `away`): kept with the
   * user's presence, and `text` (the message as it was set, the peer's by
   * default) told to the members of `rooms` (the session's, unless given) here
   * and, over the bus, on the other nodes, as presence is. No rooms: kept only.
   */
  away(session: Session, rooms: string[] = [...session.rooms], text = session.peer.away): void {
    const user = session.user!;
    this.syncLocal(user.key, user.name);
    if (rooms.length === 0) return;
    this.hub.toAway(rooms, user.name, text, session);
    this.bus.publish({ kind: "away", user: user.name, rooms, ...(text !== undefined ? { text } : {}), origin: this.origin }).catch(() => {});
  }
}

/** The detail's fields that are set (an empty reason is none), and no others: frames carry no `undefined`. */
export function presenceDetail(detail: PresenceDetail): PresenceDetail {
  const out: PresenceDetail = {};
  if (detail.reason) out.reason = detail.reason;
  if (detail.quit) out.quit = true;
  if (detail.renamedTo !== undefined) out.renamedTo = detail.renamedTo;
  if (detail.renamedFrom !== undefined) out.renamedFrom = detail.renamedFrom;
  return out;
}
