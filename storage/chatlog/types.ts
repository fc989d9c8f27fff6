/**
 * One stored chat message. Room messages have `room` = the room name; direct
 * messages have `room` = a DM key (see room-keys.ts) and `to` set. A message
 * is stored without `kind` (lines and stream entries written before kinds
 * existed are messages too), so its stored form is unchanged.
 */
export type MessageRecord = {
  kind?: "message";
  id: string;
  room: string;
  from: string;
  text: string;
  ts: number;
  to?: string;
  /** Files the message shares, as clients are told of them (absent when none). */
  files?: StoredFileRef[];
};

/** A shared file as a message keeps it (the protocol's FileRef, which storage does not import). */
export type StoredFileRef = { id: string; name: string; size: number; type: string; url: string; width?: number; height?: number };

/**
 * Every stored room event, by `kind`. Only messages so far; a new kind (an
 * edit, a reaction...) is a new member with a required `kind` and flows
 * through the same log, broker and hub.
 */
export type ChatRecord = MessageRecord;

export type RoomEventKind = NonNullable<ChatRecord["kind"]>;

/** The record's kind: a record without one is a message. */
export function kindOf(record: ChatRecord): RoomEventKind {
  return record.kind ?? "message";
}

/** `Omit` applied to each member of a union, so a draft keeps its kind's fields. */
type DraftOf<T> = T extends unknown ? Omit<T, "id" | "ts"> : never;

/** A record to store: the log assigns `id` and `ts`. */
export type ChatDraft = DraftOf<ChatRecord>;

export type HistoryQuery = {
  /** Only messages with an id greater than this (gap recovery). */
  after?: string;
  /** Only messages with an id less than this (paging back). */
  before?: string;
  /** At most this many, the newest of those that match. */
  limit: number;
};

export type HistoryPage = {
  /** Oldest first. */
  messages: ChatRecord[];
  /**
   * With `after`: true when no message after it was dropped from what is kept,
   * so `messages` fills the gap exactly. Otherwise: true when `messages` reaches
   * the oldest message kept (nothing more to page back to).
   */
  complete: boolean;
};

/**
 * The chat log. Implementations: append-only JSON lines (embedded default) and
 * Redis streams (cluster). Guarantees: `append` assigns the id, which is unique
 * and greater than every id stored before it (across every node sharing the
 * log); `onStored` runs (synchronously, once) when the record is stored and
 * visible to `history`; when `append` resolves the record is also durable
 * (fsynced, when the log syncs); appends made on one node are stored and
 * resolve in the order they were made.
 */
export interface ChatLog {
  open(): Promise<void>;
  /**
   * Stores the draft; resolves with the stored record (its id and time) once it
   * is durable. `onStored` is where callers publish it: it may run before
   * durability (the embedded log writes first and syncs groups of writes), so
   * delivery never waits for the disk while acknowledgements do.
   */
  append(draft: ChatDraft, onStored?: (record: ChatRecord) => void): Promise<ChatRecord>;
  history(room: string, query: HistoryQuery): Promise<HistoryPage>;
  /** Rooms that have kept history (not DMs). */
  rooms(): string[];
  /** Changes whenever `rooms()` may list something new (rooms are never dropped), so callers can cache the list. */
  roomsVersion(): number;
  /** The greatest id stored, so new ids continue above it after a restart. */
  lastId(): string | undefined;
  close(): Promise<void>;
}
