import { describe, expect, it } from "vitest";
import { connect } from "node:net";
import { asBuffer, serveNodeStream } from "../../../../src/runtime/node/stream.ts";
import type { StreamSocket } from "../../../../src/runtime/types.ts";

describe("asBuffer (IRC stream writes)", () => {
  it("wraps the same bytes written to member after member once, without copying them", () => {
    const bytes = new TextEncoder().encode(":bob!bob@chatd JOIN #general\r\n");
    const buffer = asBuffer(bytes);
    expect(Buffer.isBuffer(buffer)).toBe(true);
    expect(asBuffer(bytes)).toBe(buffer);
    expect(buffer.buffer).toBe(bytes.buffer);
    expect(buffer.toString()).toBe(":bob!bob@chatd JOIN #general\r\n");
    const already = Buffer.from("x");
    expect(asBuffer(already)).toBe(already);
    expect(asBuffer(new Uint8Array(bytes.buffer, 1, 3)).toString()).toBe("bob");
  });
});

describe("NodeStream (serveNodeStream): writes keep their order through a slow reader", () => {
  it("queues behind a write the kernel did not take, reports it as buffered, and writes directly again once it drained", async () => {
    let stream: StreamSocket | undefined;
    const listener = await serveNodeStream({
      host: "127.0.0.1",
      port: 0,
      accept: (s) => {
        stream = s;
        return { data: () => {}, closed: () => {} };
      },
    });
    const reader = connect(listener.port, "127.0.0.1");
    try {
      await expect.poll(() => stream).toBeDefined();
      const s = stream!;
      reader.pause();
      const turn = () => new Promise((resolve) => setImmediate(resolve));
      // Idle and sent at once: nothing buffered.
      s.write(Buffer.from("a"));
      await turn();
      expect(s.bufferedAmount).toBe(0);
      // More than the kernel takes from a paused reader: the rest waits, and counts.
      const big = Buffer.alloc(32 * 1024 * 1024, "b");
      s.write(big);
      await turn();
      expect(s.bufferedAmount).toBeGreaterThan(0);
      for (const c of "cde") {
        s.write(Buffer.from(c));
        await turn();
      }
      const chunks: Buffer[] = [];
      reader.on("data", (c: Buffer) => chunks.push(c));
      reader.resume();
      await expect.poll(() => chunks.reduce((n, c) => n + c.length, 0), { timeout: 10_000 }).toBe(1 + big.length + 3);
      await expect.poll(() => s.bufferedAmount).toBe(0);
      s.write(Buffer.from("f"));
      await expect.poll(() => chunks.reduce((n, c) => n + c.length, 0)).toBe(1 + big.length + 4);
      const all = Buffer.concat(chunks);
      expect(all.subarray(0, 1).toString()).toBe("a");
      expect(all.subarray(1, 1 + big.length).every((x) => x === 0x62)).toBe(true);
      expect(all.subarray(1 + big.length).toString()).toBe("cdef");
    } finally {
      reader.destroy();
      await listener.close();
    }
  });
});
