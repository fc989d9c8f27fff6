import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { AddressInUseError, type Listener, type StreamServeOptions, type StreamSocket, type TlsFiles } from "../types.ts";
import { flushCorked, queuedThisTurn, writeCorked } from "./framing.ts";

/** How long a closing stream may take to write out what is queued before it is dropped. */
const END_GRACE_MS = 3000;

/**
 * A TCP or TLS socket as the IRC core sees it. Writes take the same path as
 * WebSocket fan-out (framing.ts): corked on the first write of a turn,
 * uncorked once per turn, so a burst costs one syscall per socket.
 */
class NodeStream implements StreamSocket {
  readonly remoteAddress: string;
  constructor(private readonly socket: Socket) {
    this.remoteAddress = socket.remoteAddress ?? "unknown";
  }

  get bufferedAmount(): number {
    return this.socket.writableLength - queuedThisTurn(this.socket);
  }

  write(bytes: Uint8Array): void {
    const socket = this.socket;
    if (socket.destroyed || socket.writableEnded) return;
    writeCorked(socket, bytes as Buffer);
  }

  end(): void {
    const socket = this.socket;
    if (socket.destroyed || socket.writableEnded) return;
    flushCorked(socket);
    socket.end();
    const timer = setTimeout(() => socket.destroy(), END_GRACE_MS);
    socket.once("close", () => clearTimeout(timer));
  }

  destroy(): void {
    flushCorked(this.socket);
    this.socket.destroy();
  }
}

function serverFor(tls: TlsFiles | undefined, onSocket: (socket: Socket) => void): Server | TlsServer {
  return tls ? createTlsServer({ cert: tls.cert, key: tls.key }, onSocket) : createTcpServer(onSocket);
}

/** Node.js: node:net (or node:tls) for line protocols. */
export async function serveNodeStream(options: StreamServeOptions): Promise<Listener> {
  const sockets = new Set<Socket>();
  const server = serverFor(options.tls, (socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const events = options.accept(new NodeStream(socket));
    socket.on("data", (chunk: Buffer) => {
      try {
        events.data(chunk);
      } catch (error) {
        console.error(error);
        socket.destroy();
      }
    });
    // A reset is followed by close; close is what the core acts on.
    socket.on("error", () => {});
    socket.on("close", () => {
      sockets.delete(socket);
      events.closed();
    });
  });
  // A TLS handshake that fails never becomes a connection.
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(error.code === "EADDRINUSE" ? new AddressInUseError(options.host, options.port) : error);
    };
    server.once("error", onError);
    server.listen(options.port, options.host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    ...(options.tls ? { reloadTls: (tls: TlsFiles) => (server as TlsServer).setSecureContext({ cert: tls.cert, key: tls.key }) } : {}),
    close: () =>
      new Promise<void>((resolve) => {
        // Open connections are the hub's to close (with an ERROR line); what is left after the grace is dropped.
        const deadline = setTimeout(() => {
          for (const s of sockets) s.destroy();
        }, END_GRACE_MS);
        server.close(() => {
          clearTimeout(deadline);
          resolve();
        });
      }),
  };
}
