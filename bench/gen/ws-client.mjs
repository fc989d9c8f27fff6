/**
 * A bare WebSocket client on a raw TCP socket: the HTTP upgrade by hand and a
 * minimal frame parser that hands each complete frame's payload range to a
 * callback without copying. Client frames use the all-zero mask key, so the
 * payload goes out unmasked-as-is (valid per RFC 6455; servers just XOR with 0).
 */
import { RawSocket } from "./raw-socket.mjs";

const KEY = "YmVuY2gtY2hhdGQtMTIzNA=="; // any 16 bytes, base64

/** A masked text frame (mask key 0000) holding `text`. */
export function textFrame(text) {
  const len = Buffer.byteLength(text);
  const head = len < 126 ? 6 : len < 65536 ? 8 : 14;
  const buf = Buffer.allocUnsafe(head + len);
  buf[0] = 0x81;
  if (len < 126) buf[1] = 0x80 | len;
  else if (len < 65536) {
    buf[1] = 0x80 | 126;
    buf.writeUInt16BE(len, 2);
  } else {
    buf[1] = 0x80 | 127;
    buf.writeBigUInt64BE(BigInt(len), 2);
  }
  buf.writeUInt32BE(0, head - 4);
  buf.write(text, head, "utf8");
  return buf;
}

function controlFrame(opcode, payload) {
  const buf = Buffer.alloc(6 + payload.length);
  buf[0] = 0x80 | opcode;
  buf[1] = 0x80 | payload.length;
  payload.copy(buf, 6);
  return buf;
}

/**
 * One connection. `onFrame(conn, opcode, buf, start, end)` sees every complete
 * frame; `onOpen(conn)` runs after the 101; `onClose(conn, error)` once.
 */
export class RawWs extends RawSocket {
  constructor(options) {
    super(options);
    const { host, port, path } = options;
    this.sock.on("connect", () => {
      this.sock.write(
        `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
  }

  onRead(chunk) {
    if (this.open) this.parse(chunk);
    else this.upgrade(chunk);
  }

  upgrade(chunk) {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    const end = buf.indexOf("\r\n\r\n");
    if (end < 0) {
      this.rest = Buffer.from(buf);
      return;
    }
    this.rest = null;
    const status = buf.toString("latin1", 0, buf.indexOf("\r\n"));
    if (!/^HTTP\/1\.1 101/.test(status)) {
      this.finish(new Error(`upgrade refused: ${status}`));
      this.sock.destroy();
      return;
    }
    this.open = true;
    this.onOpen(this);
    if (end + 4 < buf.length) this.parse(buf.subarray(end + 4));
  }

  parse(chunk) {
    const buf = this.withRest(chunk);
    const n = buf.length;
    let off = 0;
    while (off + 2 <= n) {
      let len = buf[off + 1] & 0x7f;
      let head = 2;
      if (len === 126) {
        if (off + 4 > n) break;
        len = buf.readUInt16BE(off + 2);
        head = 4;
      } else if (len === 127) {
        if (off + 10 > n) break;
        len = buf.readUInt32BE(off + 6);
        head = 10;
      }
      const start = off + head;
      const end = start + len;
      if (end > n) break;
      const opcode = buf[off] & 0x0f;
      off = end;
      if (opcode === 9) this.sock.write(controlFrame(10, buf.subarray(start, end)));
      else if (opcode === 8) this.sock.end();
      else this.onFrame(this, opcode, buf, start, end);
      if (this.closed) return;
    }
    this.keepRest(buf, off);
  }

  sendText(text) {
    if (!this.closed) this.sock.write(textFrame(text));
  }

  /** Sends several text frames in one write. */
  sendTexts(texts) {
    if (!this.closed) this.sock.write(texts.length === 1 ? textFrame(texts[0]) : Buffer.concat(texts.map(textFrame)));
  }
}
