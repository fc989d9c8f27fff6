/// <reference lib="deno.ns" />
import type { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import { AddressInUseError, type Listener, type ServeOptions, type ServerRuntime } from "../types.ts";
import { DenoPeer } from "./peer.ts";

type Env = { remoteAddr?: Deno.NetAddr };

/** Deno 2: Deno.serve for HTTP, Deno.upgradeWebSocket (through hono/deno) for WebSockets. */
export const denoRuntime: ServerRuntime = {
  name: "deno",
  async serve(options: ServeOptions): Promise<Listener> {
    const address = (env: unknown) => (env as Env | undefined)?.remoteAddr?.hostname ?? "unknown";
    const app: Hono = options.build({
      upgradeWebSocket,
      peer: (ws, c) => new DenoPeer(ws.raw as WebSocket, address(c.env)),
      remoteAddress: (c) => address(c.env),
      // Deno.upgradeWebSocket has no size cap; the app checks each message's size itself.
      enforcesMaxPayload: false,
    });
    let server: Deno.HttpServer<Deno.NetAddr>;
    try {
      server = Deno.serve(
        { hostname: options.host, port: options.port, onListen: () => {} },
        (request, info) => app.fetch(request, { remoteAddr: info.remoteAddr }),
      );
    } catch (error) {
      if (error instanceof Deno.errors.AddrInUse) throw new AddressInUseError(options.host, options.port);
      throw error;
    }
    return {
      port: server.addr.port,
      close: () => server.shutdown(),
    };
  },
};
