import { STATUS_CODES, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Hono } from "hono";
import { defineWebSocketHelper, WSContext, type WSContextInit, type WSEvents } from "hono/ws";
import { WebSocketServer, type RawData, type WebSocket } from "ws";

/**
 * hono's `upgradeWebSocket` on Node with `ws`. Unlike @hono/node-ws, an open
 * socket keeps only the socket and the app's event handlers: the hono
 * Context, Request, Headers and IncomingMessage of the upgrade request are
 * garbage once the 101 is written (they were kilobytes per connection, held
 * for the life of the socket by the adapter's closures).
 */
export function nodeWebSockets(app: () => Hono, maxPayload: number) {
  const wss = new WebSocketServer({ noServer: true, maxPayload });
  // Set by the upgrade middleware when the app accepts a request; read once, right after.
  const accepted = new WeakMap<IncomingMessage, WSEvents<WebSocket>>();

  const upgradeWebSocket = defineWebSocketHelper((c, events) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return;
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (incoming) accepted.set(incoming, events as WSEvents<WebSocket>);
    return new Response(null);
  });

  function injectWebSocket(server: Server): void {
    server.on("upgrade", async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(request.url ?? "/", "http://localhost");
      const headers = new Headers();
      for (const key in request.headers) {
        const value = request.headers[key];
        if (value) headers.append(key, Array.isArray(value) ? value[0]! : value);
      }
      const response = await app().request(url, { headers }, { incoming: request, outgoing: undefined });
      const events = accepted.get(request);
      accepted.delete(request);
      if (!events) {
        socket.end(`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ""}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => open(ws, events));
    });
  }

  return { upgradeWebSocket, injectWebSocket };
}

/** Wires one accepted socket to the app's handlers; ws calls back before any message can arrive. */
function open(ws: WebSocket, events: WSEvents<WebSocket>): void {
  const ctx = new WSContext(new SocketInit(ws));
  try {
    events.onOpen?.(new Event("open"), ctx);
  } catch (error) {
    report(error);
  }
  ws.on("message", (data: RawData, isBinary: boolean) => {
    try {
      events.onMessage?.(new MessageEvent("message", { data: isBinary ? toArrayBuffer(data) : data.toString() }), ctx);
    } catch (error) {
      report(error);
    }
  });
  ws.on("close", (code: number, reason: Buffer) => {
    try {
      events.onClose?.(new CloseEvent("close", { code, reason: reason.toString() }), ctx);
    } catch (error) {
      report(error);
    }
  });
  // Also keeps an 'error' event from being thrown: ws closes the socket after it.
  ws.on("error", (error: Error) => {
    try {
      events.onError?.(Object.assign(new Event("error"), { error }), ctx);
    } catch (e) {
      report(e);
    }
  });
}

/** A throwing handler costs its own event, not the process (as with @hono/node-ws). */
function report(error: unknown): void {
  console.error(error);
}

/** WSContext's view of a `ws` socket: methods on the prototype, no closures per connection. */
class SocketInit implements WSContextInit<WebSocket> {
  constructor(readonly raw: WebSocket) {}
  get readyState() {
    return this.raw.readyState as 0 | 1 | 2 | 3;
  }
  send(data: string | ArrayBuffer | Uint8Array, options: { compress?: boolean }): void {
    this.raw.send(data, { compress: options.compress });
  }
  close(code?: number, reason?: string): void {
    this.raw.close(code, reason);
  }
}

function toArrayBuffer(data: RawData): ArrayBuffer {
  const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}

const CloseEvent =
  globalThis.CloseEvent ??
  class extends Event {
    readonly code: number;
    readonly reason: string;
    readonly wasClean = false;
    constructor(type: string, init: { code?: number; reason?: string } = {}) {
      super(type);
      this.code = init.code ?? 0;
      this.reason = init.reason ?? "";
    }
  };
