import type { Socket } from "node:net";
import * as ws from "ws";

// ws's ESM entry exports Sender by name; its type definitions do not declare it.
const { Sender } = ws as unknown as { Sender: { frame(data: Buffer, options: object): Buffer[] } };
import type { Encoded } from "../../message/codec.ts";

/**
 * The fan-out fast path on Node: a broadcast is framed once (header + payload
 * in one Buffer) and the same bytes are written to every recipient's TCP
 * socket, which is corked on its first write in a turn of the event loop and
 * uncorked once per turn, so a burst of messages costs one syscall per socket.
 * This relies on ws internals (`Sender.frame`, `ws._socket`): safe because
 * permessage-deflate is off, so ws itself writes whole frames synchronously and
 * never interleaves with ours. The ws version is pinned in package.json
 * (overrides) and the path is exercised by every integration test.
 */
let lastEncoded: Encoded | undefined;
let lastFrame: Buffer | undefined;

/** The complete unmasked text frame for `encoded`; consecutive calls for one broadcast reuse it. */
export function textFrame(encoded: Encoded): Buffer {
  if (encoded !== lastEncoded) {
    const payload = Buffer.from(encoded.bytes.buffer, encoded.bytes.byteOffset, encoded.bytes.byteLength);
    const parts = Sender.frame(payload, { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false });
    lastFrame = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    lastEncoded = encoded;
  }
  return lastFrame!;
}

const corked: Socket[] = [];
/** Bytes queued on each socket during this turn: not a sign of a slow reader, just not flushed yet. */
const turnBytes = new Map<Socket, number>();
let flushScheduled = false;

/** Writes `bytes` to the socket, batching all writes of this turn into one syscall. */
export function writeCorked(socket: Socket, bytes: Buffer): void {
  if (socket.writableCorked === 0) {
    socket.cork();
    corked.push(socket);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(uncorkAll);
    }
  }
  turnBytes.set(socket, (turnBytes.get(socket) ?? 0) + bytes.length);
  socket.write(bytes);
}

/** Bytes written to the socket this turn and still held by the cork. */
export function queuedThisTurn(socket: Socket): number {
  return turnBytes.get(socket) ?? 0;
}

function uncorkAll(): void {
  flushScheduled = false;
  const sockets = corked.splice(0);
  turnBytes.clear();
  for (const s of sockets) if (!s.destroyed) s.uncork();
}

/** Writes out whatever this turn queued on the socket now (before a close frame or a terminate). */
export function flushCorked(socket: Socket | undefined): void {
  while (socket && !socket.destroyed && socket.writableCorked > 0) socket.uncork();
  if (socket) turnBytes.delete(socket);
}
