/// <reference lib="deno.ns" />
import type { Hono } from "hono";
import { AddressInUseError, type Listener, type ServeOptions, type ServerRuntime } from "../types.ts";
import { DenoPeer } from "./peer.ts";
import { denoUpgradeWebSocket } from "./websocket.ts";
import { denoProcessStats } from "./stats.ts";
import { serveDenoStream } from "./stream.ts";
import { closeOnce } from "./close-once.ts";

type Env = { remoteAddr?: Deno.NetAddr };

/** How long `close` waits for the hub to close open sockets before shutting down regardless. */
const SOCKET_CLOSE_GRACE_MS = 2000;

/** Deno 2: Deno.serve for HTTP, Deno.upgradeWebSocket (through hono/deno) for WebSockets. */
export const denoRuntime: ServerRuntime = {
  name: "deno",
  processStats: denoProcessStats,
  serveStream: serveDenoStream,
  async serve(options: ServeOptions): Promise<Listener> {
    const address = (env: unknown) => (env as Env | undefined)?.remoteAddr?.hostname ?? "unknown";
    // Deno's server.shutdown() closes upgraded sockets itself (1001 "Server
    // shutting down"), before the hub could send its shutdown notice. So the
    // listener tracks them and only shuts down once the hub has closed them.
    const sockets = new Set<WebSocket>();
    let closing = false;
    const app: Hono = options.build({
      upgradeWebSocket: denoUpgradeWebSocket(options.heartbeatMs),
      peer: (ws, remoteAddress) => {
        const socket = ws.raw as WebSocket;
        sockets.add(socket);
        socket.addEventListener("close", () => sockets.delete(socket));
        return new DenoPeer(socket, remoteAddress);
      },
      remoteAddress: (c) => address(c.env),
      // Deno.upgradeWebSocket has no size cap; the app checks each message's size itself.
      enforcesMaxPayload: false,
    });
    const maxHeadBytes = options.http?.maxHeaderBytes;
    let server: Deno.HttpServer<Deno.NetAddr>;
    try {
      const answer = (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>): Response | Promise<Response> => {
        // Once closing, refuse new work as a closed listener would, but keep serving open sockets.
        if (closing) return Response.json({ error: "unavailable", message: "server is stopping" }, { status: 503, headers: { Connection: "close" } });
        // Deno.serve has no head-size setting: the cap is checked once Deno has read the head.
        if (maxHeadBytes !== undefined && headBytes(request) > maxHeadBytes) return new Response(null, { status: 431, headers: { Connection: "close" } });
        return app.fetch(request, { remoteAddr: info.remoteAddr });
      };
      server = Deno.serve({ hostname: options.host, port: options.port, onListen: () => {}, ...(options.tls ?? {}) }, async (request, info) =>
        closeOnce(request, await answer(request, info)),
      );
    } catch (error) {
      if (error instanceof Deno.errors.AddrInUse) throw new AddressInUseError(options.host, options.port);
      throw error;
    }
    return {
      port: server.addr.port,
      async close() {
        closing = true;
        const deadline = Date.now() + SOCKET_CLOSE_GRACE_MS;
        while (sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        await server.shutdown();
      },
    };
  },
};

/**
 * The size of a request's head as it came on the wire (request line, header
 * lines, blank line), counted as Node's parser counts it for its own cap.
 * Header values are ASCII or Latin-1 on the wire, one byte per character.
 */
function headBytes(request: Request): number {
  const url = new URL(request.url);
  let n = request.method.length + 1 + url.pathname.length + url.search.length + " HTTP/1.1\r\n".length + 2;
  for (const [name, value] of request.headers) n += name.length + 2 + value.length + 2;
  return n;
}
