import type { Server } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { createAdaptorServer } from "@hono/node-server";
import type { Hono } from "hono";
import type { TlsFiles } from "../types.ts";

/** An http server, or an https one when certificates are given (wss comes with it). */
export function createNodeServer(app: Hono, tls: TlsFiles | undefined, serverOptions: Record<string, unknown> = {}): Server {
  if (!tls) return createAdaptorServer({ fetch: app.fetch, serverOptions }) as Server;
  return createAdaptorServer({
    fetch: app.fetch,
    createServer: createHttpsServer,
    serverOptions: { ...serverOptions, cert: tls.cert, key: tls.key },
  }) as unknown as Server;
}

/** Swaps the certificate for new connections; open ones keep theirs. */
export function reloadNodeTls(server: Server, tls: TlsFiles): void {
  (server as unknown as HttpsServer).setSecureContext({ cert: tls.cert, key: tls.key });
}
