import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { unsentBytes, writeDirect } from "./direct-write.ts";
import { AddressInUseError, type Listener, type StreamServeOptions, type StreamSocket, type TlsFiles } from "../types.ts";

/** How long a closing stream may take to write out what is queued before it is dropped. */
const END_GRACE_MS = 3000;

/** Streams with lines queued this turn of the event loop (two arrays taking turns: no copy per flush). */
let queued: NodeStream[] = [];
let spare: NodeStream[] = [];
let flushScheduled = false;

/** The bytes last written, as a Buffer (see asBuffer). */
let lastBytes: Uint8Array | undefined;
let lastBuffer: Buffer | undefined;

/**
 * `bytes` as a Buffer over the same memory. socket.write wraps a Uint8Array
 * that is not a Buffer in a new Buffer at every call; a flush writes the same
 * lines (a presence batch, a message) to every member in a row, so one
 * wrapper serves them all.
 */
export function asBuffer(bytes: Uint8Array): Buffer {
  if (Buffer.isBuffer(bytes)) return bytes;
  if (bytes !== lastBytes) {
    lastBytes = bytes;
    lastBuffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return lastBuffer!;
}

function flushAll(): void {
  flushScheduled = false;
  const streams = queued;
  queued = spare;
  spare = streams;
  for (let i = 0; i < streams.length; i++) streams[i]!.flush();
  streams.length = 0;
}

/**
 * A TCP or TLS socket as the IRC core sees it. What a turn of the event loop
 * writes is queued here and written once when the turn ends (one syscall per
 * socket for a burst, as WebSocket fan-out does in framing.ts). Queued here
 * rather than under socket.cork(): a corked write costs a Buffer wrapper and a
 * queue entry per line, and a presence batch to a 1,000-member channel is
 * tens of thousands of lines in one turn, all alive until the uncork, so they
 * reached the old generation and RSS (issue 21).
 */
class NodeStream implements StreamSocket {
  readonly remoteAddress: string;
  /**
   * This turn's lines, shared with other recipients (the same bytes for every
   * member): not copied until the flush. The first alone, with no array, as a
   * presence batch to a big channel is one piece for each of its members.
   */
  #first: Uint8Array | undefined;
  #all: Uint8Array[] | undefined;
  #pendingBytes = 0;
  /** False while all that was flushed went to the kernel at once: nothing waits, and the socket need not be asked (once per delivery). */
  #mayLag = false;
  constructor(private readonly socket: Socket) {
    this.remoteAddress = socket.remoteAddress ?? "unknown";
  }

  /** What the kernel has not taken yet; this turn's lines are not a sign of a slow reader, just not written yet. */
  get bufferedAmount(): number {
    if (!this.#mayLag) return 0;
    const unsent = unsentBytes(this.socket);
    if (unsent === 0) this.#mayLag = false;
    return unsent;
  }

  /** Queued for the flush, which drops it if the socket has closed by then. */
  write(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    if (this.#all) this.#all.push(bytes);
    else if (this.#first) this.#all = [this.#first, bytes];
    else {
      this.#first = bytes;
      queued.push(this);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushAll);
      }
    }
    this.#pendingBytes += bytes.byteLength;
  }

  /** Writes this turn's lines in one go. */
  flush(): void {
    const first = this.#first;
    if (!first) return;
    const all = this.#all;
    const bytes = this.#pendingBytes;
    this.#first = this.#all = undefined;
    this.#pendingBytes = 0;
    const socket = this.socket;
    if (socket.destroyed || socket.writableEnded) return;
    const data = all ? Buffer.concat(all, bytes) : asBuffer(first);
    // Not lagging: every earlier flush went to the kernel at once, and nothing else writes to the socket.
    const direct = writeDirect(socket, data, !this.#mayLag);
    if (direct === "refused") socket.write(data);
    if (direct !== "sent") this.#mayLag = true;
  }

  end(): void {
    const socket = this.socket;
    if (socket.destroyed || socket.writableEnded) return;
    this.flush();
    socket.end();
    const timer = setTimeout(() => socket.destroy(), END_GRACE_MS);
    socket.once("close", () => clearTimeout(timer));
  }

  destroy(): void {
    this.flush();
    this.socket.destroy();
  }
}

function serverFor(options: StreamServeOptions, onSocket: (socket: Socket) => void): Server | TlsServer {
  const { tls, handshakeTimeoutMs } = options;
  // Node's own handshake timeout is 120 s: a socket that never says hello would hold a descriptor that long.
  return tls ? createTlsServer({ cert: tls.cert, key: tls.key, ...(handshakeTimeoutMs ? { handshakeTimeout: handshakeTimeoutMs } : {}) }, onSocket) : createTcpServer(onSocket);
}

/** Node.js: node:net (or node:tls) for line protocols. */
export async function serveNodeStream(options: StreamServeOptions): Promise<Listener> {
  const sockets = new Set<Socket>();
  const server = serverFor(options, (socket) => {
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
  // A TLS handshake that fails or times out never becomes a connection; Node leaves a timed-out socket open.
  server.on("tlsClientError", (_error, socket) => socket.destroy());
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
