import type { Context, Hono } from "hono";
import type { UpgradeWebSocket, WSContext, WSEvents } from "hono/ws";
import type { Peer } from "../chat/peer.ts";

/** What a runtime gives the app for WebSockets. */
export type WebSocketSupport = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  upgradeWebSocket: UpgradeWebSocket<any>;
  /**
   * Wraps an open socket as a chat `Peer`, with the address `remoteAddress`
   * gave for its upgrade request (the request itself is not kept).
   */
  peer(ws: WSContext, remoteAddress: string): Peer;
  /** The client's address for logs and limits. */
  remoteAddress(c: Context): string;
  /**
   * Whether the socket layer itself closes connections (1009) on messages over
   * `maxPayload` before buffering them (ws does). If not, the app checks sizes.
   */
  enforcesMaxPayload: boolean;
};

/**
 * A connection's handlers, as hono's WSEvents plus the two calls a runtime
 * adapter may make instead of `onMessage` and `onClose` once the socket is
 * open (the Node adapter does, see runtime/node/websocket.ts): no event
 * object per message, and no hono WSContext kept per socket.
 */
export type DirectEvents = WSEvents & {
  /** A message: its text, or undefined for a binary one. */
  receive(text: string | undefined): void;
  /** The socket is closed. */
  closed(): void;
};

/** PEM certificate chain and private key, for https and wss. */
export type TlsFiles = { cert: string; key: string };

export type ServeOptions = {
  /** Serve https/wss with this certificate instead of http/ws. */
  tls?: TlsFiles;
  host: string;
  port: number;
  /** Largest inbound WebSocket message; larger ones close the socket with 1009. */
  maxPayload: number;
  /** The WebSocket heartbeat (`limits.heartbeatMs`), for runtimes that keep sockets alive themselves (Deno). */
  heartbeatMs?: number;
  /** HTTP limits against slow or oversized requests (runtimes apply what they can). */
  http?: {
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    maxHeaderBytes: number;
    /**
     * TCP connections one address may hold open at once (HTTP, WebSocket and
     * all), asked at each new connection; `exempt` addresses (trusted proxies)
     * are not counted. Only where the runtime sees connections (Node).
     */
    connectionsPerAddress?: { max: () => number; exempt: (address: string) => boolean };
  };
  /** Builds the app with this runtime's WebSocket support. */
  build(ws: WebSocketSupport): Hono;
};

/** A listening server. `close` stops accepting; open sockets are the hub's to close. */
export type Listener = {
  port: number;
  close(): Promise<void>;
  /** Uses a new certificate for new connections; absent where the runtime cannot (Deno). */
  reloadTls?(tls: TlsFiles): void;
};

/** Process-level numbers for /metrics, read from the runtime. */
export type ProcessStats = {
  runtime: string;
  version: string;
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  residentBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  startTimeSeconds: number;
};

/**
 * One accepted TCP (or TLS) connection of a line protocol (IRC), as the core
 * sees it: bytes out, its backlog, closing. Runtime adapters implement it.
 */
export type StreamSocket = {
  readonly remoteAddress: string;
  /** Bytes queued but not yet written to the network (this turn's batched writes excluded). */
  readonly bufferedAmount: number;
  /** Queues bytes; never throws on a closed socket. */
  write(bytes: Uint8Array): void;
  /** Writes out what is queued, then closes. */
  end(): void;
  /** Drops the connection at once. */
  destroy(): void;
};

/** What the core does with an accepted stream: the bytes that arrive, and its end. */
export type StreamEvents = {
  data(chunk: Uint8Array): void;
  closed(): void;
};

export type StreamServeOptions = {
  host: string;
  port: number;
  /** TLS with this certificate (the daemon's) instead of plain TCP. */
  tls?: TlsFiles;
  /** With `tls`: a connection whose handshake is not done by then is dropped before `accept` sees it. */
  handshakeTimeoutMs?: number;
  accept(socket: StreamSocket): StreamEvents;
};

/** One per runtime (Node, Deno): everything runtime-specific behind one call. */
export type ServerRuntime = {
  name: string;
  serve(options: ServeOptions): Promise<Listener>;
  /** A plain TCP (or TLS) listener for line protocols (the IRC gateway). */
  serveStream(options: StreamServeOptions): Promise<Listener>;
  /** The process's CPU and memory, for the default metrics. */
  processStats?(): ProcessStats;
};

/** Thrown by `serve` when the address is taken, so the daemon can say so plainly. */
export class AddressInUseError extends Error {
  override name = "AddressInUseError";
  constructor(
    host: string,
    readonly port: number,
  ) {
    super(`port ${port} is already in use on ${host}`);
  }
}
