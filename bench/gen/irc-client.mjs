/**
 * A bare IRC client on a raw TCP socket, shaped like RawWs (ws-client.mjs) so
 * the generator drives it the same way: every CRLF-terminated line is handed
 * to `onFrame(conn, 1, buf, start, end)` without copying, `sendText` writes one
 * line, `sendTexts` several in one write. The server's PING is answered here.
 */
import net from "node:net";

const SHARED = Buffer.allocUnsafe(256 * 1024);
const PING = Buffer.from("PING ");
const LF = 0x0a;

export class IrcLines {
  constructor({ host, port, onOpen, onFrame, onClose }) {
    this.open = false;
    this.closed = false;
    this.rest = null;
    this.onFrame = onFrame;
    this.onClose = onClose;
    const sock = (this.sock = net.connect({ host, port, onread: { buffer: SHARED, callback: (n, buf) => this.parse(buf.subarray(0, n)) } }));
    sock.setNoDelay(true);
    sock.on("connect", () => {
      this.open = true;
      onOpen(this);
    });
    sock.on("error", (error) => this.finish(error));
    sock.on("close", () => this.finish());
  }

  parse(chunk) {
    let buf = chunk;
    if (this.rest !== null) {
      buf = Buffer.concat([this.rest, chunk]);
      this.rest = null;
    }
    let off = 0;
    for (;;) {
      const nl = buf.indexOf(LF, off);
      if (nl < 0) break;
      const end = nl > off && buf[nl - 1] === 0x0d ? nl - 1 : nl;
      if (end - off >= 5 && buf.compare(PING, 0, 5, off, off + 5) === 0) this.sock.write(`PONG ${buf.toString("utf8", off + 5, end)}\r\n`);
      else this.onFrame(this, 1, buf, off, end);
      off = nl + 1;
      if (this.closed) return;
    }
    if (off < buf.length) this.rest = Buffer.from(buf.subarray(off)); // a copy: `buf` may be the shared read buffer
  }

  sendText(line) {
    if (!this.closed) this.sock.write(`${line}\r\n`);
  }

  sendTexts(lines) {
    if (!this.closed) this.sock.write(`${lines.join("\r\n")}\r\n`);
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
