import { CloseCode, type ClientError, type InboundFrame, type Ref } from "../message/index.ts";
import { Amendments, amendThenDeliver } from "./amendments.ts";
import type { Config } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import type { Accounts, SignIn, TokenlessSignIn } from "../accounts/accounts.ts";
import type { ChatLog } from "../../storage/chatlog/types.ts";
import type { Broker } from "../../storage/broker/types.ts";
import type { Bus } from "../../storage/bus/types.ts";
import type { Presence } from "../../storage/presence/types.ts";
import { Hub } from "./hub.ts";
import { Session } from "./session.ts";
import type { Peer } from "./peer.ts";
import { AbuseLimits } from "./limits.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { authenticate, refusal, type Admission } from "./sign-in.ts";
import { Moderation } from "./moderation.ts";
import type { ChatContext, ChatCounters } from "./context.ts";
import { noAttachments, type Attachments } from "./attachments.ts";
import { deleteMessage, setPassword } from "./operator-changes.ts";
import { answerFailure } from "./failure.ts";
import { RoomDirectory } from "./state/directory.ts";
import { StateLimits } from "./state/caps.ts";
import { welcome } from "./state/welcome.ts";
import { stateConsumer } from "./state/bus.ts";
import type { RoomStore } from "../../storage/rooms/types.ts";
import { RoomPresence } from "./room-presence.ts";
import { renameAs } from "./rename.ts";
import { OperatorActions } from "./operator.ts";
import { busConsumer } from "./bus-events.ts";
import { TypingGate } from "./typing.ts";
import { HistoryBudget } from "./history-budget.ts";
import { RoomNames } from "./room-names.ts";
import type { Frame } from "./handlers/types.ts";
import { dispatch } from "./dispatch.ts";
import { ChatSearch } from "../search/chat-search.ts";
import type { KeptLog } from "../../storage/chatlog/kept.ts";

export { roomKey } from "./room-key.ts";
export { VERSION } from "./state/welcome.ts";

/** A node's chat in numbers: gauges now, counters since this service started. */
export type ChatStats = {
  connections: number;
  /** Connections signed in (the rest are authenticating). */
  active: number;
  usersOnline: number;
  rooms: number;
  messagesIn: number;
  deliveries: number;
  slowConsumersDropped: number;
  rateLimited: number;
};

export type ChatDeps = {
  config: Config;
  accounts: Accounts;
  /** The room-event broker; the sending session is each event's origin. */
  broker: Broker<Session>;
  /** The log under the broker (kept for tests that fail its writes). */
  log: ChatLog;
  bus: Bus;
  presence: Presence;
  /** Room state (the directory, topics, member counts). */
  rooms: RoomStore;
  logger: Logger;
  /** Files shared in say/dm; without it every file id is `not_found`. */
  attachments?: Attachments;
  /** What the log keeps, for the search index (none: the index starts empty). */
  kept?: KeptLog;
  /** The budget for edits and reactions held in memory (Amendments; AMENDMENTS_MEMORY_BYTES unless given). */
  amendmentsMemoryBytes?: number;
};

/**
 * The chat on one node, wired: sessions call in here for every frame of an
 * active session and the requests go to their handlers (handlers/*); the
 * broker hands every stored room event to the hub, which fans it out; the
 * bus brings what is not stored (bus-events.ts). Operator actions are in
 * operator.ts.
 */
export class ChatService {
  readonly hub: Hub;
  readonly config: Config;
  readonly abuse: AbuseLimits;
  readonly moderation: Moderation;
  readonly operator: OperatorActions;
  readonly directory: RoomDirectory;
  readonly search: ChatSearch;
  readonly stateLimits: StateLimits;
  /** Issue 19: the latest state of amended messages, rebuilt from the log at start and fed by the broker. */
  readonly amendments: Amendments;
  readonly #deps: ChatDeps;
  readonly #ctx: ChatContext;
  readonly #presence: RoomPresence;
  readonly #counters: ChatCounters = { messagesIn: 0, rateLimited: 0 };
  readonly #unsubscribe: Array<() => void>;
  readonly #stopHeartbeat: () => void;

  constructor(deps: ChatDeps) {
    const { config, broker, bus, presence, accounts, logger } = deps;
    this.#deps = deps;
    this.amendments = new Amendments(deps.amendmentsMemoryBytes);
    this.config = config;
    this.hub = new Hub(config.limits.maxBufferedBytes);
    this.abuse = new AbuseLimits(config.limits);
    // Names this node's presence and typing on the bus, so it does not tell its own sessions twice.
    const origin = crypto.randomUUID();
    this.#presence = new RoomPresence(this.hub, bus, presence, logger, origin);
    // One sign-in back-off, one new-account and one new-room allowance for the cluster: trying every node in turn gains nothing.
    this.abuse.onSignIn = (outcome) =>
      void bus.publish({ kind: "sign-in", ...outcome, origin }).catch((error: Error) => logger.warn("telling a sign-in to the cluster failed", { error: error.message }));
    this.abuse.onAccount = (address) =>
      void bus.publish({ kind: "new-account", address, origin }).catch((error: Error) => logger.warn("telling a new account to the cluster failed", { error: error.message }));
    this.moderation = new Moderation(accounts, this.hub, {
      publish: (user, change) => bus.publish({ kind: "moderation", user, change }),
      sessionsOf: (key) => this.operator.sessionsEverywhere(key),
    }, Date.now, logger);
    this.operator = new OperatorActions(config, this.hub, bus, presence, this.moderation, accounts.store);
    this.directory = new RoomDirectory({ defaults: () => this.config.rooms, limits: config.limits, hub: this.hub, broker, presence, store: deps.rooms, bus });
    this.stateLimits = new StateLimits(config.limits);
    this.stateLimits.onCreation = (user, address) =>
      void bus.publish({ kind: "room-creation", user, address, origin }).catch((error: Error) => logger.warn("telling a new room to the cluster failed", { error: error.message }));
    this.search = new ChatSearch(deps.kept, () => this.config.limits.searchRebuildChunk, (error) =>
      logger.error("building the search index failed; trying again", { error: error.message }),
    );
    // Built from what is kept, in slices: chat goes on meanwhile (search answers `unavailable`).
    void this.search.rebuild();
    this.#ctx = {
      config,
      hub: this.hub,
      broker,
      bus,
      presence: this.#presence,
      directory: this.directory,
      accounts,
      users: accounts.store,
      stateLimits: this.stateLimits,
      abuse: this.abuse,
      moderation: this.moderation,
      logger,
      counters: this.#counters,
      typing: new TypingGate(config.limits),
      historyBudget: new HistoryBudget(config.limits, this.abuse),
      roomNames: new RoomNames(() => this.directory.allNames()),
      attachments: deps.attachments ?? noAttachments,
      search: this.search,
      amendments: this.amendments,
    };
    const hub = this.hub;
    const search = this.search;
    this.#unsubscribe = [
      // Every stored room event, from any node: the sender's own copy (origin, this node only) waits for its ack.
      broker.register(
        amendThenDeliver(this.amendments, (event, sender) => {
          // A topic or mode change is in the directory before it goes out, so a request after it sees it.
          this.directory.stored(event);
          hub.deliver(event, sender);
          // After the fan-out: indexing never delays delivery.
          search.stored(event);
        }),
      ),
      bus.subscribe(busConsumer({ config, hub, abuse: this.abuse, stateLimits: this.stateLimits, moderation: this.moderation, operator: this.operator, logger, origin })),
      bus.subscribe(stateConsumer({ hub, directory: this.directory, origin })),
      // A node that lost the bus may have missed stored events: its index is lost too, and built again.
      bus.subscribe((event) => {
        if (event.kind === "reset") void search.rebuild();
      }),
    ];
    // Pages wait for this (Amendments.ready); live amendments meanwhile are applied too (order does not matter).
    this.amendments.ready = this.amendments.rebuild(broker).catch((error: Error) => logger.error("reading amended messages failed", { error: error.message }));
    this.#stopHeartbeat = startHeartbeat(this.hub, config.limits.heartbeatMs, () => {
      this.abuse.sweep();
      this.stateLimits.sweep();
      this.directory.sweep().catch((error: Error) => logger.warn("room directory sweep failed", { error: error.message }));
    });
  }

  /** Reads the room directory (before the first connection). */
  open(): Promise<void> {
    return this.directory.open();
  }

  get accounts(): Accounts {
    return this.#deps.accounts;
  }

  get chatLog(): ChatLog {
    return this.#deps.log;
  }

  get broker(): Broker<Session> {
    return this.#deps.broker;
  }

  get presence(): Presence {
    return this.#deps.presence;
  }

  /** The session's away message (its peer's `away`) changed to `text`: told with presence, on every node (`rooms`: only these). */
  away(session: Session, rooms?: string[], text = session.peer.away): void {
    if (session.user) this.#presence.away(session, rooms, text);
  }

  /** The session's connection became an IRC operator (its peer's `oper`): kept with the user's presence for every node; settles once stored. */
  opered(session: Session): Promise<void> {
    return session.user ? this.#presence.syncLocal(session.user.key, session.user.name) : Promise.resolve();
  }

  /** Chat messages (say, dm) stored from this node. */
  get messagesIn(): number {
    return this.#counters.messagesIn;
  }

  /** say/dm requests refused with rate_limited. */
  get rateLimited(): number {
    return this.#counters.rateLimited;
  }

  /** Open connections (signed in or not). */
  get connections(): number {
    return this.hub.sessions.size;
  }

  /** This node's chat in numbers, for the admin API and /metrics. */
  stats(): ChatStats {
    let active = 0;
    for (const s of this.hub.sessions) if (s.user) active++;
    return {
      connections: this.hub.sessions.size,
      active,
      usersOnline: this.hub.onlineUsers().length,
      rooms: this.directory.size,
      messagesIn: this.#counters.messagesIn,
      deliveries: this.hub.deliveries,
      slowConsumersDropped: this.hub.slowConsumersDropped,
      rateLimited: this.#counters.rateLimited,
    };
  }

  /** The connection that matches, if any (an actor's failure names its session this way). */
  findSession(match: (session: Session) => boolean): Session | undefined {
    for (const s of this.hub.sessions) if (match(s)) return s;
    return undefined;
  }

  /** A new connection: its hot state, registered with the hub. */
  connect(peer: Peer): Session {
    const session = new Session(peer, this.config.limits, this.hub);
    this.hub.add(session);
    this.abuse.connected(peer.remoteAddress);
    return session;
  }

  /** The connection is gone: leave every room, tell the rooms (a `quit`, with the client's reason if it gave one). */
  disconnect(session: Session): void {
    const user = session.user;
    if (this.hub.sessions.has(session)) this.abuse.disconnected(session.peer.remoteAddress);
    const left = this.hub.remove(session);
    // A quit when the user has no other connection here (IRC shows it as leaving every channel); else a plain leave.
    const reason = session.peer.quitReason;
    const quit = user !== undefined && this.hub.userSessions(user.key).size === 0;
    if (user) for (const room of left) {
      const said = this.moderation.said(user.key, room, reason);
      this.#presence.left(room, user.name, quit ? { quit: true as const, reason: said } : { reason: said });
    }
    if (user) this.#presence.syncLocal(user.key, user.name);
  }

  /** Checks and runs a `hello` under every sign-in limit (see sign-in.ts). */
  authenticate(hello: Frame<"hello">, session?: Session): Admission | Promise<Admission> {
    const { accounts, logger } = this.#deps;
    return authenticate({ accounts, abuse: this.abuse, hub: this.hub, limits: this.config.limits, moderation: this.moderation, logger }, hello, session);
  }

  /** Why a sign-in that checked out may not become a session after all (see sign-in.ts); asked right before `signedIn`. */
  refusal(admission: Admission): ClientError | undefined {
    return refusal(this.moderation, admission);
  }

  /**
   * The session becomes active: registered with the hub, with the moderation
   * changes applied since its sign-in read the user record (`mark`), in the
   * same synchronous step as `refusal` (see sessionMachine).
   */
  signedIn(session: Session, signIn: (SignIn | TokenlessSignIn) & { mark?: number }): void {
    const { user, token, created } = signIn;
    const role = this.moderation.remember(user, signIn.mark);
    // One string for both when the display name is the key (a lower-case name): the session keeps them for its life.
    const name = user.name === user.key ? user.key : user.name;
    session.signedIn({ key: user.key, name, role }, token);
    this.hub.signedIn(session);
    this.#presence.syncLocal(user.key, name);
    // First in the session's inbox: the frames sent after the hello wait for the welcome.
    const deps = { config: this.config, broker: this.#deps.broker, amendments: this.amendments, logger: this.#deps.logger };
    session.enqueue(async () => session.send(await welcome(deps, user, role, token, created)));
    this.#deps.logger.info("signed in", { user: user.name, session: session.id, created, address: session.peer.remoteAddress });
  }

  /** The session's user becomes `name` (an IRC guest's NICK; see rename.ts). Throws the sign-in's ClientError. */
  rename(session: Session, name: string, password?: string): Promise<void> {
    const { accounts, logger } = this.#deps;
    const sign = { authenticate: (h: Frame<"hello">, s: Session) => this.authenticate(h, s), refusal: (a: Admission) => this.refusal(a), remember: (a: Admission) => this.moderation.remember(a.user, a.mark) };
    return renameAs({ ctx: this.#ctx, accounts, logger, ...sign }, session, name, password);
  }

  /** Every room in the directory, by name. */
  roomNames(): string[] {
    return this.directory.names();
  }

  /** roomNames() plus rooms that have members on other nodes. */
  allRoomNames(): Promise<string[]> {
    return this.directory.allNames();
  }

  /** Handles one frame of a signed-in session; every failure becomes an error frame. */
  async handle(session: Session, frame: InboundFrame): Promise<void> {
    const ctx = this.#ctx;
    try {
      await dispatch(ctx, session, frame, { logout: (s) => this.logout(s), moderate: (s, f) => this.moderation.handle(s, f, this.directory) });
    } catch (error) {
      this.fail(session, error, "ref" in frame ? frame.ref : undefined);
    }
  }

  /** Answers a failed request with an error frame; unexpected errors are logged, not leaked. */
  fail(session: Session, error: unknown, ref?: Ref): void {
    answerFailure(session, error, ref, this.#deps.logger);
  }

  async logout(session: Session): Promise<void> {
    if (session.token) await this.#deps.accounts.revoke(session.token);
    session.peer.close(CloseCode.normal, "signed out");
  }

  // Operator actions (console and admin API): see operator.ts.

  broadcast(text: string): Promise<void> {
    return this.operator.broadcast(text);
  }

  setMotd(motd: string): Promise<void> {
    return this.operator.setMotd(motd);
  }

  /** Deletes a message for an operator (the admin API); false if there is none (see operator-changes.ts). */
  deleteMessage(id: string): Promise<boolean> {
    return deleteMessage({ broker: this.#deps.broker, amendments: this.amendments, attachments: this.#ctx.attachments }, id);
  }

  /** Kicks every session of the user; resolves to how many were closed and the account's name (see operator.ts). */
  kick(name: string, reason?: string): Promise<{ user: string; sessions: number }> {
    return this.operator.kick(name, reason);
  }

  /** Sets a user's password for an operator (every token revoked, every session closed): the account's name, or undefined if there is no such user. */
  setPassword(name: string, password: string): Promise<string | undefined> {
    return setPassword({ accounts: this.#deps.accounts, bus: this.#deps.bus }, name, password);
  }

  /** Closes every connection (stop or restart) with the given code. */
  closeAll(code: number, reason: string, notice: "shutdown" | "restart"): void {
    this.operator.closeAll(code, reason, notice);
  }

  /** Closes every connection at once, without a notice (what is left after closeAll's wait). */
  closePeers(code: number, reason: string): void {
    for (const s of [...this.hub.sessions]) s.peer.close(code, reason);
  }

  close(): void {
    this.directory.close();
    for (const off of this.#unsubscribe) off();
    this.#stopHeartbeat();
    this.search.close();
    this.hub.close();
  }
}
