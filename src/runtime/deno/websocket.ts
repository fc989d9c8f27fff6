/// <reference lib="deno.ns" />
import { WSContext, defineWebSocketHelper } from "hono/ws";

/**
 * hono/deno's upgradeWebSocket, with three differences a client can see:
 * the `Upgrade` value is matched without regard to case (RFC 6455; hono's
 * adapter sent `Upgrade: WebSocket` on to a 404), a request Deno cannot
 * upgrade (no `Sec-WebSocket-Key`, no `Connection: Upgrade`) gets
 * `400 bad_request` instead of an error thrown into a 500, and Deno's own
 * keep-alive follows `limits.heartbeatMs`: it pings a socket silent for
 * half of `idleTimeout` and drops it with no pong by the end, so an
 * `idleTimeout` of twice the heartbeat drops a silent peer within two
 * heartbeats, as the Node runtime's pings do.
 */
export function denoUpgradeWebSocket(heartbeatMs: number | undefined) {
  const idleTimeout = heartbeatMs === undefined ? undefined : Math.max(1, Math.ceil((2 * heartbeatMs) / 1000));
  return defineWebSocketHelper(async (c, events) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return;
    const subprotocol = c.req.header("sec-websocket-protocol")?.split(",")[0]?.trim();
    let upgraded: { response: Response; socket: WebSocket };
    try {
      upgraded = Deno.upgradeWebSocket(c.req.raw, {
        ...(subprotocol ? { protocol: subprotocol } : {}),
        ...(idleTimeout === undefined ? {} : { idleTimeout }),
      });
    } catch (error) {
      return c.json({ error: "bad_request", message: `not a valid WebSocket upgrade: ${(error as Error).message}` }, 400);
    }
    const { response, socket } = upgraded;
    const ws = new WSContext<WebSocket>({
      close: (code, reason) => socket.close(code, reason),
      get protocol() {
        return socket.protocol;
      },
      raw: socket,
      get readyState() {
        return socket.readyState as 0 | 1 | 2 | 3;
      },
      url: socket.url ? new URL(socket.url) : null,
      send: (source) => socket.send(source),
    });
    socket.onopen = (event) => events.onOpen?.(event, ws);
    socket.onmessage = (event) => events.onMessage?.(event, ws);
    socket.onclose = (event) => events.onClose?.(event, ws);
    socket.onerror = (event) => events.onError?.(event, ws);
    return response;
  });
}
