import type { Encoded } from "../message/codec.ts";

/**
 * One client connection as the chat core sees it. Runtime adapters (Node's ws,
 * Deno's WebSocket) implement it; the core never touches a socket directly.
 */
export interface Peer {
  /** Queues an already-encoded text frame. Must not throw on a closed socket. */
  send(frame: Encoded): void;
  /**
   * Like `send`, but the frame may wait until the next `send`, `close` or
   * `terminate` on this peer, and then goes out just before it (so frames keep
   * their order). The sender's own copy of a message waits like this for its
   * `ack`, and both leave in one write. Runtimes without it send at once.
   */
  hold?(frame: Encoded): void;
  /**
   * A room's presence changes batched together (Hub.flushPresence), every one
   * for this member, in order: what `send` of each would do. A peer that
   * renders frames its own way (IRC) renders the batch once for every member
   * with the same options, instead of a piece per change per member. Runtimes
   * without it get one `send` per frame.
   */
  sendBatch?(frames: readonly Encoded[]): void;
  /**
   * False for a client that never resumes with a token (IRC): its password
   * sign-ins issue none, so they write nothing to the user store (a web
   * sign-in writes its token's hash, and a close of an IRC connection had to
   * revoke it again). Undefined means true.
   */
  readonly resumes?: boolean;
  /** Closes with a WebSocket close code; safe to call twice. */
  close(code: number, reason: string): void;
  /** Bytes queued but not yet written to the network. */
  readonly bufferedAmount: number;
  readonly remoteAddress: string;
  /**
   * Sends a protocol-level ping; false if the previous one was never answered
   * (the peer is dead). Runtimes that keep connections alive themselves omit it.
   */
  ping?(): boolean;
  /** Drops the connection at once, without a closing handshake. */
  terminate?(): void;
  /** Why the client said it was leaving (IRC's QUIT message): the rooms' `presence` leave carries it. */
  readonly quitReason?: string | undefined;
  /** The connection's away message (IRC AWAY), kept with the user's presence on every node. */
  readonly away?: string | undefined;
  /** The connection is an IRC operator (it OPERed), kept with the user's presence on every node. */
  readonly oper?: boolean;
  /** Another member of a shared room set (`text`) or cleared an away message: IRC's away-notify. Others omit it. */
  awayChanged?(user: string, text: string | undefined): void;
}
