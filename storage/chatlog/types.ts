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
  /** The id of the message this one answers (same room or conversation). */
  replyTo?: string;
  /** Canonical names of the users written as `@name` (and `@room`), absent when none. */
  mentions?: string[];
  /** Sent as an IRC NOTICE (a message that wants no automatic answer); absent otherwise. */
  notice?: true;
  /** Client-only tags the sender attached (IRCv3 message-tags, `+name` to value), relayed as they came; absent when none. */
  tags?: Record<string, string>;
};

/** A shared file as a message keeps it (the protocol's FileRef, which storage does not import). */
export type StoredFileRef = { id: string; name: string; size: number; type: string; url: string; width?: number; height?: number };

/**
 * A change to a stored message (issue 19), stored in the message's own stream
 * (`room` is the message's room or DM key), so a window of a stream that holds
 * a message also holds every later change to it. `by` did it, `target` is the
 * message's id, `author` and `to` are the message's `from` and `to`.
 */
type AmendmentBase = { id: string; room: string; by: string; target: string; author: string; to?: string; ts: number };
export type EditRecord = AmendmentBase & { kind: "edit"; text: string; mentions?: string[] };
export type DeleteRecord = AmendmentBase & { kind: "delete" };
/** `on`: the reaction after the toggle (stored as a state, so replaying a record twice changes nothing). */
export type ReactRecord = AmendmentBase & { kind: "react"; emoji: string; on: boolean };
export type AmendmentRecord = EditRecord | DeleteRecord | ReactRecord;

/** A room's topic as set by `by` (issue 19; `text` empty clears it), stored in the room's stream. */
export type TopicRecord = { kind: "topic"; id: string; room: string; by: string; text: string; ts: number };

/**
 * A change to a room's modes or roles by `by` (issue 21), stored in the room's
 * stream: `topicLock` or `secret` on or off, or `user` made (or no longer) an
 * operator or voiced. `on` is the state after it, so a replay changes nothing.
 */
export type ModeRecord =
  | { kind: "mode"; id: string; room: string; by: string; mode: "topicLock" | "secret"; on: boolean; ts: number }
  | { kind: "mode"; id: string; room: string; by: string; mode: "operator" | "voice"; on: boolean; user: string; ts: number };

/**
 * Every stored room event, by `kind`: messages, and the amendments (edit,
 * delete, react) and topics of issue 19, and the mode changes of issue 21.
 * Each flows through the same log, broker and hub.
 */
export type ChatRecord = MessageRecord | AmendmentRecord | TopicRecord | ModeRecord;

/** True for an edit, delete or reaction record. */
export function isAmendment(record: ChatRecord): record is AmendmentRecord {
  return record.kind === "edit" || record.kind === "delete" || record.kind === "react";
}

/** True for a message (what history pages list); the other kinds change or annotate a stream. */
export function isMessage(record: ChatRecord): record is MessageRecord {
  return record.kind === undefined || record.kind === "message";
}

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
   * With `after`: true when no record after it (a message or a change) was dropped from what is kept,
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
  /**
   * How many records (of every kind) the stream keeps with an id greater than
   * `after` (every record kept without it), counted without reading any: what
   * unread counts start from (src/chat/state/user-state.ts).
   */
  keptAfter(room: string, after: string | undefined): Promise<number>;
  /** Rooms that have kept history (not DMs). */
  rooms(): string[];
  /** Every stream kept: rooms and direct conversations (`dm:` keys). */
  streams(): string[];
  /**
   * The streams that may hold a record of another kind than a message (an
   * edit, a reaction, a topic): what a start-up rebuild of changes reads. A
   * log that does not know leaves it out, and every stream is read.
   */
  changedStreams?(): string[];
  /** Changes whenever `rooms()` may list something new (rooms are never dropped), so callers can cache the list. */
  roomsVersion(): number;
  /** The greatest id stored, so new ids continue above it after a restart. */
  lastId(): string | undefined;
  close(): Promise<void>;
}
