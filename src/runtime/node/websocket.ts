import { STATUS_CODES, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { createNodeWebSocket } from "@hono/node-ws";
import type { Context, Hono } from "hono";
import { defineWebSocketHelper, type UpgradeWebSocket, type WSContext, type WSEvents, type WSMessageReceive } from "hono/ws";
import type { RawData, WebSocket } from "ws";
import type { DirectEvents } from "../types.ts";
import { UpgradeRequest } from "./upgrade-request.ts";

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
  // It passes the upgrade's absolute URL and a Headers it built; the app gets a lightweight request.
  const request = (url: URL | string, init: { headers: Headers; method?: string }, env: unknown) =>
    app().fetch(new UpgradeRequest(String(url), init.headers, init.method) as unknown as Request, env);
  const nodeWs = createNodeWebSocket({ app: { request } as unknown as Hono });
  // ws reads its options at each upgrade.
  nodeWs.wss.options.maxPayload = maxPayload;
  // Nobody reads wss.clients (the hub knows every session); tracking costs a set entry and a listener per socket.
  (nodeWs.wss as unknown as { clients: unknown }).clients = undefined;
  const upgrade = nodeWs.upgradeWebSocket as unknown as (c: Context, events: unknown, options: unknown) => Promise<Response>;

  const upgradeWebSocket = defineWebSocketHelper(async (c, events, options) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return;
    const env = c.env as Record<string | symbol, unknown>;
    const slim = new SlimContext(env.incoming, c.req.url);
    const response = upgrade(slim as unknown as Context, isDirect(events) ? new Opening(events) : events, options);
    // By now node-ws has taken the request and marked the connection on the env
    // (a symbol that its upgrade listener checks on the real env): copy the mark,
    // drop the env (node-ws reads it no more), keep the URL node-ws reads at open.
    const slimEnv = slim.env!;
    for (const key of Object.getOwnPropertySymbols(slimEnv)) env[key] = slimEnv[key];
    slim.env = undefined;
    return response;
  }) as UpgradeWebSocket<unknown>;

  /**
   * node-ws's own upgrade listener, but a refused upgrade (403 forbidden_origin,
   * 429, 503 server_full) gets the app's whole response, JSON body included:
   * node-ws answers with the status alone and an empty body. An upgrade the app
   * accepted went through `upgradeWebSocket` above, which marked the env with
   * node-ws's connection symbol (its waiter is already registered); that one is
   * handed to ws exactly as node-ws does.
   */
  const injectWebSocket = (server: Server) => {
    server.on("upgrade", async (incoming: IncomingMessage, socket: Duplex, head: Buffer) => {
      // Node's HTTP server has let go of the socket: until ws takes it, a reset must not be an uncaught error.
      socket.on("error", ignore);
      const headers = new Headers();
      for (const key in incoming.headers) {
        const value = incoming.headers[key];
        if (value) headers.append(key, Array.isArray(value) ? value[0]! : value);
      }
      const env: Record<string | symbol, unknown> = { incoming, outgoing: undefined };
      let response: Response;
      try {
        response = await request(new URL(incoming.url ?? "/", "http://localhost"), { headers, method: incoming.method ?? "GET" }, env);
      } catch {
        socket.end("HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      if (Object.getOwnPropertySymbols(env).length > 0) {
        socket.off("error", ignore);
        nodeWs.wss.handleUpgrade(incoming, socket, head, (ws) => nodeWs.wss.emit("connection", ws, incoming));
        return;
      }
      // The app's headers too (Content-Type, and Strict-Transport-Security under TLS). Read before
      // the body: @hono/node-server's lightweight Response forgets headers set after it was made
      // (the HSTS middleware's) once its body is read.
      let lines = `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ""}\r\nConnection: close\r\n`;
      response.headers.forEach((value, name) => {
        if (name !== "connection" && name !== "content-length" && name !== "transfer-encoding") lines += `${name}: ${value}\r\n`;
      });
      const body = Buffer.from(await response.arrayBuffer().catch(() => new ArrayBuffer(0)));
      socket.end(Buffer.concat([Buffer.from(`${lines}Content-Length: ${body.length}\r\n\r\n`), body]));
    });
  };

  return { upgradeWebSocket, injectWebSocket };
}

function ignore(): void {}

/**
 * Once a socket is open, chatd takes its events over from node-ws. node-ws
 * keeps, for each socket's life, a hono context (an object literal with a
 * getter, which V8 stores as a 448-byte dictionary), its closures and the
 * upgrade's context: about 1 KiB per connection, to turn each message into a
 * MessageEvent and call `onMessage`. Its three listeners on the ws socket
 * (message, close, error) are the only references to all of it, so they are
 * replaced with shared ones that call the connection's `receive` and `closed`
 * directly (DirectEvents). node-ws still makes the upgrade, opens the socket
 * and delivers what arrived during `onOpen`. If the socket has other
 * listeners than node-ws's one of each, or is no longer open, node-ws's stay.
 * (V8 makes an object literal with a getter straight in the old generation,
 * accessor pair included, and that pair keeps the getter's closure and its
 * whole scope alive through young-generation collections: node-ws's closures,
 * the slim context and the URL die in the old generation too, ~0.9 KiB per
 * connection until the next full collection, whether or not chatd takes over.
 * The saving here is in the live heap, not at once in RSS; docs/benchmarks.md.)
 * Relies on node-ws 1.3 adding those listeners right after `onOpen` returns
 * (pinned in package.json; test/unit/runtime/node/websocket.test.ts checks it).
 */
const TAKEN = ["message", "close", "error"] as const;
const EVENTS = Symbol("chatd.events");
type Owned = WebSocket & { [EVENTS]?: DirectEvents | undefined };

function isDirect(events: unknown): events is DirectEvents {
  const e = events as Partial<DirectEvents> | undefined;
  return typeof e?.receive === "function" && typeof e.closed === "function";
}

/** The handlers node-ws sees until the takeover: the connection's own, plus the takeover after `onOpen`. */
class Opening implements WSEvents {
  constructor(readonly events: DirectEvents) {}

  onOpen(event: Event, ctx: WSContext): void {
    this.events.onOpen?.(event, ctx);
    // node-ws adds its listeners synchronously after this returns; no socket event can come in between.
    const ws = ctx.raw as WebSocket;
    const events = this.events;
    queueMicrotask(() => takeOver(ws, events));
  }

  onMessage(event: MessageEvent<WSMessageReceive>, ctx: WSContext): void {
    this.events.onMessage?.(event, ctx);
  }

  onClose(event: CloseEvent, ctx: WSContext): void {
    this.events.onClose?.(event, ctx);
  }

  onError(event: Event, ctx: WSContext): void {
    this.events.onError?.(event, ctx);
  }
}

function takeOver(ws: WebSocket, events: DirectEvents): void {
  if (ws.readyState !== 1) return;
  for (const type of TAKEN) if (ws.listenerCount(type) !== 1) return;
  for (const type of TAKEN) ws.removeAllListeners(type);
  (ws as Owned)[EVENTS] = events;
  ws.on("message", received);
  ws.on("close", closed);
  // ws reports a protocol error, then closes the socket: the close is what the session acts on.
  ws.on("error", ignore);
}

function received(this: Owned, data: RawData, isBinary: boolean): void {
  // Closing: what the client sent after the server's close frame is read (so the socket is not reset) and dropped.
  if (this.readyState !== 1) return;
  try {
    // Text arrives as one Buffer (ws's default binaryType); node-ws decodes it the same way.
    this[EVENTS]?.receive(isBinary ? undefined : data.toString());
  } catch (error) {
    console.error(error);
  }
}

function closed(this: Owned): void {
  const events = this[EVENTS];
  this[EVENTS] = undefined;
  try {
    events?.closed();
  } catch (error) {
    console.error(error);
  }
}

/**
 * What node-ws reads of a Context, as one object per socket (node-ws keeps it
 * as long as the socket): `c.env` while upgrading, `c.req.header("upgrade")`,
 * and `c.req.url` once, to make the WSContext's URL (`req` is the object itself).
 */
class SlimContext {
  env: Record<string | symbol, unknown> | undefined;
  #url: string | undefined;
  constructor(incoming: unknown, url: string) {
    this.env = { incoming };
    this.#url = url;
  }

  get req(): this {
    return this;
  }

  /** Read once by node-ws; not kept for the socket's life after that. */
  get url(): string | undefined {
    const url = this.#url;
    this.#url = undefined;
    return url;
  }

  header(name: string): string | undefined {
    return name.toLowerCase() === "upgrade" ? "websocket" : undefined;
  }
}
