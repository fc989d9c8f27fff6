import type { Socket } from "node:net";

/**
 * A write straight to a TCP socket's libuv handle, as net.Socket's own
 * `_writeGeneric` makes it, without the Writable stream's bookkeeping around
 * it (state updates, a callback through process.nextTick per write). A
 * fan-out is one write per recipient per message, and that bookkeeping was
 * about a fifth of a write's user CPU (docs/benchmarks.md, "IRC write path").
 * It uses Node internals (`socket._handle.writeBuffer`,
 * `process.binding("stream_wrap")`), so `writeDirect` answers "refused", and
 * the caller writes with socket.write, whenever they are missing or the stream
 * has anything of its own queued or in flight (its order must hold).
 * test/unit/runtime/node/direct-write.test.ts fails on a Node where the path
 * is gone or changed.
 */

type Handle = { writeBuffer(req: WriteReq, data: Buffer): number; writeQueueSize: number };
type WriteReq = { handle: Handle; oncomplete: (this: WriteReq, status: number) => void; async: boolean; socket: Socket; buffer?: Buffer };
type StreamWrap = { WriteWrap: new () => WriteReq; streamBaseState: Int32Array; kLastWriteWasAsync: number };

function loadStreamWrap(): StreamWrap | undefined {
  try {
    const binding = (process as unknown as { binding?: (name: string) => Partial<StreamWrap> }).binding?.("stream_wrap");
    if (typeof binding?.WriteWrap === "function" && binding.streamBaseState && typeof binding.kLastWriteWasAsync === "number") return binding as StreamWrap;
  } catch {
    // Not offered by this runtime: socket.write it is.
  }
  return undefined;
}

const streamWrap = loadStreamWrap();

/** True when this runtime offers the direct path (the unit test holds Node to it). */
export const directWrites = streamWrap !== undefined;

function handleOf(socket: Socket): Handle | undefined {
  const handle = (socket as unknown as { _handle?: Partial<Handle> | null })._handle;
  return handle && typeof handle.writeBuffer === "function" ? (handle as Handle) : undefined;
}

/** A write that finished later: a failed one ends the connection, as the stream would. */
function written(this: WriteReq, status: number): void {
  this.buffer = undefined;
  if (status < 0) this.socket.destroy();
}

/**
 * The write request of the last write that went to the kernel at once. Node
 * binds a request object to a write only when the write waits in libuv (see
 * StreamBase::Write: a write the kernel took whole returns before the request
 * is touched), so the one object serves every write until one waits: a new
 * object per delivery was garbage at 50,000 deliveries a second.
 */
let spareReq: WriteReq | undefined;

/** What `writeDirect` did: all in the kernel, the rest queued in libuv, or nothing (use socket.write). */
export type Direct = "sent" | "queued" | "refused";

/**
 * Writes `data` to the socket's handle when nothing else of the socket's is
 * queued, corked or in flight, and it is not ended (plain TCP only: TLS keeps state of its own).
 * `idle`: the caller vouches for the "nothing queued" part (its every earlier
 * write to this socket was "sent", and it writes to it only here), so the
 * socket is not asked: libuv's `writeQueueSize` is a call into C++, 2.5% of
 * chatd's CPU at 50 msg/s when asked once per delivery (docs/benchmarks.md).
 * A failed write destroys the socket (its close is what the core acts on).
 */
export function writeDirect(socket: Socket, data: Buffer, idle = false): Direct {
  if (!streamWrap || socket.writableEnded || socket.connecting || (socket as { encrypted?: boolean }).encrypted) return "refused";
  if (!idle && (socket.writableLength !== 0 || socket.writableCorked !== 0)) return "refused";
  const handle = handleOf(socket);
  if (!handle || (!idle && handle.writeQueueSize !== 0)) return "refused";
  const req = spareReq ?? new streamWrap.WriteWrap();
  req.handle = handle;
  req.oncomplete = written;
  req.async = false;
  req.socket = socket;
  spareReq = req;
  if (handle.writeBuffer(req, data) !== 0) {
    socket.destroy();
    return "sent";
  }
  if (!streamWrap.streamBaseState[streamWrap.kLastWriteWasAsync]) return "sent";
  // Not all of it went to the kernel at once: the rest waits in libuv's queue (writeQueueSize), and the bytes must live until then.
  // `req` now stands for that write (its oncomplete will run): the next write takes a new one.
  spareReq = undefined;
  req.async = true;
  req.buffer = data;
  return "queued";
}

/** What the kernel has not taken yet: the stream's own bytes, or a direct write's still in libuv's queue. */
export function unsentBytes(socket: Socket): number {
  const queued = socket.writableLength;
  const handle = handleOf(socket);
  return handle && handle.writeQueueSize > queued ? handle.writeQueueSize : queued;
}
