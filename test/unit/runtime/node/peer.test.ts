import { PassThrough } from "node:stream";
import type { WebSocket } from "ws";
import { describe, expect, it, vi } from "vitest";
import { Encoded } from "../../../../src/message/codec.ts";
import { CLOSE_DRAIN_MS, NodePeer } from "../../../../src/runtime/node/peer.ts";

const nextTurn = () => new Promise((r) => setImmediate(r));

/** A NodePeer on a fake ws whose TCP socket records the text payloads written to it, one batch per uncork. */
function peer() {
  const socket = new PassThrough();
  const batches: string[][] = [];
  const events: string[] = [];
  (socket as unknown as { _writev: (c: Array<{ chunk: Buffer }>, cb: () => void) => void })._writev = (list, cb) => {
    batches.push(list.map(({ chunk }) => chunk.subarray(2).toString()));
    events.push("write");
    cb();
  };
  (socket as unknown as { _write: (c: Buffer, e: string, cb: () => void) => void })._write = (chunk, _e, cb) => {
    batches.push([chunk.subarray(2).toString()]);
    events.push("write");
    cb();
  };
  const ws = {
    readyState: 1,
    _socket: socket,
    on: vi.fn(),
    once: vi.fn(),
    close: vi.fn(function (this: { readyState: number }) {
      events.push("close");
      this.readyState = 2;
    }),
    terminate: vi.fn(() => void events.push("terminate")),
  };
  return { peer: new NodePeer(ws as unknown as WebSocket, "127.0.0.1"), batches, events };
}

describe("NodePeer.hold", () => {
  it("sends a held frame just before the next frame, in the same write", async () => {
    const { peer: p, batches } = peer();
    p.hold(new Encoded("mine"));
    await nextTurn();
    await nextTurn();
    expect(batches).toEqual([]);
    p.send(new Encoded("ack"));
    await nextTurn();
    await nextTurn();
    expect(batches).toEqual([["mine", "ack"]]);
  });

  it("keeps several held frames in order", async () => {
    const { peer: p, batches } = peer();
    p.hold(new Encoded("one"));
    p.hold(new Encoded("two"));
    p.send(new Encoded("three"));
    await nextTurn();
    await nextTurn();
    expect(batches.flat()).toEqual(["one", "two", "three"]);
  });

  it("writes held frames out before closing or terminating", async () => {
    for (const end of ["close", "terminate"] as const) {
      const { peer: p, batches, events } = peer();
      p.hold(new Encoded("mine"));
      if (end === "close") p.close(1000, "bye");
      else p.terminate();
      expect(events).toEqual(["write", end]);
      expect(batches.flat()).toEqual(["mine"]);
    }
  });
});

describe("NodePeer.close", () => {
  it("closes once: a second close while closing neither terminates nor sends another close", () => {
    vi.useFakeTimers();
    try {
      const { peer: p, events } = peer();
      p.close(1008, "rate limit abuse");
      p.close(1008, "rate limit abuse");
      expect(events).toEqual(["close"]);
      // A client that never answers the close frame is cut off after CLOSE_DRAIN_MS.
      vi.advanceTimersByTime(CLOSE_DRAIN_MS);
      expect(events).toEqual(["close", "terminate"]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("NodePeer on a real socket", () => {
  it("lets go of the socket's cached peer address, which the socket can still tell", async () => {
    const { createServer, connect } = await import("node:net");
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const accepted = new Promise<import("node:net").Socket>((r) => server.once("connection", r));
    const client = connect((server.address() as import("node:net").AddressInfo).port, "127.0.0.1");
    const socket = await accepted;
    try {
      expect(socket.remoteAddress).toBe("127.0.0.1");
      const cache = socket as unknown as { _peername?: unknown };
      expect(cache._peername).toBeDefined();
      const p = new NodePeer({ readyState: 1, _socket: socket, on: vi.fn() } as unknown as WebSocket, socket.remoteAddress!);
      expect(p.remoteAddress).toBe("127.0.0.1");
      expect(cache._peername).toBeUndefined();
      expect(socket.remoteAddress).toBe("127.0.0.1");
      expect(socket.remotePort).toBe(client.localPort);
    } finally {
      client.destroy();
      socket.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
