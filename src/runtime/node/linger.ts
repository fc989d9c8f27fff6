import type { Server } from "node:http";
import type { Socket } from "node:net";

/** How long a connection the server closes goes on reading what the client still sends. */
export const LINGER_MS = 2000;

/**
 * A lingering close, as nginx and Apache make: an answer that closes the
 * connection while the client is still sending its request body (a 413, a 401
 * to an upload) would otherwise close the socket with those bytes unread, and
 * the kernel answers them with a reset: most clients then report a failed
 * request instead of the answer they were sent. Instead the server ends its
 * side (FIN) and goes on reading, and dropping, what arrives until the client
 * closes too or LINGER_MS pass. Node calls `destroySoon` to close a socket
 * after an answer with `Connection: close`; a plain `destroy` is unchanged.
 */
export function lingerOnClose(server: Server, event: "connection" | "secureConnection"): void {
  server.on(event, (socket: Socket) => {
    (socket as Socket & { destroySoon: () => void }).destroySoon = function lingeringClose(this: Socket) {
      if (this.destroyed) return;
      const close = () => this.destroy();
      const timer = setTimeout(close, LINGER_MS);
      timer.unref?.();
      this.once("close", () => clearTimeout(timer));
      if (this.readableEnded && this.writableFinished) return close();
      this.once(this.readableEnded ? "finish" : "end", close);
      if (this.writable) this.end();
      // Whatever reads the socket (the HTTP parser, dropping the body) keeps it flowing.
      this.resume();
    };
  });
}
