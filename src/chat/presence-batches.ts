import { encode, type Encoded, type OutboundFrame } from "../message/index.ts";
import type { Session } from "./session.ts";

/** A presence change waiting for the room's next flush; `seq` orders it against joins. */
export type PendingPresence = { seq: number; bytes: Encoded; except: Session | undefined };

/** What a batch needs of a hub's room: its members with their join's `seq`, and its queue. */
export type BatchedRoom = { sessions: Map<Session, number>; pending: PendingPresence[] };

/** Where batches go: the hub's writes, which count deliveries and cut off slow consumers. */
export interface PresenceWriter {
  write(session: Session, bytes: Encoded): void;
  writeBatch(session: Session, frames: readonly Encoded[]): void;
}

/**
 * How long presence changes may wait to be sent together. Filling a room of N
 * members one join at a time otherwise costs N^2 frames, one write each; a
 * batch costs one write per member however many joins it holds.
 */
export const PRESENCE_BATCH_MS = 50;

/** The hub's queued presence changes, its timer, and their flushes (see Hub.toRoomPresence). */
export class PresenceBatches {
  /** Orders joins and presence changes, so a member never hears of a change older than its join. */
  #seq = 0;
  readonly #pendingRooms = new Set<BatchedRoom>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly rooms: ReadonlyMap<string, BatchedRoom>,
    private readonly writer: PresenceWriter,
    private readonly batchMs: number,
  ) {}

  /** The next sequence number, for a join. */
  stamp(): number {
    return ++this.#seq;
  }

  /** Queues the frame for the room's members (but `except`) until the next flush. */
  queue(roomName: string, frame: OutboundFrame, except: Session | undefined): void {
    const room = this.rooms.get(roomName);
    if (!room) return;
    room.pending.push({ seq: ++this.#seq, bytes: encode(frame), except });
    this.#pendingRooms.add(room);
    this.#timer ??= setTimeout(() => this.flush(), this.batchMs);
  }

  /** Sends what is queued up to the room's latest change, before something else reaches the room. */
  sendQueued(room: BatchedRoom): void {
    if (room.pending.length > 0) this.#flushThrough(room.pending.at(-1)!.seq);
  }

  /** The room emptied: what was queued for it is dropped. */
  forget(room: BatchedRoom): void {
    this.#pendingRooms.delete(room);
  }

  /** Sends every queued change now (or, up to their latest, those of `rooms`: see Hub.flushPresence). */
  flush(rooms?: Iterable<string>): void {
    if (rooms) {
      let through = 0;
      for (const name of rooms) through = Math.max(through, this.rooms.get(name)?.pending.at(-1)?.seq ?? 0);
      if (through > 0) this.#flushThrough(through);
      if (this.#pendingRooms.size === 0) this.#stopTimer();
      return;
    }
    this.#stopTimer();
    this.#flushThrough(this.#seq);
  }

  /** Drops every queued change and the timer (shutdown). */
  clear(): void {
    this.#stopTimer();
    this.#pendingRooms.clear();
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
    const queued: Array<{ room: BatchedRoom; seq: number }> = [];
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
  #flushRoom(room: BatchedRoom, count: number): void {
    const batch = room.pending.splice(0, count);
    if (room.pending.length === 0) this.#pendingRooms.delete(room);
    const first = batch[0]?.seq ?? 0;
    // Members who get the whole batch get it in one piece if their peer takes it so (IRC renders it once for all of them).
    let whole: Encoded[] | undefined;
    for (const [s, joined] of room.sessions) {
      if (s.peer.sendBatch && joined < first && !excepts(batch, s)) this.writer.writeBatch(s, (whole ??= batch.map((p) => p.bytes)));
      else for (const p of batch) if (p.seq > joined && s !== p.except) this.writer.write(s, p.bytes);
    }
  }

  #stopTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/** Whether some change of the batch is not for `session` (its own). */
function excepts(batch: readonly PendingPresence[], session: Session): boolean {
  for (const p of batch) if (p.except === session) return true;
  return false;
}
