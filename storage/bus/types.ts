import type { ChatRecord } from "../chatlog/types.ts";

/** What nodes tell each other. A message is published only after it is durable. */
export type BusEvent =
  | { kind: "message"; record: ChatRecord }
  | { kind: "notice"; text: string; noticeKind: "broadcast" | "motd"; ts: number }
  | { kind: "kick"; user: string; reason: string }
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
