import WebSocket from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { World, eventually, rawWebSocket, within } from "../../helpers/harness.ts";
import { spawnOn, type RuntimeName } from "../../helpers/runtimes.ts";

/**
 * docs/protocol.md (close 1002) and docs/runtimes.md (a frame that breaks RFC 6455): a client
 * frame that breaks the framing rules is closed 1002 on Node; Deno's WebSocket drops the
 * connection without a close frame (1006), and takes an unmasked client frame. A close frame
 * with a code no endpoint may send (1005) is 1002 on both.
 */
describe.each<RuntimeName>(["node", "deno"])("WebSocket framing errors on %s", (runtime) => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("closes 1002 on Node, drops on Deno, a reserved opcode or reserved bit; 1002 on both for close code 1005", async () => {
    const p = await spawnOn(world, runtime);
    const broken = runtime === "node" ? 1002 : 1006;
    for (const opcode of [0x3, 0x40 | 0x1]) {
      const raw = await rawWebSocket(p.port);
      world.onCleanup(() => raw.socket.destroy());
      raw.sendFrame(opcode, Buffer.from('{"type":"ping"}'));
      expect({ opcode, code: await within(5000, raw.closeCode, "the close") }).toEqual({ opcode, code: broken });
    }
    const code1005 = Buffer.alloc(2);
    code1005.writeUInt16BE(1005);
    const raw = await rawWebSocket(p.port);
    world.onCleanup(() => raw.socket.destroy());
    raw.sendFrame(0x8, code1005);
    expect(await within(5000, raw.closeCode, "the close")).toBe(1002);

    // A close reason that is not UTF-8: 1007 on Node, dropped on Deno (as a text message is).
    const badReason = await rawWebSocket(p.port);
    world.onCleanup(() => badReason.socket.destroy());
    badReason.sendFrame(0x8, Buffer.from([0x03, 0xe8, 0xff, 0xfe]));
    expect(await within(5000, badReason.closeCode, "the close")).toBe(runtime === "node" ? 1007 : 1006);

    // Unmasked: Node refuses it (1002), Deno answers it.
    const bare = await rawWebSocket(p.port);
    world.onCleanup(() => bare.socket.destroy());
    const seen: string[] = [];
    bare.socket.on("data", (chunk: Buffer) => seen.push(chunk.toString("latin1")));
    const ping = Buffer.from('{"type":"ping"}');
    bare.socket.write(Buffer.concat([Buffer.from([0x81, ping.length]), ping]));
    if (runtime === "node") expect(await within(5000, bare.closeCode, "the close")).toBe(1002);
    else await eventually(() => seen.join("").includes('"pong"'), { what: "the pong" });
  });

  it("closes 1009 without a reason on a text or binary message over limits.maxFrameBytes (the size before the binary check)", async () => {
    const p = await spawnOn(world, runtime, { config: { limits: { maxFrameBytes: 1024 } } });
    const closeOn = async (data: string | Buffer) => {
      const ws = new WebSocket(`ws://127.0.0.1:${p.port}/ws`);
      world.onCleanup(() => ws.terminate());
      ws.on("error", () => {});
      await new Promise((resolve) => ws.once("open", resolve));
      const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
      ws.send(data);
      return within(5000, closed, "the close");
    };
    const big = JSON.stringify({ type: "ping", pad: "x".repeat(1100) });
    expect(await closeOn(big)).toEqual({ code: 1009, reason: "" });
    expect(await closeOn(Buffer.from(big))).toEqual({ code: 1009, reason: "" });
    expect(await closeOn(Buffer.from("{}"))).toEqual({ code: 1003, reason: "binary frames are not supported" });
  });
});
