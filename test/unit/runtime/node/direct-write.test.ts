import { once } from "node:events";
import { createServer, connect, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { directWrites, unsentBytes, writeDirect } from "../../../../src/runtime/node/direct-write.ts";

// The IRC fan-out's write path (src/runtime/node/direct-write.ts) relies on Node internals:
// these tests fail on a Node that takes them away or changes what they do.

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

/** A connected pair: the server's end (written to) and the client's (read from). */
async function pair(): Promise<{ out: Socket; reader: Socket }> {
  const accepted = new Promise<Socket>((resolve) => {
    server = createServer((s) => resolve(s));
  });
  server!.listen(0, "127.0.0.1");
  await once(server!, "listening");
  const reader = connect((server!.address() as { port: number }).port, "127.0.0.1");
  const out = await accepted;
  sockets.push(out, reader);
  return { out, reader };
}

function collect(reader: Socket): { bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  reader.on("data", (c: Buffer) => chunks.push(c));
  return { bytes: () => Buffer.concat(chunks) };
}

describe("writeDirect (Node's TCP handle, without the Writable's bookkeeping)", () => {
  it("is offered by this Node", () => {
    expect(directWrites).toBe(true);
  });

  it("sends what it is given, at once when the kernel takes it all", async () => {
    const { out, reader } = await pair();
    const got = collect(reader);
    expect(writeDirect(out, Buffer.from("PING :a\r\n"))).toBe("sent");
    expect(unsentBytes(out)).toBe(0);
    await expect.poll(() => got.bytes().toString()).toBe("PING :a\r\n");
  });

  it("keeps the order with socket.write when the reader is slow: refused while its own bytes wait, counted as unsent", async () => {
    const { out, reader } = await pair();
    reader.pause();
    const big = Buffer.alloc(32 * 1024 * 1024, "a");
    expect(writeDirect(out, big)).toBe("queued");
    expect(unsentBytes(out)).toBeGreaterThan(0);
    // libuv still holds some of `big`: a direct write now would not keep its place.
    expect(writeDirect(out, Buffer.from("b"))).toBe("refused");
    out.write(Buffer.from("bc"));
    expect(writeDirect(out, Buffer.from("d"))).toBe("refused");
    const got = collect(reader);
    reader.resume();
    await expect.poll(() => got.bytes().length, { timeout: 10_000 }).toBe(big.length + 2);
    expect(got.bytes().subarray(big.length).toString()).toBe("bc");
    await expect.poll(() => unsentBytes(out)).toBe(0);
    expect(writeDirect(out, Buffer.from("e"))).toBe("sent");
    await expect.poll(() => got.bytes().length).toBe(big.length + 3);
  });

  it("destroys the socket when a write finds the peer gone (its close is what the core acts on)", async () => {
    const { out, reader } = await pair();
    out.on("error", () => {});
    reader.on("error", () => {});
    // Not reading (pause() would still read up to the high-water mark): only a write can find out about the reset.
    (out as unknown as { _handle: { readStop(): void } })._handle.readStop();
    const closed = once(out, "close");
    reader.resetAndDestroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(out.destroyed).toBe(false);
    for (let i = 0; i < 10 && !out.destroyed; i++) {
      writeDirect(out, Buffer.alloc(64 * 1024, "x"));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await closed;
    expect(out.destroyed).toBe(true);
  });

  it("leaves corked or ended sockets to socket.write", async () => {
    const { out } = await pair();
    out.cork();
    expect(writeDirect(out, Buffer.from("x"))).toBe("refused");
    out.uncork();
    out.end();
    expect(writeDirect(out, Buffer.from("x"))).toBe("refused");
  });
});
