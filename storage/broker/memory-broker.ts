import { createMemoryLog } from "../chatlog/memory-log.ts";
import { createEmbeddedBroker } from "./embedded-broker.ts";
import type { Broker } from "./types.ts";

/** The embedded broker over a log in memory: the chat's handlers under unit test. */
export function createMemoryBroker<O>(options: { historyPerRoom?: number } = {}): Broker<O> {
  return createEmbeddedBroker<O>(createMemoryLog(options));
}
