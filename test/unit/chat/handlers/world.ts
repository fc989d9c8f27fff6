import { Amendments, amendThenDeliver } from "../../../../src/chat/amendments.ts";
import { expect, vi } from "vitest";
import { parseConfig } from "../../../../src/config/load.ts";
import { silentLogger } from "../../../../src/log.ts";
import { Hub } from "../../../../src/chat/hub.ts";
import { Session } from "../../../../src/chat/session.ts";
import type { Peer } from "../../../../src/chat/peer.ts";
import { AbuseLimits } from "../../../../src/chat/limits.ts";
import { RoomPresence } from "../../../../src/chat/room-presence.ts";
import { TypingGate } from "../../../../src/chat/typing.ts";
import { HistoryBudget } from "../../../../src/chat/history-budget.ts";
import { RoomNames } from "../../../../src/chat/room-names.ts";
import { RoomDirectory } from "../../../../src/chat/state/directory.ts";
import { StateLimits } from "../../../../src/chat/state/caps.ts";
import { createMemoryRoomStore } from "../../../../storage/rooms/memory-store.ts";
import type { UserStore } from "../../../../storage/users/types.ts";
import type { ChatContext } from "../../../../src/chat/context.ts";
import { noAttachments, type Attachments } from "../../../../src/chat/attachments.ts";
import { ChatSearch } from "../../../../src/search/chat-search.ts";
import { createMemoryBroker } from "../../../../storage/broker/memory-broker.ts";
import { createMemoryBus } from "../../../../storage/bus/memory-bus.ts";
import { createMemoryPresence } from "../../../../storage/presence/memory-presence.ts";
import type { UserRecord } from "../../../../storage/users/types.ts";
import { ClientError, type Encoded, type OutboundFrame } from "../../../../src/message/index.ts";
import { join } from "../../../../src/chat/handlers/rooms.ts";

/** A fake socket that records what it was sent and what it was asked to hold (see Peer.hold). */
export function fakePeer(remoteAddress = "127.0.0.1") {
  const sent: Encoded[] = [];
  const held: Encoded[] = [];
  const peer = {
    send: vi.fn((e: Encoded) => void sent.push(e)),
    hold: vi.fn((e: Encoded) => void held.push(e)),
    close: vi.fn(),
    bufferedAmount: 0,
    remoteAddress,
  };
  return { peer, sent, held };
}

/**
 * The request handlers' world, all in memory: a hub, the memory broker
 * (registered with the hub, as ChatService does), the memory bus and
 * presence, and the users `known` to the fake accounts.
 */
export function chatWorld(options: { limits?: Record<string, unknown>; known?: string[]; attachments?: Attachments } = {}) {
  const config = parseConfig({ port: 0, rooms: ["general"], limits: { historyOnJoin: 3, ...options.limits } });
  const hub = new Hub(config.limits.maxBufferedBytes);
  const broker = createMemoryBroker<Session>({ historyPerRoom: config.limits.historyPerRoom });
  const amendments = new Amendments();
  // As ChatService: the directory takes topics and mode changes before the hub sends them.
  broker.register(amendThenDeliver(amendments, (event, sender: Session | undefined) => (directory.stored(event), hub.deliver(event, sender))));
  const bus = createMemoryBus();
  const presenceStore = createMemoryPresence();
  const presence = new RoomPresence(hub, bus, presenceStore, silentLogger, "this-node");
  const known = new Set(options.known ?? []);
  const abuse = new AbuseLimits(config.limits);
  const records = new Map<string, UserRecord>();
  const record = (key: string) => {
    let r = records.get(key);
    if (!r) records.set(key, (r = { key, name: key, role: "user", passwordHash: "", createdAt: 0, lastSeenAt: 0, tokens: [] }));
    return r;
  };
  // The accounts' store, in memory: records of the known users and of every user() made.
  const users: UserStore = {
    get: async (key) => records.get(key),
    create: async (r) => (records.has(r.key) ? false : (records.set(r.key, r), true)),
    update: async (key, change) => {
      const r = records.get(key);
      if (!r) return undefined;
      change(r);
      return structuredClone(r);
    },
    claimSkeletons: async () => undefined,
    count: async () => records.size,
    close: async () => {},
  };
  for (const k of known) record(k);
  const rooms = createMemoryRoomStore();
  const directory = new RoomDirectory({ defaults: () => config.rooms, limits: config.limits, hub, broker, presence: presenceStore, store: rooms, bus });
  void directory.open();
  const ctx: ChatContext = {
    config,
    hub,
    broker,
    bus,
    presence,
    directory,
    accounts: {
      findUser: async (key: string) => (known.has(key) ? ({ key, name: key, role: "user" } as UserRecord) : undefined),
      revoke: async () => {},
      setPassword: async () => undefined,
    },
    abuse,
    users,
    stateLimits: new StateLimits(config.limits),
    moderation: { checkNotMuted: () => {}, said: (_user: string, _room: string, reason: string | undefined) => reason, handle: async () => {} },
    logger: silentLogger,
    counters: { messagesIn: 0, rateLimited: 0 },
    typing: new TypingGate(config.limits),
    historyBudget: new HistoryBudget(config.limits, abuse),
    roomNames: new RoomNames(() => Promise.resolve(config.rooms)),
    attachments: options.attachments ?? noAttachments,
    search: new ChatSearch(undefined, () => 2000),
    amendments,
  };

  /** A signed-in session of `name`, registered with the hub, recording its frames. */
  function user(name: string) {
    const p = fakePeer();
    const session = new Session(p.peer as Peer, config.limits, hub);
    session.user = { key: name, name, role: "user" };
    record(name);
    hub.add(session);
    hub.signedIn(session);
    const decode = (list: Encoded[]) => list.map((e) => JSON.parse(e.text) as OutboundFrame & Record<string, unknown>);
    return { session, ...p, frames: () => decode(p.sent), heldFrames: () => decode(p.held) };
  }

  return { ctx, config, hub, broker, bus, presenceStore, user, users, rooms, directory };
}

/** Lets pending promise callbacks run (a publish's ack, a presence exit). */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A world (chatWorld with `options`) where alice and then bob joined `room`: alice created it if it is new, and is its operator. */
export async function aliceAndBobIn(room: string, options: Parameters<typeof chatWorld>[0] = {}) {
  const w = chatWorld(options);
  const alice = w.user("alice");
  const bob = w.user("bob");
  await join(w.ctx, alice.session, { type: "join", room });
  await join(w.ctx, bob.session, { type: "join", room });
  return { w, alice, bob };
}

/** The code of the ClientError a handler threw, synchronously or not; undefined if it did not throw. */
export async function codeOf(run: () => unknown): Promise<string | undefined> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(ClientError);
    return (error as ClientError).code;
  }
  return undefined;
}
