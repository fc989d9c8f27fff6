// docs/security.md and runtimes.md: on Node, one address holds at most
// limits.maxConnectionsPerIp + 100 TCP connections to the HTTP port at once (plain HTTP
// included, which the WebSocket limit did not count): a connection past that is closed as it
// is accepted. A trusted proxy's connections are not counted.
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";

/** A TCP connection to the daemon that sends nothing; resolves once connected. */
function idle(port: number, held: Socket[]): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => resolve(s));
    s.on("error", reject);
    held.push(s);
  });
}

/** Whether the server closed this fresh connection without sending a byte, or answered a GET /healthz. */
function tryHealthz(port: number): Promise<"closed" | "answered"> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1", () => s.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    let got = "";
    s.on("data", (d) => (got += d.toString("latin1")));
    s.on("error", () => {});
    s.on("close", () => resolve(got.startsWith("HTTP/1.1 200") ? "answered" : "closed"));
  });
}

describe("TCP connections per address (Node)", () => {
  const world = new World();
  const held: Socket[] = [];
  afterEach(async () => {
    for (const s of held.splice(0)) s.destroy();
    await world.cleanup();
  });

  it("closes a connection past limits.maxConnectionsPerIp + 100 as it is accepted; one goes through again once one closes", async () => {
    const d = await world.daemon({ limits: { maxConnectionsPerIp: 3 } });
    const sockets: Socket[] = [];
    for (let i = 0; i < 103; i++) sockets.push(await idle(d.port, held));
    expect(await tryHealthz(d.port)).toBe("closed");
    sockets[0]!.destroy();
    // The server learns of the close a moment later: the next answered request is the proof.
    let outcome: string = "closed";
    for (let i = 0; i < 50 && outcome === "closed"; i++) outcome = await tryHealthz(d.port);
    expect(outcome).toBe("answered");
  });

  it("does not count a trusted proxy's connections", async () => {
    const d = await world.daemon({ trustedProxies: ["127.0.0.1"], limits: { maxConnectionsPerIp: 3 } });
    for (let i = 0; i < 103; i++) await idle(d.port, held);
    expect(await tryHealthz(d.port)).toBe("answered");
  });
});
