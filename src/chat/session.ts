import { encode, type OutboundFrame } from "../message/index.ts";
import type { Peer } from "./peer.ts";
import type { Role } from "../../storage/users/types.ts";
import { TokenBucket } from "./token-bucket.ts";
import { Strikes } from "./limits.ts";

export type SessionUser = { key: string; name: string; role: Role };

type SessionRates = {
  joinsPerSecond: number;
  joinBurst: number;
  signInsPerMinute: number;
  signInBurst: number;
  abuseStrikes: number;
  abuseWindowMs: number;
};

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
  readonly joins: TokenBucket;
  readonly signIns: TokenBucket;
  /** `rate_limited` answers in the recent window; too many close the connection. */
  readonly strikes: Strikes;

  constructor(
    readonly peer: Peer,
    rate: { messagesPerSecond: number; messageBurst: number } & Partial<SessionRates>,
  ) {
    this.messages = new TokenBucket(rate.messagesPerSecond, rate.messageBurst);
    this.joins = new TokenBucket(rate.joinsPerSecond ?? 5, rate.joinBurst ?? 100);
    this.signIns = new TokenBucket((rate.signInsPerMinute ?? 10) / 60, rate.signInBurst ?? 5);
    this.strikes = new Strikes(rate.abuseStrikes ?? 50, rate.abuseWindowMs ?? 10_000);
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
