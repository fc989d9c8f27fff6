/// <reference lib="deno.ns" />
import { AddressInUseError, type Listener, type StreamServeOptions, type StreamSocket } from "../types.ts";

/** How long a closing stream may take to write out what is queued before it is dropped. */
const END_GRACE_MS = 3000;

/**
 * A Deno TCP or TLS connection as the IRC core sees it. Deno's writes are
 * promises: what is written in one turn is joined and written by one loop,
 * and counted as buffered until written.
 */
class DenoStream implements StreamSocket {
  #queue: Uint8Array[] = [];
  #queued = 0;
  #writing = false;
  #ending = false;
  #closed = false;

  constructor(
    private readonly conn: Deno.Conn,
    readonly remoteAddress: string,
  ) {}

  get bufferedAmount(): number {
    return this.#queued;
  }

  write(bytes: Uint8Array): void {
    if (this.#closed || this.#ending) return;
    this.#queue.push(bytes);
    this.#queued += bytes.byteLength;
    if (!this.#writing) void this.#flush();
  }

  async #flush(): Promise<void> {
    this.#writing = true;
    // After this turn: everything written in it goes out in one write.
    await new Promise((r) => setTimeout(r, 0));
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const chunks = this.#queue;
        this.#queue = [];
        const total = chunks.reduce((n, c) => n + c.byteLength, 0);
        const joined = chunks.length === 1 ? chunks[0]! : new Uint8Array(total);
        if (chunks.length > 1) {
          let at = 0;
          for (const c of chunks) joined.set(c, (at += c.byteLength) - c.byteLength);
        }
        for (let at = 0; at < joined.byteLength; ) at += await this.conn.write(joined.subarray(at));
        this.#queued -= total;
      }
    } catch {
      this.destroy();
    }
    this.#writing = false;
    if (this.#ending) this.destroy();
  }

  end(): void {
    if (this.#closed || this.#ending) return;
    this.#ending = true;
    if (!this.#writing) this.destroy();
    else setTimeout(() => this.destroy(), END_GRACE_MS);
  }

  destroy(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }
}

async function readLoop(conn: Deno.Conn, events: ReturnType<StreamServeOptions["accept"]>): Promise<void> {
  const buffer = new Uint8Array(16 * 1024);
  try {
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      events.data(buffer.slice(0, n));
    }
  } catch {
    // A reset or a close from our side ends the loop.
  }
  try {
    conn.close();
  } catch {
    // Already closed.
  }
  events.closed();
}

/**
 * Deno accepts a TLS connection before its handshake (done at the first read):
 * finished here first, within the timeout, so a socket that never says hello
 * is closed and is never a connection (counted per address), as on Node.
 */
async function handshaken(conn: Deno.TlsConn, timeoutMs: number | undefined): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<false>((resolve) => {
    if (timeoutMs) timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const done = await Promise.race([conn.handshake().then(() => true, () => false), timedOut]);
  clearTimeout(timer);
  if (!done) {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
  return done;
}

/** Deno 2: Deno.listen (or Deno.listenTls) for line protocols. */
export async function serveDenoStream(options: StreamServeOptions): Promise<Listener> {
  let listener: Deno.Listener;
  try {
    listener = options.tls
      ? Deno.listenTls({ hostname: options.host, port: options.port, cert: options.tls.cert, key: options.tls.key })
      : Deno.listen({ hostname: options.host, port: options.port });
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) throw new AddressInUseError(options.host, options.port);
    throw error;
  }
  const conns = new Set<Deno.Conn>();
  void (async () => {
    try {
      for await (const conn of listener) {
        conns.add(conn);
        void (async () => {
          if (options.tls && !(await handshaken(conn as Deno.TlsConn, options.handshakeTimeoutMs))) return void conns.delete(conn);
          const address = (conn.remoteAddr as Deno.NetAddr).hostname ?? "unknown";
          const events = options.accept(new DenoStream(conn, address));
          await readLoop(conn, events).finally(() => conns.delete(conn));
        })();
      }
    } catch {
      // The listener was closed.
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      try {
        listener.close();
      } catch {
        // Already closed.
      }
      const deadline = Date.now() + END_GRACE_MS;
      while (conns.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // Already closed.
        }
      }
    },
  };
}
