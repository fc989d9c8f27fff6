import type { Server } from "node:net";
import type { Socket } from "node:net";

/**
 * Caps the TCP connections one address holds open at once. The WebSocket and
 * IRC limits count connections once they are upgraded or registered; plain
 * HTTP connections (keep-alive, or a request head sent slowly) were not
 * counted at all, so one address could hold thousands and run the process out
 * of file descriptors. A connection past the cap is closed as it is accepted,
 * before any byte is read (and, for TLS, before the handshake).
 */
export function capConnectionsPerAddress(server: Server, cap: { max: () => number; exempt: (address: string) => boolean }): void {
  const open = new Map<string, number>();
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress;
    if (address === undefined || cap.exempt(address)) return;
    const n = open.get(address) ?? 0;
    if (n >= cap.max()) {
      socket.destroy();
      return;
    }
    open.set(address, n + 1);
    socket.once("close", () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
