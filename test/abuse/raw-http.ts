import { connect } from "node:net";

/**
 * Writes `head` on a fresh TCP connection and resolves with what the server
 * answered before it closed the connection (or `timeoutMs` passed), and how
 * long that took.
 */
export function rawRequest(port: number, head: string | Buffer, timeoutMs = 5000): Promise<{ status: number | undefined; data: string; closed: boolean; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, "127.0.0.1");
    let data = "";
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      resolve({ status: m ? Number(m[1]) : undefined, data, closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on("connect", () => socket.write(head));
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
      // An upgrade answered 101 stays open: the status is all we need.
      if (data.startsWith("HTTP/1.1 101") && data.includes("\r\n\r\n")) finish(false);
    });
    socket.on("close", () => finish(true));
    socket.on("error", (e) => (data === "" ? reject(e) : finish(true)));
  });
}

/** A WebSocket handshake request head with optional extra header lines. */
export function upgradeHead(port: number, extra: string[] = []): string {
  return [
    "GET /ws HTTP/1.1",
    `Host: 127.0.0.1:${port}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    ...extra,
    "",
    "",
  ].join("\r\n");
}
