/**
 * One stored chat message. Room messages have `room` = the room name; direct
 * messages have `room` = `dm:<key a>:<key b>` (keys sorted) and `to` set.
 */
export type ChatRecord = {
  id: string;
  room: string;
  from: string;
  text: string;
  ts: number;
  to?: string;
};

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
 * Redis streams (cluster). Guarantee: when `append` resolves the record is
 * durable and visible to `history`; appends resolve in the order they were made.
 */
export interface ChatLog {
  open(): Promise<void>;
  append(record: ChatRecord): Promise<void>;
  history(room: string, query: HistoryQuery): Promise<HistoryPage>;
  /** Rooms that have kept history (not DMs). */
  rooms(): string[];
  /** The greatest id stored, so new ids continue above it after a restart. */
  lastId(): string | undefined;
  close(): Promise<void>;
}
