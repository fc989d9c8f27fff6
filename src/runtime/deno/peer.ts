import type { Encoded } from "../../message/codec.ts";
import type { Peer } from "../../chat/peer.ts";

/** A chat peer on a Deno (WHATWG) WebSocket. Text frames must be sent as strings. */
export class DenoPeer implements Peer {
  constructor(
    private readonly socket: WebSocket,
    readonly remoteAddress: string,
  ) {}

  send(frame: Encoded): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(frame.text);
  }

  close(code: number, reason: string): void {
    const state = this.socket.readyState;
    if (state === WebSocket.CONNECTING || state === WebSocket.OPEN) this.socket.close(code, reason);
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }
}
