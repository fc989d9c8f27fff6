import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Hono, type Context } from "hono";
import type { WSEvents } from "hono/ws";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { nodeWebSockets } from "../../../../src/runtime/node/websocket.ts";
import type { DirectEvents } from "../../../../src/runtime/types.ts";

let server: Server | undefined;
const clients: WebSocket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

/** An app whose `/ws` refuses with `refuse` (if set) or upgrades with `events`; `seen` gets each upgrade's Context. */
async function serve(events: () => WSEvents | DirectEvents, options: { refuse?: number; seen?: (c: Context) => void } = {}) {
  const app = new Hono();
  const ws = nodeWebSockets(() => app, 1024);
  app.get(
    "/ws",
    async (c, next) => {
      options.seen?.(c);
      if (options.refuse) return c.json({ error: "no" }, options.refuse as 403);
      await next();
    },
    ws.upgradeWebSocket(() => events()),
  );
  server = createServer();
  ws.injectWebSocket(server);
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function connect(url: string): WebSocket {
  const c = new WebSocket(url);
  // Terminating one that never opened (the refused upgrade) reports an error: expected here.
  c.on("error", () => {});
  clients.push(c);
  return c;
}

describe("nodeWebSockets", () => {
  it("calls the app's handlers for open, each text message and close", async () => {
    const log: string[] = [];
    const closed = new Promise<void>((resolve) => {
      const url = serve(() => ({
        onOpen: () => void log.push("open"),
        onMessage: (event, socket) => {
          log.push(`message ${String(event.data)}`);
          socket.send(`echo ${String(event.data)}`);
        },
        onClose: (event) => {
          log.push(`close ${(event as CloseEvent).code}`);
          resolve();
        },
      }));
      void url.then((u) => {
        const c = connect(`${u}/ws`);
        c.on("open", () => c.send("hi"));
        c.on("message", (data) => {
          log.push(`client got ${String(data)}`);
          c.close(4000, "bye");
        });
      });
    });
    await closed;
    expect(log).toEqual(["open", "message hi", "client got echo hi", "close 4000"]);
  });

  it("answers a refused upgrade with the app's status and JSON body, and no upgrade", async () => {
    const url = await serve(() => ({}), { refuse: 403 });
    const refused = await new Promise<{ status: number; type: string | undefined; body: string }>((resolve) =>
      connect(`${url}/ws`).on("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"], body }));
      }),
    );
    expect(refused.status).toBe(403);
    expect(refused.type).toMatch(/^application\/json/);
    expect(JSON.parse(refused.body)).toEqual({ error: "no" });
  });

  it("lets go of the upgrade request's Context and IncomingMessage once the socket is open", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const refs: Array<WeakRef<object>> = [];
    const url = await serve(() => ({ onMessage: (event, socket) => socket.send(String(event.data)) }), {
      seen: (c) => refs.push(new WeakRef(c), new WeakRef((c.env as { incoming: object }).incoming)),
    });
    const c = connect(`${url}/ws`);
    await new Promise((r) => c.on("open", r));
    // The socket still works, and its handlers are all the server keeps.
    c.send("ping");
    await new Promise((r) => c.once("message", r));
    await new Promise((r) => setTimeout(r, 10));
    gc();
    expect(refs).toHaveLength(2);
    expect(refs.map((r) => r.deref())).toEqual([undefined, undefined]);
    expect(c.readyState).toBe(WebSocket.OPEN);
  });

  describe("with DirectEvents", () => {
    /** Handlers that log every call; `extra` runs in onOpen with the raw ws. */
    function direct(log: string[], extra?: (raw: WebSocket) => void): DirectEvents & { ctx?: WeakRef<object>; raw?: WebSocket } {
      const events: DirectEvents & { ctx?: WeakRef<object>; raw?: WebSocket } = {
        onOpen: (_e, ctx) => {
          log.push("open");
          events.ctx = new WeakRef(ctx);
          events.raw = ctx.raw as WebSocket;
          extra?.(events.raw);
        },
        onMessage: (e) => void log.push(`onMessage ${String(e.data)}`),
        onClose: () => void log.push("onClose"),
        receive: (text) => void log.push(`receive ${text ?? "(binary)"}`),
        closed: () => void log.push("closed"),
      };
      return events;
    }

    async function exchange(events: DirectEvents) {
      const url = await serve(() => events);
      const c = connect(`${url}/ws`);
      await new Promise((r) => c.on("open", r));
      await new Promise((r) => setTimeout(r, 20));
      c.send("hi");
      c.send(Buffer.from([1, 2, 3]), { binary: true });
      c.send("again");
      await new Promise((r) => setTimeout(r, 50));
      return c;
    }

    it("takes the socket's events over from node-ws once it is open, and lets node-ws's context go", async () => {
      setFlagsFromString("--expose-gc");
      const gc = runInNewContext("gc") as () => void;
      const log: string[] = [];
      const events = direct(log);
      const c = await exchange(events);
      const raw = events.raw!;
      for (const type of ["message", "close", "error"]) expect(raw.listenerCount(type)).toBe(1);
      expect(raw.listeners("message")[0]!.name).toBe("received");
      gc();
      expect(events.ctx!.deref()).toBeUndefined();
      c.close(4000, "bye");
      await new Promise((r) => setTimeout(r, 50));
      expect(log).toEqual(["open", "receive hi", "receive (binary)", "receive again", "closed"]);
    });

    it("leaves node-ws's listeners when the socket has others", async () => {
      const log: string[] = [];
      const c = await exchange(direct(log, (raw) => raw.on("close", () => log.push("other close listener"))));
      c.close(4000, "bye");
      await new Promise((r) => setTimeout(r, 50));
      expect(log).toEqual(["open", "onMessage hi", "onMessage [object ArrayBuffer]", "onMessage again", "other close listener", "onClose"]);
    });
  });
});
