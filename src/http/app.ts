import { Hono } from "hono";
import { sendFrame, sendInvalid, startSessionActor, type SessionActor } from "../../actors/session.ts";
import { ActorGroups } from "../../actors/groups.ts";
import { decode, CloseCode, utf8Length } from "../message/index.ts";
import type { ChatService } from "../chat/service.ts";
import type { Config } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import type { Operations } from "../ops/operations.ts";
import type { StorageHealth } from "../../storage/create.ts";
import type { DirectEvents, WebSocketSupport } from "../runtime/types.ts";
import type { WSContext, WSMessageReceive } from "hono/ws";
import { adminRoutes } from "./admin.ts";
import { metricsRoutes, type MetricsSource } from "./metrics.ts";
import { readinessRoutes, type ReadinessSource } from "./readiness.ts";
import { hsts } from "./hsts.ts";
import type { Asset } from "./assets.ts";
import { originAllowed } from "./origin.ts";
import { handshakeProblem } from "./handshake.ts";
import { headLength } from "./head-length.ts";
import { fileRoutes } from "./files/routes.ts";
import type { FileService } from "../files/index.ts";

/** What the HTTP surface reads from the server (the daemon is one): its state, config, log, operations and probes. */
export type AppHost = ReadinessSource &
  MetricsSource & {
    readonly config: Config;
    readonly logger: Logger;
    readonly ops: Operations;
    storageHealth(): StorageHealth | undefined;
  };

export type AppDeps = { daemon: AppHost; chat: ChatService; files: FileService; ws: WebSocketSupport; assets: Map<string, Asset> };

const PAGE_HEADERS = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-cache",
};

/**
 * The HTTP surface: the web page, `/ws` for chat, `/healthz`, and the admin
 * API. Runtime-neutral: WebSocket support comes in from the runtime adapter.
 */
export function createApp({ daemon, chat, files, ws, assets }: AppDeps): Hono {
  const app = new Hono();
  const { limits } = chat.config;
  // A bug in one session must cost that session, not the process: xstate
  // reports an action's error to the actor's parent (its group) and no further.
  const groups = new ActorGroups((parent, id, error) => {
    const session = chat.findSession((s) => s.actor?.id === id && s.actor._parent === parent);
    if (!session) return;
    daemon.logger.error("session actor failed", { session: session.id, error: (error as Error)?.message });
    session.peer.close(1011, "internal error");
    chat.disconnect(session);
  });

  /**
   * One WebSocket's handlers. An object per connection whose methods are
   * shared, rather than closures per connection: there are thousands. A
   * runtime may call `receive` and `closed` directly (see DirectEvents).
   */
  class Connection implements DirectEvents {
    #actor: SessionActor | undefined;
    constructor(readonly address: string) {}

    onOpen(_event: Event, socket: WSContext) {
      const session = chat.connect(ws.peer(socket, this.address));
      this.#actor = session.actor = startSessionActor({ session, chat, authTimeoutMs: limits.authTimeoutMs }, groups.next());
    }

    onMessage(event: MessageEvent<WSMessageReceive>) {
      const data = event.data;
      // Size before type, as ws does on Node: a binary message over the cap is 1009, not 1003.
      if (typeof data !== "string" && !ws.enforcesMaxPayload && binarySize(data) > limits.maxFrameBytes) {
        this.#actor?.getSnapshot().context.session.peer.close(CloseCode.tooBig, "");
        return;
      }
      this.receive(typeof data === "string" ? data : undefined);
    }

    onClose() {
      this.closed();
    }

    receive(text: string | undefined) {
      const actor = this.#actor;
      if (!actor) return;
      if (text === undefined) {
        actor.getSnapshot().context.session.peer.close(CloseCode.unsupportedData, "binary frames are not supported");
        return;
      }
      if (!ws.enforcesMaxPayload && utf8Length(text) > limits.maxFrameBytes) {
        // No reason, as ws sends it on Node (docs/protocol.md's close codes).
        actor.getSnapshot().context.session.peer.close(CloseCode.tooBig, "");
        return;
      }
      const d = decode(text);
      // The text's length stands for the frame's size: what it may hold while it waits in the inbox.
      if (d.ok) sendFrame(actor, d.frame, text.length);
      else sendInvalid(actor, { type: "INVALID", code: d.code, message: d.message, ...(d.ref === undefined ? {} : { ref: d.ref }) });
    }

    closed() {
      this.#actor?.send({ type: "DISCONNECTED" });
    }
  }

  app.use("*", headLength());
  if (chat.config.tls.cert) app.use("*", hsts());

  for (const [route, asset] of assets) {
    app.get(route, (c) => c.body(asset.body, 200, { "Content-Type": asset.type, ...PAGE_HEADERS }));
  }

  app.get("/healthz", (c) => {
    const storage = daemon.storageHealth();
    if (storage?.mode !== "cluster") return c.json({ status: "ok", state: daemon.state });
    // A node that cannot reach Redis can store nothing: a load balancer should send clients elsewhere.
    const up = storage.redis === "up";
    return c.json({ status: up ? "ok" : "degraded", state: daemon.state, redis: storage.redis, node: storage.node }, up ? 200 : 503);
  });
  app.route("/", readinessRoutes(daemon));
  app.route("/", metricsRoutes(daemon));

  app.get(
    "/ws",
    async (c, next) => {
      // HEAD reaches here too (hono routes it as GET), but only a GET can be upgraded.
      if (c.req.header("upgrade")?.toLowerCase() !== "websocket" || c.req.method !== "GET") {
        return c.json({ error: "upgrade_required", message: "connect with a WebSocket client" }, 426);
      }
      const problem = handshakeProblem((name) => c.req.header(name));
      if (problem) return c.json({ error: "bad_request", message: `not a valid WebSocket upgrade: ${problem}` }, 400);
      // Before the 101: a page on another site must not ride a user's cookies or network position (CSWSH).
      if (!originAllowed(c.req.header("origin"), c.req.header("host"), chat.config.security)) {
        return c.json({ error: "forbidden_origin", message: "this origin may not connect" }, 403);
      }
      if (chat.connections >= limits.maxConnections) {
        return c.json({ error: "server_full", message: "too many connections" }, 503);
      }
      if (chat.abuse.connectionsFrom(ws.remoteAddress(c)) >= limits.maxConnectionsPerIp) {
        return c.json({ error: "too_many_connections", message: "too many connections from this address" }, 429);
      }
      await next();
    },
    // Only the address outlives the upgrade request: the handlers must not close over `c`.
    ws.upgradeWebSocket((c) => new Connection(chat.abuse.sameAddress(ws.remoteAddress(c)))),
  );

  app.route("/", fileRoutes({ files, accounts: chat.accounts, limits, logger: daemon.logger }));
  app.route("/admin", adminRoutes(daemon.ops, () => daemon.config.adminToken));
  app.notFound((c) => c.json({ error: "not_found", message: "no such endpoint" }, 404));
  app.onError((error, c) => {
    daemon.logger.error("http error", { path: c.req.path, error: error.message });
    return c.json({ error: "internal", message: "internal error" }, 500);
  });
  return app;
}

/** The byte size of a binary WebSocket message, whichever form the runtime hands it in. */
function binarySize(data: Exclude<WSMessageReceive, string>): number {
  return data instanceof Blob ? data.size : data.byteLength;
}
