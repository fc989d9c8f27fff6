import type { Encoded } from "../../message/codec.ts";
import type { Peer } from "../../chat/peer.ts";

/** Advances once per turn of the event loop in which something was sent. */
let turn = 0;
let turnEnding = false;

function currentTurn(): number {
  if (!turnEnding) {
    turnEnding = true;
    setTimeout(() => {
      turn += 1;
      turnEnding = false;
    }, 0);
  }
  return turn;
}

/** A chat peer on a Deno (WHATWG) WebSocket. Text frames must be sent as strings. */
export class DenoPeer implements Peer {
  /** What this turn sent, which Deno writes out only after the turn: not a sign of a slow reader. */
  #turn = -1;
  #turnBytes = 0;

  constructor(
    private readonly socket: WebSocket,
    readonly remoteAddress: string,
  ) {}

  send(frame: Encoded): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    const now = currentTurn();
    if (this.#turn !== now) {
      this.#turn = now;
      this.#turnBytes = 0;
    }
    this.#turnBytes += frame.bytes.byteLength;
    this.socket.send(frame.text);
  }

  close(code: number, reason: string): void {
    const state = this.socket.readyState;
    if (state === WebSocket.CONNECTING || state === WebSocket.OPEN) this.socket.close(code, reason);
  }

  /**
   * Bytes a slow reader left waiting: Deno's count, less what this turn queued.
   * Deno counts a frame from `send` until it is written, and writes only after
   * the turn, so a burst of replies to a client that reads well looked like a
   * backlog; Node's count (see node/peer.ts) leaves this turn's writes out too.
   */
  get bufferedAmount(): number {
    const queued = this.#turn === turn ? this.#turnBytes : 0;
    return Math.max(0, this.socket.bufferedAmount - queued);
  }
}
