import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import { flushCorked, piecesFrame, queuedThisTurn, textFrame, writeCorked } from "./framing.ts";
import type { Encoded } from "../../message/codec.ts";
import type { Peer } from "../../chat/peer.ts";

/** How long a closing connection may take to answer the close frame before it is dropped. */
export const CLOSE_DRAIN_MS = 3000;

/** Sockets pinged and not answered yet: one shared pong listener instead of a closure per socket. */
const awaitingPong = new WeakSet<WebSocket>();

function answered(this: WebSocket): void {
  awaitingPong.delete(this);
}

/**
 * A chat peer on a `ws` socket. Sends the shared encoded bytes as a text frame,
 * so a broadcast converts its JSON to UTF-8 once for all recipients.
 */
export class NodePeer implements Peer {
  /** ws attaches its TCP socket before the connection is handed to us; kept to skip a property walk per send. */
  readonly #raw: Socket | undefined;

  constructor(
    private readonly ws: WebSocket,
    readonly remoteAddress: string,
  ) {
    this.#raw = this.#socket();
    // Node caches the address it was read from ({ address, family, port }) on the
    // socket for the socket's life; the peer keeps the one string it needs, and
    // `remoteAddress` asks the socket again if anyone reads it later.
    const cached = this.#raw as { _peername?: unknown } | undefined;
    if (cached?._peername) cached._peername = undefined;
  }

  ping(): boolean {
    if (awaitingPong.has(this.ws)) return false;
    if (this.ws.readyState === 1) {
      // Listened for from the first ping, not at open: @hono/node-ws removes its
      // open-time listener right after the open handler, and a removal that leaves
      // another listener deletes a key of the socket's `_events`, which V8 then
      // keeps as a dictionary (about 250 bytes more per connection).
      if (!this.#pongs) {
        this.#pongs = true;
        this.ws.on("pong", answered);
      }
      awaitingPong.add(this.ws);
      this.ws.ping();
    }
    return true;
  }

  #pongs = false;

  terminate(): void {
    if (this.#held) this.#sendHeld();
    flushCorked(this.#socket());
    this.ws.terminate();
  }

  /** Frames waiting for the next send (see Peer.hold). */
  #held: Encoded[] | undefined;

  hold(frame: Encoded): void {
    if (this.ws.readyState !== 1) return;
    if (this.#held) this.#held.push(frame);
    else this.#held = [frame];
  }

  #sendHeld(): void {
    const held = this.#held!;
    this.#held = undefined;
    for (const frame of held) this.send(frame);
  }

  send(frame: Encoded): void {
    // The hot path of every delivery: one readyState read, then straight to the socket.
    if (this.#held) this.#sendHeld();
    if (this.ws.readyState !== 1) return;
    const socket = this.#raw ?? this.#socket();
    if (!socket || socket.destroyed) return;
    if (frame.pieces) for (const bytes of piecesFrame(frame.pieces)) writeCorked(socket, bytes);
    else writeCorked(socket, textFrame(frame));
  }

  close(code: number, reason: string): void {
    // Held frames, then those queued this turn, go out before the close frame, and are not lost to a terminate.
    if (this.#held) this.#sendHeld();
    flushCorked(this.#socket());
    const state = this.ws.readyState;
    if (state !== 0 && state !== 1) return;
    this.ws.close(code, reason);
    // Until the client answers the close, what it still sends is read and dropped
    // (see `received` in websocket.ts): a socket destroyed with unread input sends
    // a reset, and a reset makes the client's system throw away what it had not
    // read yet, our last answers and the close frame with them (the client saw
    // 1006). A client that never answers is cut off after CLOSE_DRAIN_MS.
    const ws = this.ws;
    const timer = setTimeout(() => ws.terminate(), CLOSE_DRAIN_MS);
    ws.once("close", () => clearTimeout(timer));
  }

  #socket(): Socket | undefined {
    return (this.ws as unknown as { _socket?: Socket })._socket;
  }

  get bufferedAmount(): number {
    // Read per delivery: the socket's own count (permessage-deflate is off, so ws queues nothing of its own).
    const socket = this.#raw;
    return socket ? socket.writableLength - queuedThisTurn(socket) : this.ws.bufferedAmount;
  }
}
