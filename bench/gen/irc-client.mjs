/**
 * A bare IRC client on a raw TCP socket, shaped like RawWs (ws-client.mjs) so
 * the generator drives it the same way: every CRLF-terminated line is handed
 * to `onFrame(conn, 1, buf, start, end)` without copying, `sendText` writes one
 * line, `sendTexts` several in one write. The server's PING is answered here.
 */
import { RawSocket } from "./raw-socket.mjs";

const PING = Buffer.from("PING ");
const LF = 0x0a;

export class IrcLines extends RawSocket {
  constructor(options) {
    super(options);
    this.sock.on("connect", () => {
      this.open = true;
      this.onOpen(this);
    });
  }

  /** Each complete line of what was read (see RawSocket). */
  onRead(chunk) {
    const buf = this.withRest(chunk);
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
    this.keepRest(buf, off);
  }

  sendText(line) {
    if (!this.closed) this.sock.write(`${line}\r\n`);
  }

  sendTexts(lines) {
    if (!this.closed) this.sock.write(`${lines.join("\r\n")}\r\n`);
  }
}
