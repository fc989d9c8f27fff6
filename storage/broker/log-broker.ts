import type { ChatLog } from "../chatlog/types.ts";
import { unstored } from "./unstored.ts";
import type { Broker, BrokerHandler, RoomEvent, StoredEvent } from "./types.ts";

/** What a broker adds to its log: how an event is stored and how stored events reach the handler. */
export type BrokerParts<O> = {
  /** Stores the event; `deliver` hands a stored event to the registered handler, if any. */
  append(event: RoomEvent, origin: O | undefined, deliver: BrokerHandler<O>): Promise<StoredEvent>;
  /** Starts delivering to a newly registered handler (a subscription); returns its end. */
  listen?(deliver: BrokerHandler<O>): () => void;
};

/**
 * What the embedded and the Redis broker share: a failed append is a storage
 * error (the event reached no one), reads go to the log (looked up on each
 * call: a wrapper or a test may replace its methods), and one handler at most
 * is registered.
 */
export function logBroker<O>(log: ChatLog, parts: BrokerParts<O>): Broker<O> {
  let handler: BrokerHandler<O> | undefined;
  const deliver: BrokerHandler<O> = (event, origin) => handler?.(event, origin);
  return {
    async publish(event, origin) {
      try {
        return await parts.append(event, origin, deliver);
      } catch (error) {
        throw unstored(error);
      }
    },
    history: (room, query) => log.history(room, query),
    rooms: () => log.rooms(),
    roomsVersion: () => log.roomsVersion(),
    streams: () => log.streams(),
    changedStreams: () => log.changedStreams?.() ?? log.streams(),
    register(h) {
      if (handler) throw new Error("broker: a handler is already registered");
      handler = h;
      const stop = parts.listen?.(deliver);
      return () => {
        stop?.();
        if (handler === h) handler = undefined;
      };
    },
  } satisfies Broker<O>;
}
