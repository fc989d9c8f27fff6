import type { Role } from "../users/types.ts";
import type { RoomInfo } from "../rooms/types.ts";

export type ModerationChange =
  | { action: "kick"; reason: string }
  | { action: "ban"; reason: string }
  | { action: "mute"; room: string; until: number; minutes: number }
  | { action: "unmute"; room: string }
  | { action: "role"; role: Role };

/** What a presence change says besides who and where (see the `presence` frame in docs/protocol.md). */
export type PresenceDetail = { reason?: string; quit?: true; renamedTo?: string; renamedFrom?: string };

/**
 * What nodes tell each other besides stored room events (those go through
 * the broker, storage/broker): events that are not stored.
 */
export type BusEvent =
  | { kind: "notice"; text: string; noticeKind: "broadcast" | "motd"; ts: number }
  /** A kick, or a ban, mute, unmute or role change already stored on the account: each node applies it to its own sessions. */
  | { kind: "moderation"; user: string; change: ModerationChange }
  /** A user's first connection in a room anywhere joined, or the last left; `origin` names the node that told its own sessions already. */
  | ({ kind: "presence"; room: string; user: string; event: "join" | "leave"; origin?: string } & PresenceDetail)
  | { kind: "typing"; room: string; user: string; origin?: string }
  /** Client tags on their own (a `tags` frame, as clients get it): to a room, or to a conversation between the users `keys`. */
  | { kind: "tags"; id: string; from: string; room?: string; to?: string; tags: Record<string, string>; ts: number; keys?: [string, string]; origin: string }
  /** A connection's away message (IRC AWAY) set (`text`) or cleared, told to the members of `rooms`; `origin` told its own sessions. */
  | { kind: "away"; user: string; rooms: string[]; text?: string; origin?: string }
  /** The room directory changed (stored first in the room store), told to every node. Topics go through the broker. */
  | { kind: "room"; action: "created" | "forgotten"; room: RoomInfo }
  /** A read marker moved: every session of the user but the one that sent it (`origin` node, `session` id) gets it. */
  | { kind: "read"; user: string; room?: string; with?: string; id: string; origin: string; session: number }
  /** The user's password changed: every session of the user closes but `keep` (node origin and session id), if any. */
  | { kind: "password"; user: string; keep?: { origin: string; session: number } }
  /** A sign-in failed, or succeeded and so ended a back-off (`origin` recorded it already): every node keeps one back-off. */
  | { kind: "sign-in"; address: string; account?: string; failed: boolean; origin: string }
  /** A node allowed a new account from `address` (`origin` took it already): every node keeps one allowance. */
  | { kind: "new-account"; address: string; origin: string }
  /** A node allowed `user` at `address` to create a room (`origin` took it already): every node keeps one allowance. */
  | { kind: "room-creation"; user: string; address: string; origin: string }
  /** This node lost the bus for a while and may have missed events: its clients must resync. Local only. */
  | { kind: "reset" };

/**
 * Delivers events to every subscribed node (this one included), in publish
 * order. Implementations: in-process (embedded default) and Redis pub/sub.
 */
export interface Bus {
  publish(event: BusEvent): Promise<void>;
  subscribe(handler: (event: BusEvent) => void): () => void;
  close(): Promise<void>;
}
