import { encode, CloseCode, Encoded, type OutboundFrame } from "../message/index.ts";
import type { ChatRecord } from "../../storage/chatlog/types.ts";
import { dmParties, isDmRoom } from "../../storage/chatlog/room-keys.ts";
import { recordFrame } from "./frames.ts";
import type { Session, SessionUser } from "./session.ts";
import { SmallSet, type ReadonlySmallSet } from "./small-set.ts";
import { mergeSorted, sortedHas } from "./sorted-names.ts";
import { PRESENCE_BATCH_MS, PresenceBatches, type BatchedRoom } from "./presence-batches.ts";

export { PRESENCE_BATCH_MS };

/** `sessions`: each member with the sequence number of its join, so a presence batch skips what happened before it. */
type Room = BatchedRoom & {
  name: string;
  /** The members as an array, made on the first fan-out after a join or leave: a loop over it is cheaper than over the map's keys. */
  list: Session[] | undefined;
  /** How many of each user's sessions are in the room (names come from the sessions: no object per member). */
  users: Map<string, number>;
};

/**
 * Who is connected and where. Fan-out encodes a frame once and hands the same
 * bytes to every recipient's socket; no per-recipient allocation or actor event.
 */
export class Hub {
  readonly sessions = new Set<Session>();
  readonly #byUser = new Map<string, SmallSet<Session>>();
  readonly #rooms = new Map<string, Room>();
  readonly #cutOff = new WeakSet<Session>();
  /** Queued presence changes, and the sequence that orders them against joins. */
  readonly #presence: PresenceBatches;
  /** Bumped when a room gets its first member here or loses its last: welcome's room list is cached on it. */
  roomsVersion = 0;
  /** Counts for the admin API. */
  deliveries = 0;
  slowConsumersDropped = 0;

  constructor(private readonly maxBufferedBytes: number, presenceBatchMs = PRESENCE_BATCH_MS) {
    this.#presence = new PresenceBatches(this.#rooms, this, presenceBatchMs);
  }

  add(session: Session): void {
    this.sessions.add(session);
  }

  /** Registers a signed-in session under its user. */
  signedIn(session: Session): void {
    const key = session.user!.key;
    let set = this.#byUser.get(key);
    if (!set) this.#byUser.set(key, (set = new SmallSet()));
    set.add(session);
  }

  /** Removes the session everywhere; returns the rooms its user left entirely. */
  remove(session: Session): string[] {
    this.sessions.delete(session);
    const emptied: string[] = [];
    for (const room of session.rooms) if (this.leave(session, room)) emptied.push(room);
    const key = session.user?.key;
    if (key) {
      const set = this.#byUser.get(key);
      set?.delete(session);
      if (set && set.size === 0) this.#byUser.delete(key);
    }
    return emptied;
  }

  /**
   * The session's user becomes `to` (an IRC guest's NICK): it stays in its
   * rooms, counted under the new user, and is found under the new key.
   */
  rename(session: Session, to: SessionUser): void {
    const from = session.user!;
    for (const roomName of session.rooms) {
      const room = this.#rooms.get(roomName);
      if (!room) continue;
      const count = room.users.get(from.key) ?? 0;
      if (count > 1) room.users.set(from.key, count - 1);
      else room.users.delete(from.key);
      room.users.set(to.key, (room.users.get(to.key) ?? 0) + 1);
    }
    const set = this.#byUser.get(from.key);
    set?.delete(session);
    if (set && set.size === 0) this.#byUser.delete(from.key);
    session.user = to;
    this.signedIn(session);
  }

  /** Adds the session to the room; true if its user was not in the room before. */
  join(session: Session, roomName: string): boolean {
    let room = this.#rooms.get(roomName);
    if (!room) {
      this.#rooms.set(roomName, (room = { name: roomName, sessions: new Map(), list: undefined, users: new Map(), pending: [] }));
      this.roomsVersion++;
    }
    if (room.sessions.has(session)) return false;
    room.sessions.set(session, this.#presence.stamp());
    room.list = undefined;
    session.rooms.add(roomName);
    const user = session.user!;
    const count = room.users.get(user.key) ?? 0;
    room.users.set(user.key, count + 1);
    return count === 0;
  }

  /** Removes the session from the room; true if that was its user's last session there. */
  leave(session: Session, roomName: string): boolean {
    const room = this.#rooms.get(roomName);
    session.rooms.delete(roomName);
    if (!room || !room.sessions.delete(session)) return false;
    room.list = undefined;
    const key = session.user!.key;
    const count = room.users.get(key) ?? 0;
    const gone = count === 1;
    if (gone) room.users.delete(key);
    else if (count > 1) room.users.set(key, count - 1);
    if (room.sessions.size === 0) {
      this.#rooms.delete(roomName);
      this.#presence.forget(room);
      this.roomsVersion++;
    }
    return gone;
  }

  /** True if any session of the user is in the room on this node. */
  hasUser(roomName: string, key: string): boolean {
    return this.#rooms.get(roomName)?.users.has(key) ?? false;
  }

  members(roomName: string): string[] {
    const room = this.#rooms.get(roomName);
    if (!room) return [];
    // Every join reads this (its members list): no map per call, a set only for users here more than once.
    const names: string[] = [];
    let several: Set<string> | undefined;
    for (const session of room.sessions.keys()) {
      const { key, name } = session.user!;
      if (room.users.get(key)! > 1) {
        if ((several ??= new Set()).has(key)) continue;
        several.add(key);
      }
      names.push(name);
    }
    return names.sort();
  }

  /**
   * The room's members: `everywhere` (sorted names, the presence store's: every
   * node) with this node's members it lacks merged in. Every join answers with
   * this list, so where `everywhere` has every member here already (the usual
   * case: each entered the store before joining) it is `everywhere` itself, not
   * a copy: no set, array or sort per join in a room of thousands (issue 21).
   */
  membersWith(roomName: string, everywhere: string[]): string[] {
    const room = this.#rooms.get(roomName);
    let missing: string[] | undefined;
    for (const session of room?.sessions.keys() ?? []) {
      const name = session.user!.name;
      if (!sortedHas(everywhere, name) && !missing?.includes(name)) (missing ??= []).push(name);
    }
    return missing ? mergeSorted(everywhere, missing.sort()) : everywhere;
  }

  /** The sessions in the room on this node (IRC's away-notify reaches its IRC members). */
  roomSessions(roomName: string): Iterable<Session> {
    return this.#rooms.get(roomName)?.sessions.keys() ?? [];
  }

  memberCount(roomName: string): number {
    return this.#rooms.get(roomName)?.users.size ?? 0;
  }

  /** The rooms with members here, without copying them out. */
  roomKeys(): IterableIterator<string> {
    return this.#rooms.keys();
  }

  hasRoom(roomName: string): boolean {
    return this.#rooms.has(roomName);
  }

  userSessions(key: string): ReadonlySmallSet<Session> {
    return this.#byUser.get(key) ?? EMPTY;
  }

  onlineUsers(): Array<{ key: string; name: string; sessions: ReadonlySmallSet<Session> }> {
    return [...this.#byUser].map(([key, sessions]) => ({ key, name: [...sessions][0]!.user!.name, sessions }));
  }

  /** Sends to every session in the room, optionally skipping one; `holder`'s copy may wait for its next frame (see Peer.hold). */
  toRoom(roomName: string, frame: OutboundFrame | Encoded, except?: Session, holder?: Session): void {
    const room = this.#rooms.get(roomName);
    if (!room) return;
    this.#presence.sendQueued(room);
    const bytes = frame instanceof Encoded ? frame : encode(frame);
    for (const s of (room.list ??= [...room.sessions.keys()])) if (s !== except) this.write(s, bytes, s === holder);
  }

  /**
   * Queues a presence frame for the room's members (but `except`), sent within
   * `presenceBatchMs` together with the room's other presence changes, and
   * always before anything else sent to the room afterwards.
   */
  toRoomPresence(roomName: string, frame: OutboundFrame, except?: Session): void {
    this.#presence.queue(roomName, frame, except);
  }

  /** Sends every queued presence change now (or those of `rooms` only: an IRC PING syncs its client with them). */
  flushPresence(rooms?: Iterable<string>): void {
    this.#presence.flush(rooms);
  }

  /**
   * An away message set or cleared, to the members of `rooms` whose peers take
   * it (IRC away-notify), once each, but `except`; after the rooms' queued
   * presence, so a member hears of a join before the joiner's away message.
   */
  toAway(rooms: Iterable<string>, user: string, text: string | undefined, except?: Session): void {
    const told = new Set<Session>();
    for (const name of rooms) {
      const room = this.#rooms.get(name);
      if (!room) continue;
      this.#presence.sendQueued(room);
      for (const s of room.sessions.keys()) {
        if (s === except || told.has(s) || !s.peer.awayChanged || !this.#keepsUp(s)) continue;
        told.add(s);
        s.peer.awayChanged(user, text);
      }
    }
  }

  /** Drops queued presence and its timer (shutdown). */
  close(): void {
    this.#presence.clear();
  }

  toSessions(sessions: Iterable<Session>, frame: OutboundFrame): void {
    const bytes = encode(frame);
    for (const s of sessions) this.write(s, bytes);
  }

  toAll(frame: OutboundFrame): void {
    const bytes = encode(frame);
    for (const s of this.sessions) if (s.user) this.write(s, bytes);
  }

  /**
   * A stored room event reaches the members of its room, or both sides of a
   * DM, encoded once. `sender`, the session that published a room event, gets
   * its copy held until its next frame, which is normally the `ack` (see Peer.hold).
   */
  deliver(record: ChatRecord, sender?: Session): void {
    const frame = recordFrame(record);
    if (!isDmRoom(record.room)) {
      this.toRoom(record.room, frame, undefined, sender);
      return;
    }
    const [a, b] = dmParties(record.room);
    const targets = new Set([...this.userSessions(a), ...this.userSessions(b)]);
    this.toSessions(targets, frame);
  }

  write(session: Session, bytes: Encoded, hold = false): void {
    if (!this.#keepsUp(session)) return;
    this.deliveries += 1;
    if (hold && session.peer.hold) session.peer.hold(bytes);
    else session.peer.send(bytes);
  }

  /** A room's presence batch in one piece, to a peer that takes it so (Peer.sendBatch); each frame counts. */
  writeBatch(session: Session, frames: readonly Encoded[]): void {
    if (!this.#keepsUp(session)) return;
    this.deliveries += frames.length;
    session.peer.sendBatch!(frames);
  }

  /**
   * A reply to the session's own request (welcome, ack, history, error...):
   * held to the same cap as fan-out, so a client that asks and never reads
   * is cut off too, not buffered without bound. Not counted as a delivery.
   */
  reply(session: Session, bytes: Encoded): void {
    if (this.#keepsUp(session)) session.peer.send(bytes);
  }

  /** False, and the client cut off (4001), when more than the cap waits for it: it cannot keep up. */
  #keepsUp(session: Session): boolean {
    if (session.peer.bufferedAmount <= this.maxBufferedBytes) return true;
    // Once only: closing a closing peer terminates it, and the 4001 close frame would be lost.
    if (!this.#cutOff.has(session)) {
      this.#cutOff.add(session);
      this.slowConsumersDropped += 1;
      session.peer.close(CloseCode.slowConsumer, "slow consumer");
    }
    return false;
  }
}

const EMPTY: ReadonlySmallSet<Session> = new SmallSet();
