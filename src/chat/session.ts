import { encode, type OutboundFrame } from "../message/index.ts";
import type { Peer } from "./peer.ts";
import { TokenBucket } from "./token-bucket.ts";

export type SessionUser = { key: string; name: string; role: "user" | "admin" };

let nextId = 1;

/**
 * The hot state of one connection: who it is and which rooms it is in. Kept
 * apart from the session actor so fan-out reads plain fields, not actor state.
 */
export class Session {
  readonly id = nextId++;
  readonly connectedAt = Date.now();
  user: SessionUser | undefined;
  token: string | undefined;
  readonly rooms = new Set<string>();
  readonly messages: TokenBucket;

  constructor(
    readonly peer: Peer,
    rate: { messagesPerSecond: number; messageBurst: number },
  ) {
    this.messages = new TokenBucket(rate.messagesPerSecond, rate.messageBurst);
  }

  #inbox: Promise<void> = Promise.resolve();

  /**
   * Runs inbound requests one after another, in arrival order, so a client may
   * pipeline `join` then `say` without waiting. Handlers only hold the line for
   * reads; `say` queues its durable write and lets the next frame through.
   */
  enqueue(task: () => Promise<void> | void): void {
    this.#inbox = this.#inbox.then(task).catch(() => {});
  }

  send(frame: OutboundFrame): void {
    this.peer.send(encode(frame));
  }
}
