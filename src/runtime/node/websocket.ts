import { STATUS_CODES, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Hono } from "hono";
import { defineWebSocketHelper, WSContext, type WSContextInit, type WSEvents } from "hono/ws";
import { WebSocket, WebSocketServer, type RawData } from "ws";

/**
 * hono's `upgradeWebSocket` on Node with `ws`. Unlike @hono/node-ws, an open
 * socket keeps only the socket and the app's event handlers: the hono
 * Context, Request, Headers and IncomingMessage of the upgrade request are
 * garbage once the 101 is written (they were kilobytes per connection, held
 * for the life of the socket by the adapter's closures).
 */
export function nodeWebSockets(app: () => Hono, maxPayload: number) {
  // No client tracking: the hub knows every session, and tracking costs a set entry and a listener per socket.
  const wss = new WebSocketServer({ noServer: true, maxPayload, clientTracking: false, WebSocket: AppSocket });
  // Set by the upgrade middleware when the app accepts a request; read once, right after.
  const accepted = new WeakMap<IncomingMessage, WSEvents<WebSocket>>();

  const upgradeWebSocket = defineWebSocketHelper((c, events) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return;
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (incoming) accepted.set(incoming, events as WSEvents<WebSocket>);
    return new Response(null);
  });

  function injectWebSocket(server: Server): void {
    server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      // A request the app cannot even look at is dropped, not left hanging (nor an unhandled rejection).
      upgrade(request, socket, head).catch(() => socket.destroy());
    });
  }

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
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
    // ws calls back synchronously, before any message can arrive.
    wss.handleUpgrade(request, socket, head, (ws) => (ws as AppSocket).attach(events));
  }

  return { upgradeWebSocket, injectWebSocket };
}

/**
 * A `ws` socket that carries the app's handlers itself, so its listeners are
 * shared functions rather than closures per connection. It is also the
 * `WSContextInit` of its own WSContext (send, close, readyState, raw).
 */
class AppSocket extends WebSocket {
  events: WSEvents<WebSocket> | undefined;
  context: WSContext<WebSocket> | undefined;

  get raw(): WebSocket {
    return this;
  }

  attach(events: WSEvents<WebSocket>): void {
    this.events = events;
    this.context = new WSContext<WebSocket>(this as unknown as WSContextInit<WebSocket>);
    try {
      events.onOpen?.(new Event("open"), this.context);
    } catch (error) {
      report(error);
    }
    this.on("message", onMessage);
    this.on("close", onClose);
    // Also keeps an 'error' event from being thrown: ws closes the socket after it.
    this.on("error", onError);
  }
}

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  try {
    const socket = this as AppSocket;
    socket.events!.onMessage?.(new MessageEvent("message", { data: isBinary ? toArrayBuffer(data) : data.toString() }), socket.context!);
  } catch (error) {
    report(error);
  }
}

function onClose(this: WebSocket, code: number, reason: Buffer): void {
  try {
    const socket = this as AppSocket;
    socket.events!.onClose?.(new CloseEvent("close", { code, reason: reason.toString() }), socket.context!);
  } catch (error) {
    report(error);
  }
}

function onError(this: WebSocket, error: Error): void {
  try {
    const socket = this as AppSocket;
    socket.events!.onError?.(Object.assign(new Event("error"), { error }), socket.context!);
  } catch (e) {
    report(e);
  }
}

/** A throwing handler costs its own event, not the process (as with @hono/node-ws). */
function report(error: unknown): void {
  console.error(error);
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
