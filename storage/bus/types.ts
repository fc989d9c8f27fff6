import type { Role } from "../users/types.ts";

export type ModerationChange =
  | { action: "kick"; reason: string }
  | { action: "ban"; reason: string }
  | { action: "mute"; room: string; until: number; minutes: number }
  | { action: "unmute"; room: string }
  | { action: "role"; role: Role };

/**
 * What nodes tell each other besides stored room events (those go through
 * the broker, storage/broker): events that are not stored.
 */
export type BusEvent =
  | { kind: "notice"; text: string; noticeKind: "broadcast" | "motd"; ts: number }
  /** A kick, or a ban, mute, unmute or role change already stored on the account: each node applies it to its own sessions. */
  | { kind: "moderation"; user: string; change: ModerationChange }
  /** A user's first connection in a room anywhere joined, or the last left; `origin` names the node that told its own sessions already. */
  | { kind: "presence"; room: string; user: string; event: "join" | "leave"; origin?: string }
  | { kind: "typing"; room: string; user: string; origin?: string }
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
