import { ActorGroups } from "../../actors/groups.ts";
import { startSessionActor } from "../../actors/session.ts";
import type { ChatService } from "../chat/service.ts";
import type { Logger } from "../log.ts";
import type { StreamEvents, StreamSocket } from "../runtime/types.ts";
import { IrcConnection } from "./connection.ts";
import type { IrcContext } from "./context.ts";
import { formatLine } from "./line.ts";
import { Renderer } from "./render.ts";

const encoder = new TextEncoder();

/**
 * The IRC gateway of one running chat: each accepted stream becomes an
 * IrcConnection, which is the session's Peer, and a session actor (the same
 * chart as a WebSocket's: sign-in deadline, hello, active, closing). The
 * runtime adapters (node:net, Deno.listen) hand it streams.
 */
export class IrcGateway {
  readonly #ctx: IrcContext;
  readonly #groups: ActorGroups;

  constructor(
    private readonly chat: ChatService,
    logger: Logger,
  ) {
    const config = chat.config;
    this.#ctx = {
      chat,
      config,
      renderer: new Renderer(config.irc.serverName),
      server: config.irc.serverName,
      network: config.name.replace(/[^A-Za-z0-9._-]+/g, "-"),
      startedAt: new Date(),
      guestSecret: crypto.randomUUID(),
      guestsSigningIn: new Set(),
      logger,
    };
    // As for WebSockets (http/app.ts): a bug in one session costs that session, not the process.
    this.#groups = new ActorGroups((parent, id, error) => {
      const session = chat.findSession((s) => s.actor?.id === id && s.actor._parent === parent);
      if (!session) return;
      logger.error("session actor failed", { session: session.id, error: (error as Error)?.message });
      session.peer.close(1011, "internal error");
      chat.disconnect(session);
    });
  }

  /** A new stream: refused with an ERROR line when the server or its address is full, else a session. */
  accept(socket: StreamSocket): StreamEvents {
    const { chat } = this;
    const { limits } = chat.config;
    const refuse = (why: string): StreamEvents => {
      socket.write(encoder.encode(formatLine(undefined, "ERROR", [`Closing link: ${why}`], true)));
      socket.end();
      return { data() {}, closed() {} };
    };
    if (chat.connections >= limits.maxConnections) return refuse("server full");
    const address = chat.abuse.sameAddress(socket.remoteAddress);
    if (chat.abuse.connectionsFrom(address) >= limits.maxConnectionsPerIp) return refuse("too many connections from this address");
    const conn = new IrcConnection(socket, this.#ctx, address);
    const session = chat.connect(conn);
    conn.session = session;
    const actor = startSessionActor({ session, chat, authTimeoutMs: limits.authTimeoutMs }, this.#groups.next());
    session.actor = actor;
    conn.toSession = (event) => actor.send(event);
    conn.deadline(limits.authTimeoutMs);
    return {
      data: (chunk) => conn.data(chunk),
      closed: () => conn.streamClosed(),
    };
  }
}
