import type { ChatRecord } from "../chatlog/types.ts";

/** What nodes tell each other. A message is published only after it is durable. */
export type BusEvent =
  | { kind: "message"; record: ChatRecord }
  | { kind: "notice"; text: string; noticeKind: "broadcast" | "motd"; ts: number }
  | { kind: "kick"; user: string; reason: string };

/**
 * Delivers events to every subscribed node (this one included), in publish
 * order. Implementations: in-process (embedded default) and Redis pub/sub.
 */
export interface Bus {
  publish(event: BusEvent): Promise<void>;
  subscribe(handler: (event: BusEvent) => void): () => void;
  close(): Promise<void>;
}
