import type { ChatLog } from "../chatlog/types.ts";
import { logBroker } from "./log-broker.ts";
import type { Broker } from "./types.ts";

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
  return logBroker<O>(log, {
    // `log.append` is looked up on each call: a wrapper (metrics) or a test may replace it.
    append: (event, origin, deliver) =>
      log.append(event, (stored) => {
        try {
          deliver(stored, origin);
        } catch (error) {
          onHandlerError(error as Error);
        }
      }),
  });
}
