/**
 * What the bench's raw TCP clients (ws-client.mjs, irc-client.mjs) share: the
 * socket read through `onread` into one shared buffer (no Buffer allocated per
 * read, no 'data' event), the partial message left at the end of a read, and
 * closing once. A subclass parses what `onRead(chunk)` gets and sets `open`.
 */
import net from "node:net";

const SHARED = Buffer.allocUnsafe(256 * 1024);

export class RawSocket {
  /** `onOpen(conn)` once the protocol's handshake is done; `onFrame(conn, opcode, buf, start, end)` per message; `onClose(conn, error)` once. */
  constructor({ host, port, onOpen, onFrame, onClose }) {
    this.open = false;
    this.closed = false;
    this.rest = null;
    this.onOpen = onOpen;
    this.onFrame = onFrame;
    this.onClose = onClose;
    // Messages are handled before the next read, so only a partial one left at the end needs copying (keepRest).
    const sock = (this.sock = net.connect({ host, port, onread: { buffer: SHARED, callback: (n, buf) => this.onRead(buf.subarray(0, n)) } }));
    sock.setNoDelay(true);
    sock.on("error", (error) => this.finish(error));
    sock.on("close", () => this.finish());
  }

  /** The bytes read, behind what the last read left unparsed. */
  withRest(chunk) {
    if (this.rest === null) return chunk;
    const buf = Buffer.concat([this.rest, chunk]);
    this.rest = null;
    return buf;
  }

  /** Keeps what is left of `buf` from `off` for the next read. */
  keepRest(buf, off) {
    if (off < buf.length) this.rest = Buffer.from(buf.subarray(off)); // a copy: `buf` may be the shared read buffer
  }

  destroy() {
    this.sock.destroy();
  }

  finish(error) {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this, error);
  }
}
