import type { Socket } from "node:net";
import type { Encoded } from "../../message/codec.ts";

/**
 * The fan-out fast path on Node: a broadcast is framed once (header + payload
 * in one Buffer) and the same bytes are written to every recipient's TCP
 * socket, which is corked on its first write in a turn of the event loop and
 * uncorked once per turn, so a burst of messages costs one syscall per socket.
 * This relies on a ws internal (`ws._socket`), and frames as ws's `Sender.frame`
 * does (a unit test holds it to that): safe because permessage-deflate is off,
 * so ws itself writes whole frames synchronously and never interleaves with ours. The ws version is pinned in package.json
 * (overrides) and the path is exercised by every integration test.
 */
let lastEncoded: Encoded | undefined;
let lastFrame: Buffer | undefined;

/** The complete unmasked text frame for `encoded`; consecutive calls for one broadcast reuse it. */
export function textFrame(encoded: Encoded): Buffer {
  if (encoded !== lastEncoded) {
    lastFrame = frameText(encoded.text);
    lastEncoded = encoded;
  }
  return lastFrame!;
}

/**
 * The frame of an Encoded made in pieces (a paced history page): its header,
 * then the pieces themselves, not copied (written in one turn, one after
 * another, so nothing comes between them).
 */
export function piecesFrame(pieces: readonly Uint8Array[]): Buffer[] {
  const length = pieces.reduce((n, p) => n + p.byteLength, 0);
  return [frameHeader(length), ...pieces.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))];
}

function frameHeader(length: number): Buffer {
  const head = Buffer.allocUnsafe(headerLength(length));
  writeHeader(head, length);
  return head;
}

const headerLength = (length: number) => (length < 126 ? 2 : length < 65536 ? 4 : 10);

/** A text frame's header (FIN, opcode 1, no mask) for a payload of `length` bytes, at the start of `frame`. */
function writeHeader(frame: Buffer, length: number): void {
  frame[0] = 0x81;
  if (length < 126) frame[1] = length;
  else if (length < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
}

/**
 * What ws's `Sender.frame` makes of the text's UTF-8 bytes (FIN, opcode 1, no
 * mask, no rsv1), in one buffer: the text is encoded straight after the header,
 * with no intermediate byte array, header buffer or concatenation. Most frames
 * go to one socket (acks, the sender's copy), so this runs once per say or two.
 */
export function frameText(text: string): Buffer {
  const length = Buffer.byteLength(text, "utf8");
  const head = headerLength(length);
  const frame = Buffer.allocUnsafe(head + length);
  writeHeader(frame, length);
  frame.write(text, head, length, "utf8");
  return frame;
}

const corked: Socket[] = [];
let flushScheduled = false;
/** Bumped at every flush: a socket's byte count from an older turn reads as zero, with nothing to clear. */
let turn = 1;

// Per-socket counters live on the socket itself: a Map lookup per delivery cost more than the write call.
const TURN = Symbol("chatd.turn");
const QUEUED = Symbol("chatd.queued");
type Counted = Socket & { [TURN]: number; [QUEUED]: number };

/** Writes `bytes` to the socket, batching all writes of this turn into one syscall. */
export function writeCorked(socket: Socket, bytes: Buffer): void {
  const s = socket as Counted;
  if (s[TURN] !== turn) {
    s[TURN] = turn;
    s[QUEUED] = 0;
  }
  if (socket.writableCorked === 0) {
    socket.cork();
    corked.push(socket);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(uncorkAll);
    }
  }
  s[QUEUED] += bytes.length;
  socket.write(bytes);
}

/** Bytes written to the socket this turn and still held by the cork: not a sign of a slow reader, just not flushed yet. */
export function queuedThisTurn(socket: Socket): number {
  const s = socket as Counted;
  return s[TURN] === turn ? s[QUEUED] : 0;
}

function uncorkAll(): void {
  flushScheduled = false;
  turn += 1;
  const sockets = corked.splice(0);
  for (const s of sockets) if (!s.destroyed) s.uncork();
}

/** Writes out whatever this turn queued on the socket now (before a close frame or a terminate). */
export function flushCorked(socket: Socket | undefined): void {
  while (socket && !socket.destroyed && socket.writableCorked > 0) socket.uncork();
  if (socket) (socket as Counted)[QUEUED] = 0;
}
