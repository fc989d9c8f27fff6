import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Hono } from "hono";
import type { WebSocket } from "ws";
import { AddressInUseError, type Listener, type ServeOptions, type ServerRuntime } from "../types.ts";
import { NodePeer } from "./peer.ts";
import { nodeProcessStats } from "./stats.ts";
import { lingerOnClose } from "./linger.ts";
import { createNodeServer, reloadNodeTls } from "./tls.ts";
import { nodeWebSockets } from "./websocket.ts";
import { serveNodeStream } from "./stream.ts";
import { capConnectionsPerAddress } from "./per-address.ts";

/** How long requests in flight may take to finish once the listener closes. */
const HTTP_CLOSE_GRACE_MS = 1000;

/** Node.js: @hono/node-server for HTTP, @hono/node-ws (ws; see websocket.ts) for WebSockets. */
export const nodeRuntime: ServerRuntime = {
  name: "node",
  processStats: nodeProcessStats,
  serveStream: serveNodeStream,
  async serve(options: ServeOptions): Promise<Listener> {
    let app: Hono | undefined;
    // The app is only asked at upgrade time, so it can be built after this.
    const nodeWs = nodeWebSockets(() => app!, options.maxPayload);
    app = options.build({
      upgradeWebSocket: nodeWs.upgradeWebSocket,
      peer: (ws, address) => {
        // node-ws parsed the upgrade URL into the context it keeps for the socket's life; nothing reads it.
        ws.url = null;
        return new NodePeer(ws.raw as WebSocket, address);
      },
      remoteAddress: (c) => remoteAddress(c.env),
      enforcesMaxPayload: true,
    });
    const http = options.http;
    // Oversized request heads (thousands of headers, a huge Sec-WebSocket-Protocol) get 431 from Node's parser.
    const server = createNodeServer(app, options.tls, http ? { maxHeaderSize: http.maxHeaderBytes, ...slowlorisOptions(http) } : {});
    if (http) {
      server.headersTimeout = http.headersTimeoutMs;
      server.requestTimeout = Math.max(http.requestTimeoutMs, http.headersTimeoutMs);
      if (http.connectionsPerAddress) capConnectionsPerAddress(server, http.connectionsPerAddress);
    }
    lingerOnClose(server, options.tls ? "secureConnection" : "connection");
    nodeWs.injectWebSocket(server);
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        server.off("listening", onListening);
        reject(error.code === "EADDRINUSE" ? new AddressInUseError(options.host, options.port) : error);
      };
      const onListening = () => {
        server.off("error", onError);
        resolve();
      };
      server.once("error", onError);
      server.once("listening", onListening);
      server.listen(options.port, options.host);
    });
    return {
      port: (server.address() as AddressInfo).port,
      ...(options.tls ? { reloadTls: (tls) => reloadNodeTls(server, tls) } : {}),
      close: () =>
        new Promise<void>((resolve) => {
          // Stop accepting, but let requests in flight finish: the 202 of the
          // POST /admin/stop or /admin/restart that got us here is one of them.
          // Connections are dropped as soon as they are idle, and all of them
          // after a grace period.
          const sweep = setInterval(() => server.closeIdleConnections(), 10);
          const deadline = setTimeout(() => {
            clearInterval(sweep);
            server.closeAllConnections();
          }, HTTP_CLOSE_GRACE_MS);
          server.close(() => {
            clearInterval(sweep);
            clearTimeout(deadline);
            resolve();
          });
        }),
    };
  },
};

/** Node checks the timeouts on a timer (30 s by default); check often enough to honour short ones. */
/** A TLS handshake comes before the request head, so it gets the head's time too, not Node's 120 s. */
function slowlorisOptions(http: { headersTimeoutMs: number }) {
  return {
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(http.headersTimeoutMs / 4))),
    handshakeTimeout: http.headersTimeoutMs,
  };
}

function remoteAddress(env: unknown): string {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? "unknown";
}
