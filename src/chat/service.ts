import {
  ClientError,
  CloseCode,
  ErrorCode,
  ID_PATTERN,
  encodeAck,
  checkName,
  encodeWelcome,
  isNameError,
  normalizeName,
  type ChatMessage,
  type DirectMessage,
  type InboundFrame,
  type Ref,
} from "../message/index.ts";
import type { Config } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import type { Accounts, SignIn } from "../../storage/users/accounts.ts";
import type { ChatDraft, ChatLog, ChatRecord } from "../../storage/chatlog/types.ts";
import type { Bus, BusEvent } from "../../storage/bus/types.ts";
import type { Presence } from "../../storage/presence/types.ts";
import { randomUUID } from "node:crypto";
import { StorageUnavailableError } from "../../storage/errors.ts";
import { Hub } from "./hub.ts";
import { Session } from "./session.ts";
import type { Peer } from "./peer.ts";
import { AbuseLimits } from "./limits.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { authenticate, refusal, type Admission } from "./sign-in.ts";
import { Moderation } from "./moderation.ts";

export const VERSION = "0.1.0";
const HISTORY_PAGE_DEFAULT = 50;
/** The most messages one `history` or `dm_history` answer holds (besides limits.historyPerRoom). */
const HISTORY_PAGE_MAX = 1000;

export type ChatDeps = { config: Config; accounts: Accounts; log: ChatLog; bus: Bus; presence: Presence; logger: Logger };
type Frame<T extends InboundFrame["type"]> = Extract<InboundFrame, { type: T }>;

/**
 * The chat itself: what each request does. Session actors call in here for
 * every inbound frame of an active session; the bus calls `onBus` for every
 * stored message, which the hub fans out.
 */
export class ChatService {
  readonly hub: Hub;
  readonly config: Config;
  readonly #deps: ChatDeps;
  readonly #unsubscribe: () => void;
  readonly #stopHeartbeat: () => void;
  readonly abuse: AbuseLimits;
  readonly moderation: Moderation;
  messagesIn = 0;
  rateLimited = 0;
  /** Names this service's presence events on the bus, so it does not tell its own sessions twice. */
  readonly #origin = randomUUID();

  constructor(deps: ChatDeps) {
    this.#deps = deps;
    this.config = deps.config;
    this.hub = new Hub(deps.config.limits.maxBufferedBytes);
    this.#unsubscribe = deps.bus.subscribe((event) => this.onBus(event));
    this.abuse = new AbuseLimits(deps.config.limits);
    this.moderation = new Moderation(deps.accounts, this.hub, {
      publish: (user, change) => deps.bus.publish({ kind: "moderation", user, change }),
      sessionsOf: (key) => this.#sessionsEverywhere(key),
    });
    this.#stopHeartbeat = startHeartbeat(this.hub, deps.config.limits.heartbeatMs, () => this.abuse.sweep());
  }

  get accounts(): Accounts {
    return this.#deps.accounts;
  }

  get chatLog(): ChatLog {
    return this.#deps.log;
  }

  /** A new connection: its hot state, registered with the hub. */
  connect(peer: Peer): Session {
    const session = new Session(peer, this.config.limits, this.hub);
    this.hub.add(session);
    this.abuse.connected(peer.remoteAddress);
    return session;
  }

  /** The connection is gone: leave every room, tell the rooms. */
  disconnect(session: Session): void {
    const user = session.user;
    if (this.hub.sessions.has(session)) this.abuse.disconnected(session.peer.remoteAddress);
    for (const room of this.hub.remove(session)) {
      if (user) this.#left(room, user.name);
    }
    if (user) this.#syncLocal(user.key, user.name);
  }

  get presence(): Presence {
    return this.#deps.presence;
  }

  /** This node's last session of the user left the room: if it was the last anywhere, tell the room everywhere. */
  #left(room: string, user: string): void {
    this.#deps.presence.exit(room, user).then(
      (gone) => gone && this.#announce(room, user, "leave"),
      (error) => this.#deps.logger.warn("presence: exit failed", { room, error: (error as Error).message }),
    );
  }

  #announce(room: string, user: string, event: "join" | "leave", except?: Session): void {
    this.hub.toRoomPresence(room, { type: "presence", room, user, event }, except);
    this.#deps.bus.publish({ kind: "presence", room, user, event, origin: this.#origin }).catch(() => {});
  }

  /** Tells the presence store how many sessions this node has for the user (for the admin views). */
  #syncLocal(key: string, name: string): void {
    const sessions = [...this.hub.userSessions(key)];
    const first = sessions.reduce<Session | undefined>((a, b) => (a && a.connectedAt <= b.connectedAt ? a : b), undefined);
    const info = first && { sessions: sessions.length, address: first.peer.remoteAddress, connectedAt: first.connectedAt };
    this.#deps.presence.setLocal(name, info).catch(() => {});
  }

  /** Checks and runs a `hello` under every sign-in limit (see sign-in.ts). */
  authenticate(hello: Frame<"hello">, session?: Session): Admission | Promise<Admission> {
    const { accounts } = this.#deps;
    return authenticate({ accounts, abuse: this.abuse, hub: this.hub, limits: this.config.limits, moderation: this.moderation }, hello, session);
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
  signedIn(session: Session, signIn: SignIn & { mark?: number }): void {
    const { user, token, created } = signIn;
    const role = this.moderation.remember(user, signIn.mark);
    // One string for both when the display name is the key (a lower-case name): the session keeps them for its life.
    const name = user.name === user.key ? user.key : user.name;
    session.signedIn({ key: user.key, name, role }, token);
    this.hub.signedIn(session);
    this.#syncLocal(user.key, name);
    const { limits } = this.config;
    const frame = {
      type: "welcome",
      user: user.name,
      token,
      motd: this.config.motd,
      created,
      server: { name: this.config.name, welcome: this.config.welcome, version: VERSION },
      limits: { maxTextLength: limits.maxTextLength, maxFrameBytes: limits.maxFrameBytes, historyOnJoin: limits.historyOnJoin },
    } as const;
    session.send(encodeWelcome(frame, this.#roomsJson()));
    this.#deps.logger.info("signed in", { user: user.name, session: session.id, created, address: session.peer.remoteAddress });
  }

  /** What the room list was encoded from: the hub's and the log's versions and the configured defaults. */
  #roomList: { hub: number; log: number; defaults: readonly string[]; json: string } | undefined;

  /**
   * `JSON.stringify(this.roomNames())`, kept while no room appears or goes: with
   * thousands of rooms, building and encoding the list was most of what a
   * sign-in cost and allocated.
   */
  #roomsJson(): string {
    const hub = this.hub.roomsVersion;
    const log = this.#deps.log.roomsVersion();
    const defaults = this.config.rooms;
    const cached = this.#roomList;
    if (cached && cached.hub === hub && cached.log === log && cached.defaults === defaults) return cached.json;
    const json = JSON.stringify(this.roomNames());
    this.#roomList = { hub, log, defaults, json };
    return json;
  }

  /** Default rooms first, then every other room with members or history. */
  roomNames(): string[] {
    // Every welcome lists every room: with thousands of rooms, a Set of them all
    // per sign-in was most of what a sign-in allocated. The hub's and the log's
    // names are each unique, so only the few defaults need looking through.
    const defaults = [...new Set(this.config.rooms.map((r) => roomKey(r)))];
    const names = defaults.slice();
    for (const r of this.hub.roomKeys()) if (!defaults.includes(r)) names.push(r);
    for (const r of this.#deps.log.rooms()) if (!defaults.includes(r) && !this.hub.hasRoom(r)) names.push(r);
    return names;
  }

  /** roomNames() plus rooms that have members on other nodes. */
  async allRoomNames(): Promise<string[]> {
    return [...new Set([...this.roomNames(), ...(await this.#deps.presence.activeRooms())])];
  }

  /** Handles one frame of a signed-in session; every failure becomes an error frame. */
  async handle(session: Session, frame: InboundFrame): Promise<void> {
    try {
      switch (frame.type) {
        case "join":
          return await this.join(session, frame);
        case "leave":
          return this.leave(session, frame);
        case "say":
          return this.say(session, frame);
        case "history":
          return await this.history(session, frame);
        case "dm":
          return await this.dm(session, frame);
        case "dm_history":
          return await this.dmHistory(session, frame);
        case "rooms": {
          const names = await this.allRoomNames();
          const members = await this.#deps.presence.members(names);
          return session.send({ type: "rooms", rooms: names.map((name, i) => ({ name, members: members[i]!.length })) });
        }
        case "typing":
          return this.typing(session, frame);
        case "ping":
          return session.send(frame.ref === undefined ? { type: "pong" } : { type: "pong", ref: frame.ref });
        case "hello":
          throw new ClientError(ErrorCode.alreadyAuthenticated, "this connection is already signed in");
        case "logout":
          return await this.logout(session);
        case "kick":
        case "mute":
        case "unmute":
          return await this.moderation.handle(session, frame);
      }
    } catch (error) {
      this.fail(session, error, "ref" in frame ? frame.ref : undefined);
    }
  }

  /** Answers a failed request with an error frame; unexpected errors are logged, not leaked. */
  fail(session: Session, error: unknown, ref?: Ref): void {
    if (error instanceof ClientError) {
      session.send({ type: "error", code: error.code, message: error.message, ...(ref === undefined ? {} : { ref }) });
      if (error.close) session.peer.close(error.close.code, error.close.reason);
      else if (error.code === ErrorCode.rateLimited && session.strikes.strike()) session.peer.close(CloseCode.policy, "rate limit abuse");
      return;
    }
    if (error instanceof StorageUnavailableError) {
      session.send({ type: "error", code: ErrorCode.unavailable, message: "storage is unavailable; try again later", ...(ref === undefined ? {} : { ref }) });
      return;
    }
    this.#deps.logger.error("request failed", { session: session.id, error: (error as Error)?.message });
    session.send({ type: "error", code: ErrorCode.internal, message: "internal error", ...(ref === undefined ? {} : { ref }) });
  }

  async join(session: Session, frame: Frame<"join">): Promise<void> {
    const room = roomKey(frame.room);
    if (frame.since !== undefined && !ID_PATTERN.test(frame.since)) throw new ClientError(ErrorCode.badFrame, "since: not a message id");
    if (!session.rooms.has(room) && session.rooms.size >= this.config.limits.maxRoomsPerSession) {
      throw new ClientError(ErrorCode.tooManyRooms, `at most ${this.config.limits.maxRoomsPerSession} rooms per connection`);
    }
    if (!session.joins.take()) throw new ClientError(ErrorCode.rateLimited, "too many joins; slow down");
    if (!this.abuse.takeJoin(session.peer.remoteAddress)) {
      // Refused by the address's limit: this connection's allowance was not used.
      session.joins.refund();
      throw new ClientError(ErrorCode.rateLimited, "too many joins; slow down");
    }
    const { historyPerRoom, historyOnJoin } = this.config.limits;
    const user = session.user!;
    // Presence first (counted on every node), so the join below still follows the history read directly.
    const firstHere = !this.hub.hasUser(room, user.key);
    const firstAnywhere = firstHere && (await this.#deps.presence.enter(room, user.name));
    const [everywhere] = await this.#deps.presence.members([room]);
    const page = await this.#deps.log.history(
      room,
      frame.since === undefined ? { limit: historyOnJoin } : { after: frame.since, limit: historyPerRoom },
    );
    // Joining right after reading history, with no await between, means no stored
    // message can fall between the two: the client sees each message exactly once.
    if (!this.hub.sessions.has(session)) {
      // Gone meanwhile: undo the count, quietly (its join was never announced).
      if (firstHere && !this.hub.hasUser(room, user.key)) this.#deps.presence.exit(room, user.name).catch(() => {});
      return;
    }
    this.hub.join(session, room);
    session.send({
      type: "joined",
      room,
      members: [...new Set([...everywhere!, ...this.hub.members(room)])].sort(),
      history: page.messages.map(toMessage),
      recovered: frame.since === undefined ? true : page.complete,
    });
    if (firstAnywhere) this.#announce(room, user.name, "join", session);
  }

  leave(session: Session, frame: Frame<"leave">): void {
    const room = roomKey(frame.room);
    if (!session.rooms.has(room)) throw new ClientError(ErrorCode.notInRoom, `not in room ${room}`);
    const gone = this.hub.leave(session, room);
    session.send({ type: "left", room });
    if (gone) this.#left(room, session.user!.name);
  }

  say(session: Session, frame: Frame<"say">): void {
    const room = roomKey(frame.room);
    if (!session.rooms.has(room)) throw new ClientError(ErrorCode.notInRoom, `not in room ${room}`);
    const text = this.checkText(frame.text);
    this.moderation.checkNotMuted(session.user!.key, room);
    this.checkRate(session);
    const draft: ChatDraft = { room, from: session.user!.name, text };
    this.storeThenAck(session, draft, frame.ref);
  }

  async history(session: Session, frame: Frame<"history">): Promise<void> {
    const room = roomKey(frame.room);
    if (!session.rooms.has(room)) throw new ClientError(ErrorCode.notInRoom, `not in room ${room}`);
    if (frame.before !== undefined && !ID_PATTERN.test(frame.before)) throw new ClientError(ErrorCode.badFrame, "before: not a message id");
    const limit = Math.min(frame.limit ?? HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX, this.config.limits.historyPerRoom);
    const page = await this.#deps.log.history(room, frame.before === undefined ? { limit } : { before: frame.before, limit });
    session.send({ type: "history", room, messages: page.messages.map(toMessage), complete: page.complete });
  }

  async dm(session: Session, frame: Frame<"dm">): Promise<void> {
    const to = checkName(frame.to).key;
    const text = this.checkText(frame.text);
    const target = await this.#deps.accounts.findUser(to);
    if (!target) throw new ClientError(ErrorCode.unknownUser, "no such user");
    this.checkRate(session);
    const me = session.user!;
    const draft: ChatDraft = { room: dmRoom(me.key, target.key), from: me.name, to: target.name, text };
    this.storeThenAck(session, draft, frame.ref);
  }

  /**
   * Not awaited by the handler: the session's next frame need not wait for this
   * one's fsync. Appends complete in order, so acks and deliveries keep order.
   */
  storeThenAck(session: Session, draft: ChatDraft, ref: Ref | undefined): void {
    this.store(draft, session).then(
      (record) => session.send(encodeAck(ref, record.id, record.ts)),
      (error) => this.fail(session, error, ref),
    );
  }

  async dmHistory(session: Session, frame: Frame<"dm_history">): Promise<void> {
    const other = checkName(frame.with);
    for (const id of [frame.before, frame.since]) {
      if (id !== undefined && !ID_PATTERN.test(id)) throw new ClientError(ErrorCode.badFrame, "not a message id");
    }
    const room = dmRoom(session.user!.key, other.key);
    const { historyPerRoom } = this.config.limits;
    const limit = frame.since !== undefined ? historyPerRoom : Math.min(frame.limit ?? HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX, historyPerRoom);
    const page = await this.#deps.log.history(room, { after: frame.since, before: frame.before, limit });
    session.send({ type: "dm_history", with: frame.with, messages: page.messages.map(toDirect), complete: page.complete });
  }

  typing(session: Session, frame: Frame<"typing">): void {
    const room = roomKey(frame.room);
    if (!session.rooms.has(room)) throw new ClientError(ErrorCode.notInRoom, `not in room ${room}`);
    this.hub.toRoom(room, { type: "typing", room, user: session.user!.name }, session);
    // Other nodes' members of the room; best effort, like typing itself.
    this.#deps.bus.publish({ kind: "typing", room, user: session.user!.name, origin: this.#origin }).catch(() => {});
  }

  async logout(session: Session): Promise<void> {
    if (session.token) await this.#deps.accounts.revoke(session.token);
    session.peer.close(CloseCode.normal, "signed out");
  }

  /**
   * Stores the record and publishes it as soon as it is stored (the embedded
   * log syncs afterwards, in groups); resolves once it is durable and
   * published, or rejects with `unavailable` if it could not be stored.
   */
  async store(draft: ChatDraft, sender?: Session): Promise<ChatRecord> {
    let published: Promise<void> | undefined;
    let record: ChatRecord;
    try {
      record = await this.#deps.log.append(draft, (stored) => {
        this.messagesIn += 1;
        // A bus that delivers at once (the memory bus) lets the sender's own copy wait for its ack.
        this.#storing = sender && { record: stored, sender };
        try {
          published = this.#deps.bus.publish({ kind: "message", record: stored });
        } finally {
          this.#storing = undefined;
        }
        // Awaited below, after durability; until then a failure must not count as unhandled.
        published.catch(() => {});
      });
    } catch (error) {
      this.#deps.logger.error("chat log append failed", { error: (error as Error).message });
      throw new ClientError(ErrorCode.unavailable, "the message could not be stored; it was not sent");
    }
    await published;
    return record;
  }

  checkText(text: string): string {
    if (text.length > this.config.limits.maxTextLength) {
      throw new ClientError(ErrorCode.tooLarge, `text is longer than ${this.config.limits.maxTextLength} characters`);
    }
    if (text.trim().length === 0) throw new ClientError(ErrorCode.badFrame, "text: must not be empty");
    return text;
  }

  checkRate(session: Session): void {
    if (session.messages.take()) {
      if (this.abuse.takeMessage(session.peer.remoteAddress)) return;
      // Refused by the address's limit: this connection's allowance was not used.
      session.messages.refund();
    }
    this.rateLimited += 1;
    throw new ClientError(ErrorCode.rateLimited, "too many messages; slow down");
  }

  /** The record being published by `store`, and its sender (see Hub.deliver). */
  #storing: { record: ChatRecord; sender: Session } | undefined;

  onBus(event: BusEvent): void {
    switch (event.kind) {
      case "message":
        return this.hub.deliver(event.record, this.#storing?.record === event.record ? this.#storing.sender : undefined);
      case "notice":
        // Every node's welcome shows the motd an operator set on any node.
        if (event.noticeKind === "motd") this.config.motd = event.text;
        return this.hub.toAll({ type: "notice", text: event.text, kind: event.noticeKind, ts: event.ts });
      case "typing":
        if (event.origin !== this.#origin) this.hub.toRoom(event.room, { type: "typing", room: event.room, user: event.user });
        return;
      case "presence":
        if (event.origin !== this.#origin) this.hub.toRoomPresence(event.room, { type: "presence", room: event.room, user: event.user, event: event.event });
        return;
      case "reset":
        // Events may have been missed while the bus was away: clients reconnect and resume with `since`.
        this.#deps.logger.warn("bus was interrupted: closing connections so clients resync");
        return this.closeAll(CloseCode.serviceRestart, "connection to the cluster was interrupted", "restart");
      case "moderation":
        return this.moderation.apply(event.user, event.change);
    }
  }

  // Operator actions (console and admin API).

  async broadcast(text: string): Promise<void> {
    await this.#deps.bus.publish({ kind: "notice", text, noticeKind: "broadcast", ts: Date.now() });
  }

  async setMotd(motd: string): Promise<void> {
    this.config.motd = motd;
    await this.#deps.bus.publish({ kind: "notice", text: motd, noticeKind: "motd", ts: Date.now() });
  }

  /** Kicks every session of the user; resolves to how many were closed. */
  async kick(name: string, reason = "kicked by an operator"): Promise<number> {
    const n = normalizeName(name);
    if (isNameError(n)) return 0;
    return this.moderation.kick(n.key, reason);
  }

  /** The user's signed-in sessions on every node. */
  async #sessionsEverywhere(key: string): Promise<number> {
    const online = await this.#deps.presence.users();
    return online.filter((u) => keyOf(u.name) === key).reduce((sum, u) => sum + u.sessions, 0);
  }

  /** Closes every connection (stop or restart) with the given code. */
  closeAll(code: number, reason: string, notice: "shutdown" | "restart"): void {
    const frame = { type: "notice" as const, text: reason, kind: notice, ts: Date.now() };
    for (const s of [...this.hub.sessions]) {
      if (s.user) s.send(frame);
      s.peer.close(code, reason);
    }
  }

  close(): void {
    this.#unsubscribe();
    this.#stopHeartbeat();
    this.hub.close();
  }
}

/** Normalised room name, or `bad_name`. */
export function roomKey(input: string): string {
  const known = roomKeys.get(input);
  if (known !== undefined) return known;
  const n = checkName(input, "room");
  // Every `say` names its room: remember recent answers (normalising is pure) rather than redo NFKC each time.
  if (roomKeys.size >= ROOM_KEYS_KEPT) roomKeys.clear();
  roomKeys.set(input, n.key);
  return n.key;
}
const ROOM_KEYS_KEPT = 10_000;
const roomKeys = new Map<string, string>();

function keyOf(name: string): string {
  const n = normalizeName(name);
  return isNameError(n) ? "" : n.key;
}

export function dmRoom(a: string, b: string): string {
  return a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`;
}

function toMessage(r: ChatRecord): ChatMessage {
  return { type: "message", id: r.id, room: r.room, from: r.from, text: r.text, ts: r.ts };
}

function toDirect(r: ChatRecord): DirectMessage {
  return { type: "dm", id: r.id, from: r.from, to: r.to ?? "", text: r.text, ts: r.ts };
}
