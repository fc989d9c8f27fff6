import { encode, CloseCode, Encoded, type OutboundFrame } from "../message/index.ts";
import type { ChatRecord } from "../../storage/chatlog/types.ts";
import { dmParties, isDmRoom } from "../../storage/chatlog/room-keys.ts";
import { recordFrame } from "./frames.ts";
import type { Session, SessionUser } from "./session.ts";
import { SmallSet, type ReadonlySmallSet } from "./small-set.ts";
import { mergeSorted, sortedHas } from "./sorted-names.ts";

/** A presence change waiting for the room's next flush; `seq` orders it against joins. */
type PendingPresence = { seq: number; bytes: Encoded; except: Session | undefined };

type Room = {
  name: string;
  /** Each member with the sequence number of its join, so a batch skips what happened before it. */
  sessions: Map<Session, number>;
  /** How many of each user's sessions are in the room (names come from the sessions: no object per member). */
  users: Map<string, number>;
  pending: PendingPresence[];
};

/**
 * How long presence changes may wait to be sent together. Filling a room of N
 * members one join at a time otherwise costs N^2 frames, one write each; a
 * batch costs one write per member however many joins it holds.
 */
export const PRESENCE_BATCH_MS = 50;

/**
 * Who is connected and where. Fan-out encodes a frame once and hands the same
 * bytes to every recipient's socket; no per-recipient allocation or actor event.
 */
export class Hub {
  readonly sessions = new Set<Session>();
  readonly #byUser = new Map<string, SmallSet<Session>>();
  readonly #rooms = new Map<string, Room>();
  readonly #cutOff = new WeakSet<Session>();
  /** Orders joins and presence changes, so a member never hears of a change older than its join. */
  #seq = 0;
  readonly #pendingRooms = new Set<Room>();
  #presenceTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped when a room gets its first member here or loses its last: welcome's room list is cached on it. */
  roomsVersion = 0;
  /** Counts for the admin API. */
  deliveries = 0;
  slowConsumersDropped = 0;

  constructor(
    private readonly maxBufferedBytes: number,
    private readonly presenceBatchMs = PRESENCE_BATCH_MS,
  ) {}

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
      this.#rooms.set(roomName, (room = { name: roomName, sessions: new Map(), users: new Map(), pending: [] }));
      this.roomsVersion++;
    }
    if (room.sessions.has(session)) return false;
    room.sessions.set(session, ++this.#seq);
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
    const key = session.user!.key;
    const count = room.users.get(key) ?? 0;
    const gone = count === 1;
    if (gone) room.users.delete(key);
    else if (count > 1) room.users.set(key, count - 1);
    if (room.sessions.size === 0) {
      this.#rooms.delete(roomName);
      this.#pendingRooms.delete(room);
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

  /**
   * Sends to every session in the room, optionally skipping one; `holder`'s
   * copy may wait for its next frame (see Peer.hold).
   */
  toRoom(roomName: string, frame: OutboundFrame | Encoded, except?: Session, holder?: Session): void {
    const room = this.#rooms.get(roomName);
    if (!room) return;
    if (room.pending.length > 0) this.#flushThrough(room.pending.at(-1)!.seq);
    const bytes = frame instanceof Encoded ? frame : encode(frame);
    for (const s of room.sessions.keys()) if (s !== except) this.write(s, bytes, s === holder);
  }

  /**
   * Queues a presence frame for the room's members (but `except`), sent within
   * `presenceBatchMs` together with the room's other presence changes, and
   * always before anything else sent to the room afterwards.
   */
  toRoomPresence(roomName: string, frame: OutboundFrame, except?: Session): void {
    const room = this.#rooms.get(roomName);
    if (!room) return;
    room.pending.push({ seq: ++this.#seq, bytes: encode(frame), except });
    this.#pendingRooms.add(room);
    this.#presenceTimer ??= setTimeout(() => this.flushPresence(), this.presenceBatchMs);
  }

  /** Sends every queued presence change now (or those of `rooms` only: an IRC PING syncs its client with them). */
  flushPresence(rooms?: Iterable<string>): void {
    if (rooms) {
      let through = 0;
      for (const name of rooms) through = Math.max(through, this.#rooms.get(name)?.pending.at(-1)?.seq ?? 0);
      if (through > 0) this.#flushThrough(through);
      if (this.#pendingRooms.size === 0) this.#stopPresenceTimer();
      return;
    }
    this.#stopPresenceTimer();
    this.#flushThrough(this.#seq);
  }

  /**
   * Sends the queued presence changes up to `through`, every room's, in the
   * order they happened: a member of several rooms hears of a user's renames
   * or quits in each room in turn (IRC tells each once, see Departures), not
   * all of one room's before the other's. A run of one room's changes is one batch.
   */
  #flushThrough(through: number): void {
    if (this.#pendingRooms.size === 1) {
      for (const room of this.#pendingRooms) this.#flushRoom(room, room.pending.length);
      return;
    }
    const queued: Array<{ room: Room; seq: number }> = [];
    for (const room of this.#pendingRooms) for (const p of room.pending) if (p.seq <= through) queued.push({ room, seq: p.seq });
    queued.sort((a, b) => a.seq - b.seq);
    for (let i = 0; i < queued.length; ) {
      const room = queued[i]!.room;
      let j = i + 1;
      while (j < queued.length && queued[j]!.room === room) j++;
      this.#flushRoom(room, j - i);
      i = j;
    }
  }

  /** Sends the room's first `count` queued presence changes. */
  #flushRoom(room: Room, count: number): void {
    const batch = room.pending.splice(0, count);
    if (room.pending.length === 0) this.#pendingRooms.delete(room);
    const first = batch[0]?.seq ?? 0;
    // Members who get the whole batch get it in one piece if their peer takes it so (IRC renders it once for all of them).
    let whole: Encoded[] | undefined;
    for (const [s, joined] of room.sessions) {
      if (s.peer.sendBatch && joined < first && !excepts(batch, s)) this.#writeBatch(s, (whole ??= batch.map((p) => p.bytes)));
      else for (const p of batch) if (p.seq > joined && s !== p.except) this.write(s, p.bytes);
    }
  }

  #writeBatch(session: Session, frames: readonly Encoded[]): void {
    if (!this.#keepsUp(session)) return;
    this.deliveries += frames.length;
    session.peer.sendBatch!(frames);
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
      if (room.pending.length > 0) this.#flushThrough(room.pending.at(-1)!.seq);
      for (const s of room.sessions.keys()) {
        if (s === except || told.has(s) || !s.peer.awayChanged || !this.#keepsUp(s)) continue;
        told.add(s);
        s.peer.awayChanged(user, text);
      }
    }
  }

  /** Drops queued presence and its timer (shutdown). */
  close(): void {
    this.#stopPresenceTimer();
    this.#pendingRooms.clear();
  }

  #stopPresenceTimer(): void {
    clearTimeout(this.#presenceTimer);
    this.#presenceTimer = undefined;
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

/** Whether some change of the batch is not for `session` (its own). */
function excepts(batch: readonly PendingPresence[], session: Session): boolean {
  for (const p of batch) if (p.except === session) return true;
  return false;
}
