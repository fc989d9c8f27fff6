import type { WebSocket } from "ws";
import type { Encoded } from "../../message/codec.ts";
import type { Peer } from "../../chat/peer.ts";

/**
 * A chat peer on a `ws` socket. Sends the shared encoded bytes as a text frame,
 * so a broadcast converts its JSON to UTF-8 once for all recipients.
 */
export class NodePeer implements Peer {
  #awaitingPong = false;

  constructor(
    private readonly ws: WebSocket,
    readonly remoteAddress: string,
  ) {
    ws.on("pong", () => {
      this.#awaitingPong = false;
    });
  }

  ping(): boolean {
    if (this.#awaitingPong) return false;
    if (this.ws.readyState === 1) {
      this.#awaitingPong = true;
      this.ws.ping();
    }
    return true;
  }

  terminate(): void {
    this.ws.terminate();
  }

  send(frame: Encoded): void {
    if (this.ws.readyState !== 1) return;
    this.ws.send(frame.bytes, { binary: false });
  }

  close(code: number, reason: string): void {
    const state = this.ws.readyState;
    if (state === 2) this.ws.terminate();
    else if (state === 0 || state === 1) this.ws.close(code, reason);
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }
}
