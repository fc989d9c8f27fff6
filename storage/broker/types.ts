import type { ChatDraft, ChatRecord, HistoryPage, HistoryQuery } from "../chatlog/types.ts";

/** A room event to publish (a message today; see ChatRecord for the kinds). The broker assigns `id` and `ts`. */
export type RoomEvent = ChatDraft;
/** A room event as stored, with its id and time. */
export type StoredEvent = ChatRecord;

/**
 * Receives every stored room event, on every node. `origin` is what the
 * publisher passed along with the event; it arrives only on the node that
 * published it, and only when the broker delivers within the publish (the
 * embedded broker): elsewhere it is undefined.
 */
export type BrokerHandler<O> = (event: StoredEvent, origin: O | undefined) => void;

/**
 * The room-event path between the chat and its storage (as centrifuge's
 * Broker). Implementations: embedded (the JSON-lines log, in-process
 * dispatch) and Redis (the Redis log, delivered through its pub/sub feed).
 *
 * Guarantees: `publish` stores the event, assigns its id (unique, greater than
 * every id stored before it on any node sharing the store), hands it to the
 * handler on every node in id order, and resolves once it is durable. The
 * handler may run before `publish` resolves (delivery does not wait for the
 * disk; the embedded broker delivers in the same turn as the write), and
 * never for an event that was not stored. `publish` rejects with a storage
 * error (storage/errors.ts) when the event could not be stored.
 */
export interface Broker<O = unknown> {
  publish(event: RoomEvent, origin?: O): Promise<StoredEvent>;
  history(room: string, query: HistoryQuery): Promise<HistoryPage>;
  /** Rooms that have kept history (not DMs), and a version that changes when that list may have grown. */
  rooms(): string[];
  roomsVersion(): number;
  /** Every stream kept (rooms and `dm:` keys): where a message id may be looked for. */
  streams(): string[];
  /** The streams that may hold changes (edits, reactions, topics): every stream unless the log knows better. */
  changedStreams(): string[];
  /** Registers the one handler (the chat's hub); returns its removal. A second registration throws. */
  register(handler: BrokerHandler<O>): () => void;
}
