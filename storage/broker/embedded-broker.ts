import type { ChatLog } from "../chatlog/types.ts";
import { unstored } from "./unstored.ts";
import type { Broker, BrokerHandler } from "./types.ts";

export type EmbeddedBrokerOptions = {
  /** A handler that threw: the event is stored all the same, so the publish still succeeds. */
  onHandlerError?: (error: Error) => void;
};

/**
 * A single node's broker: the log stores the event and, in the same turn as
 * the write, this hands it to the handler with its publisher's `origin`
 * (so the sender's own copy can wait for its ack). The log calls back in
 * append order, which is id order.
 */
export function createEmbeddedBroker<O>(log: ChatLog, { onHandlerError = () => {} }: EmbeddedBrokerOptions = {}): Broker<O> {
  let handler: BrokerHandler<O> | undefined;
  return {
    async publish(event, origin) {
      try {
        // `log.append` is looked up on each call: a wrapper (metrics) or a test may replace it.
        return await log.append(event, (stored) => {
          try {
            handler?.(stored, origin);
          } catch (error) {
            onHandlerError(error as Error);
          }
        });
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
      return () => {
        if (handler === h) handler = undefined;
      };
    },
  } satisfies Broker<O>;
}
