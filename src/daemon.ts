import { createActor, fromPromise, waitFor, type SnapshotFrom } from "xstate";
import { serverMachine, type ServerState, type StopReason } from "../actors/server.ts";
import type { Config } from "./config/schema.ts";
import type { Logger } from "./log.ts";
import type { Listener, ServerRuntime } from "./runtime/types.ts";
import { ChatService } from "./chat/service.ts";
import type { Session } from "./chat/session.ts";
import { CloseCode } from "./message/index.ts";
import { createApp } from "./http/app.ts";
import { behindProxies, currentTrustedProxy } from "./http/client-address.ts";
import { readCertificates } from "./ops/certificates.ts";
import { loadAssets } from "./http/assets.ts";
import { createOperations, type Operations } from "./ops/operations.ts";
import { Metrics } from "./ops/metrics.ts";
import { countOutgoing, instrumentAccounts, instrumentLog } from "./ops/instrument.ts";
import { createAccounts } from "./accounts/accounts.ts";
import { createBcryptPool, type PasswordHasher } from "../storage/users/bcrypt-pool.ts";
import { createStorage, type Storage, type StorageHealth } from "../storage/create.ts";
import { openFiles, type FileService, type OpenFiles } from "./files/index.ts";
import { IrcGateway } from "./irc/gateway.ts";

/** `amendmentsMemoryBytes`: the chat's budget for edits and reactions held (Amendments; tests make it tiny). */
export type DaemonOptions = { config: Config; runtime: ServerRuntime; logger: Logger; amendmentsMemoryBytes?: number };

/** How long a stop waits for clients to acknowledge the close before dropping them. */
const CLOSE_WAIT_MS = 2000;
/** TCP connections an address may hold beyond `limits.maxConnectionsPerIp` (Node): a page's HTTP requests beside its WebSocket. */
const HTTP_CONNECTIONS_BESIDE_WEBSOCKETS = 100;

/**
 * The brief's server object: config, storage, the chat, the listener, and the
 * lifecycle actor that starts, stops and restarts them.
 */
export class Daemon {
  readonly config: Config;
  readonly logger: Logger;
  readonly ops: Operations;
  readonly processStartedAt = Date.now();
  /** Process-wide counters for /metrics; they survive restarts. */
  readonly metrics = new Metrics();
  readonly actor;
  /** Where a reload reads the configuration from (file + environment); set by run(). */
  configSource: (() => Promise<Config>) | undefined = undefined;
  #runtime: ServerRuntime;
  #chat: ChatService | undefined;
  #listener: Listener | undefined;
  /** The IRC gateway's listeners (plain, TLS), when irc.port or irc.tlsPort is set. */
  #irc: { plain?: Listener; tls?: Listener } = {};
  #storage: Storage | undefined;
  #hasher: PasswordHasher | undefined;
  #files: OpenFiles | undefined;
  #port: number;
  /** The IRC ports to bind: the configured ones, then the bound ones, so a restart keeps a port chosen with 0 (as #port does). */
  #ircPorts: { plain?: number; tls?: number };

  readonly #amendmentsMemoryBytes: number | undefined;

  constructor({ config, runtime, logger, amendmentsMemoryBytes }: DaemonOptions) {
    this.#amendmentsMemoryBytes = amendmentsMemoryBytes;
    this.config = config;
    this.logger = logger;
    this.#runtime = runtime;
    this.#port = config.port;
    this.#ircPorts = { plain: config.irc.port, tls: config.irc.tlsPort };
    this.ops = createOperations(this);
    const machine = serverMachine.provide({
      actors: {
        start: fromPromise(() => this.#start()),
        stop: fromPromise(({ input }: { input: { reason: StopReason } }) => this.#stop(input.reason)),
      },
    });
    this.actor = createActor(machine);
    this.actor.subscribe((s) => this.logger.debug("server state", { state: s.value }));
    this.actor.start();
  }

  get state(): ServerState {
    return this.actor.getSnapshot().value as ServerState;
  }

  get snapshot(): SnapshotFrom<typeof serverMachine> {
    return this.actor.getSnapshot();
  }

  /** The running chat, or undefined while the server is not running. */
  get chat(): ChatService | undefined {
    return this.#chat;
  }

  /** The running file service, or undefined while the server is not running. */
  get files(): FileService | undefined {
    return this.#files?.service;
  }

  /** The runtime adapter the daemon serves with. */
  get runtime(): ServerRuntime {
    return this.#runtime;
  }

  /** Reads the certificate files again for new connections (SIGHUP, POST /admin/reload); on Deno the next restart does. */
  async reloadCertificates(): Promise<"off" | "reloaded" | "restart_required"> {
    const tls = await readCertificates(this.config);
    if (!tls) return "off";
    if (!this.#listener?.reloadTls) return "restart_required";
    this.#listener.reloadTls(tls);
    this.#irc.tls?.reloadTls?.(tls);
    this.logger.info("tls certificates reloaded");
    return "reloaded";
  }

  /** The port actually bound (useful with port 0). */
  get port(): number {
    return this.#port;
  }

  /** The IRC ports actually bound (undefined when off). */
  get ircPort(): number | undefined {
    return this.#irc.plain?.port;
  }

  get ircTlsPort(): number | undefined {
    return this.#irc.tls?.port;
  }

  /** Starts and resolves once running; rejects with the reason if the start failed. */
  async start(): Promise<void> {
    if (!this.snapshot.can({ type: "START" })) throw new Error(`cannot start: server is ${this.state}`);
    this.actor.send({ type: "START" });
    const s = await waitFor(this.actor, (s) => s.matches("running") || s.matches("stopped"));
    if (s.matches("stopped")) throw this.#startError ?? new Error(s.context.error ?? "start failed");
  }

  /** Asks the lifecycle actor to stop or restart; answers instead of throwing when the state does not allow it. */
  request(type: "STOP" | "RESTART"): { accepted: boolean; state: ServerState; message: string } {
    const state = this.state;
    if (!this.snapshot.can({ type })) {
      return { accepted: false, state, message: `cannot ${type === "STOP" ? "stop" : "restart"}: server is ${state}` };
    }
    this.actor.send({ type });
    return { accepted: true, state: this.state, message: type === "STOP" ? "stopping" : "restarting" };
  }

  /** Resolves when the server is stopped (or running again, after a restart). */
  async settled(): Promise<ServerState> {
    const s = await waitFor(this.actor, (s) => s.matches("running") || s.matches("stopped"), { timeout: 30_000 });
    return s.value as ServerState;
  }

  /** Stops and resolves once stopped; a start or restart in progress finishes first. */
  async stop(): Promise<void> {
    await waitFor(this.actor, (s) => !s.matches("starting") && !s.matches("restarting"), { timeout: 30_000 });
    this.request("STOP");
    await waitFor(this.actor, (s) => s.matches("stopped"), { timeout: 30_000 });
  }

  #startError: Error | undefined;

  /** The shared store's state while running (embedded mode has nothing to report). */
  storageHealth(): StorageHealth | undefined {
    return this.#storage?.health();
  }

  async #start(): Promise<void> {
    const { config, logger } = this;
    this.#startError = undefined;
    const storage = await createStorage(config, logger);
    const { users, presence } = storage;
    const log = instrumentLog(storage.log, this.metrics);
    const bus = storage.bus;
    // Over the instrumented log, so appends are timed; its handler counted as events go out.
    const broker = countOutgoing(
      storage.broker<Session>(log, { onHandlerError: (error) => logger.error("delivering a stored event failed", { error: error.message }) }),
      this.metrics,
    );
    let hasher: PasswordHasher | undefined;
    let files: OpenFiles | undefined;
    try {
      // Storage first: it takes the data-dir lock, and a refused start should not spin up threads.
      await storage.open();
      files = await openFiles(config, logger);
      hasher = createBcryptPool({
        threads: config.bcryptThreads,
        onFallback: (why) => logger.warn("bcrypt threads unavailable; hashing on the event loop", { why }),
      });
      await hasher.ready();
      const accounts = instrumentAccounts(createAccounts({
        hasher,
        store: users,
        bcryptCost: config.bcryptCost,
        registration: config.registration,
        passwordMinLength: config.limits.passwordMinLength,
        tokenTtlMs: config.limits.tokenTtlHours * 3_600_000,
      }), this.metrics);
      const fileService = files.service;
      const attachments = {
        resolveShared: (owner: string, ids: readonly string[]) => fileService.resolveShared(owner, ids),
        attach: (id: string, ids: readonly string[]) => fileService.attach(id, ids),
        release: (id: string, ids: readonly string[]) => fileService.release(id, ids),
      };
      const chat = new ChatService({ config, accounts, log, broker, bus, presence, rooms: storage.rooms, logger, attachments, kept: storage.kept, amendmentsMemoryBytes: this.#amendmentsMemoryBytes });
      await chat.open();
      const assets = await loadAssets();
      const tls = await readCertificates(config);
      this.#listener = await this.#runtime.serve({
        host: config.host,
        port: this.#port,
        maxPayload: config.limits.maxFrameBytes,
        heartbeatMs: config.limits.heartbeatMs,
        http: {
          headersTimeoutMs: config.limits.headersTimeoutMs,
          requestTimeoutMs: config.limits.requestTimeoutMs,
          maxHeaderBytes: config.limits.maxHeaderBytes,
          // The WebSocket allowance, and room for the page's own requests beside it.
          connectionsPerAddress: {
            max: () => this.config.limits.maxConnectionsPerIp + HTTP_CONNECTIONS_BESIDE_WEBSOCKETS,
            exempt: currentTrustedProxy(() => this.config.trustedProxies),
          },
        },
        ...(tls ? { tls } : {}),
        build: (ws) => createApp({ daemon: this, chat, files: files!.service, ws: behindProxies(ws, () => this.config.trustedProxies), assets }),
      });
      this.#port = this.#listener.port;
      this.#irc = await this.#startIrc(chat, tls);
      this.#chat = chat;
      this.#storage = storage;
      this.#hasher = hasher;
      this.#files = files;
      logger.info("listening", { host: config.host, port: this.#port, runtime: this.#runtime.name, dataDir: config.dataDir, tls: tls !== undefined, ...nodeField(storage.health()) });
      if (!config.adminToken) logger.warn("admin API is off: no admin token configured (set CHAT_ADMIN_TOKEN)");
    } catch (error) {
      this.#startError = error as Error;
      await this.#listener?.close().catch(() => {});
      this.#listener = undefined;
      await this.#closeIrc();
      await files?.close().catch(() => {});
      await storage.close().catch(() => {});
      await hasher?.close();
      throw error;
    }
  }

  /** The IRC listeners, when configured; TLS with the daemon's certificate. */
  async #startIrc(chat: ChatService, tls: Awaited<ReturnType<typeof readCertificates>>): Promise<{ plain?: Listener; tls?: Listener }> {
    const { host } = this.config;
    const ports = this.#ircPorts;
    if (ports.plain === undefined && ports.tls === undefined) return {};
    if (ports.tls !== undefined && !tls) throw new Error("irc.tlsPort needs a certificate: set tls.cert and tls.key (CHAT_TLS_CERT, CHAT_TLS_KEY)");
    const gateway = new IrcGateway(chat, this.logger);
    const accept = gateway.accept.bind(gateway);
    const out: { plain?: Listener; tls?: Listener } = {};
    this.#irc = out;
    if (ports.plain !== undefined) ports.plain = (out.plain = await this.#runtime.serveStream({ host, port: ports.plain, accept })).port;
    if (ports.tls !== undefined) ports.tls = (out.tls = await this.#runtime.serveStream({ host, port: ports.tls, tls: tls!, handshakeTimeoutMs: this.config.limits.authTimeoutMs, accept })).port;
    this.logger.info("irc listening", { host, ...(out.plain ? { port: out.plain.port } : {}), ...(out.tls ? { tlsPort: out.tls.port } : {}) });
    return out;
  }

  async #closeIrc(): Promise<void> {
    const { plain, tls } = this.#irc;
    this.#irc = {};
    await Promise.all([plain?.close(), tls?.close()].map((p) => p?.catch(() => {})));
  }

  async #stop(reason: StopReason): Promise<void> {
    const chat = this.#chat;
    this.logger.info(reason === "restart" ? "restarting" : "stopping");
    // Stop accepting first; the listener only finishes closing once the
    // upgraded sockets are gone, so it is awaited after the clients are closed.
    const ircClosed = this.#closeIrc();
    const listenerClosed = this.#listener?.close();
    this.#listener = undefined;
    if (chat) {
      if (reason === "restart") chat.closeAll(CloseCode.serviceRestart, "server restarting", "restart");
      else chat.closeAll(CloseCode.goingAway, "server shutting down", "shutdown");
      const deadline = Date.now() + CLOSE_WAIT_MS;
      while (chat.connections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      chat.closePeers(CloseCode.goingAway, "server shutting down");
      chat.close();
      this.metrics.retire(chat.stats());
    }
    await Promise.race([Promise.all([listenerClosed, ircClosed]), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS))]);
    this.#chat = undefined;
    await this.#files?.close();
    this.#files = undefined;
    const storage = this.#storage;
    this.#storage = undefined;
    if (storage) await storage.close();
    await this.#hasher?.close();
    this.#hasher = undefined;
    this.logger.info(reason === "restart" ? "stopped for restart" : "stopped");
  }
}

/** The node id for the `listening` log line, in cluster mode. */
function nodeField(health: StorageHealth): { node?: string } {
  return health.mode === "cluster" ? { node: health.node } : {};
}
