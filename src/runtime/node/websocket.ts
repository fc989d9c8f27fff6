import type { Server } from "node:http";
import { createNodeWebSocket } from "@hono/node-ws";
import type { Context, Hono } from "hono";
import { defineWebSocketHelper, type UpgradeWebSocket } from "hono/ws";

/**
 * hono's `upgradeWebSocket` on Node: @hono/node-ws, handed a slim context.
 * node-ws keeps the context it upgrades with for the socket's whole life (its
 * handlers close over it), and the full hono Context holds the Request,
 * Headers and IncomingMessage of the upgrade: kilobytes per connection. The
 * slim one holds what node-ws reads (the upgrade header, the URL, the env) and
 * lets go of the IncomingMessage once node-ws has taken it, synchronously.
 * Relies on node-ws 1.3's reads, pinned in package.json and covered by
 * test/unit/runtime/node/websocket.test.ts.
 */
export function nodeWebSockets(app: () => Hono, maxPayload: number) {
  // node-ws only calls `app.request` at upgrade time, so the app can be built after this.
  const nodeWs = createNodeWebSocket({ app: { request: (...args: Parameters<Hono["request"]>) => app().request(...args) } as Hono });
  // ws reads its options at each upgrade.
  nodeWs.wss.options.maxPayload = maxPayload;
  // Nobody reads wss.clients (the hub knows every session); tracking costs a set entry and a listener per socket.
  (nodeWs.wss as unknown as { clients: unknown }).clients = undefined;
  const upgrade = nodeWs.upgradeWebSocket as unknown as (c: Context, events: unknown, options: unknown) => Promise<Response>;

  const upgradeWebSocket = defineWebSocketHelper(async (c, events, options) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return;
    const env = c.env as Record<string | symbol, unknown>;
    const slimEnv: Record<string | symbol, unknown> = { incoming: env.incoming };
    const slim = { env: slimEnv, req: { url: c.req.url, header: upgradeHeader } } as unknown as Context;
    const response = upgrade(slim, events, options);
    // By now node-ws has taken the request and marked the connection on the env
    // (a symbol that its upgrade listener checks on the real env): copy the mark, drop the request.
    for (const key of Object.getOwnPropertySymbols(slimEnv)) env[key] = slimEnv[key];
    slimEnv.incoming = undefined;
    return response;
  }) as UpgradeWebSocket<unknown>;

  return { upgradeWebSocket, injectWebSocket: (server: Server) => nodeWs.injectWebSocket(server) };
}

function upgradeHeader(name: string): string | undefined {
  return name.toLowerCase() === "upgrade" ? "websocket" : undefined;
}
