import type { Accounts } from "../accounts/accounts.ts";
import { isMessage, type ChatLog } from "../../storage/chatlog/types.ts";
import type { Broker } from "../../storage/broker/types.ts";
import type { Metrics } from "./metrics.ts";

/*
 * Metrics are taken at the seams between the chat and its storage, by
 * wrapping the storage objects the daemon hands to the chat service: the
 * chat code does not know it is measured, and storage backends (JSONL, Redis)
 * are measured alike.
 */

/** Counts sign-ins (password and token) by outcome. */
export function instrumentAccounts(accounts: Accounts, metrics: Metrics): Accounts {
  const succeeded = <T>(result: T): T => {
    metrics.signIns.ok += 1;
    return result;
  };
  const failed = (error: unknown): never => {
    metrics.signIns.failed += 1;
    throw error;
  };
  const count = <T>(attempt: Promise<T>): Promise<T> => attempt.then(succeeded, failed);
  return {
    ...accounts,
    validateSession: (...args) => count(accounts.validateSession(...args)),
    checkSignIn: (...args) => count(accounts.checkSignIn(...args)),
    resume: (...args) => count(accounts.resume(...args)),
    // Undefined is no outcome yet: the caller goes on to `resume`, which counts it.
    resumeNow: (...args) => {
      let signIn;
      try {
        signIn = accounts.resumeNow(...args);
      } catch (error) {
        failed(error);
      }
      return signIn && succeeded(signIn);
    },
  };
}

/** Times each append until it is durable. */
export function instrumentLog(log: ChatLog, metrics: Metrics): ChatLog {
  return {
    open: () => log.open(),
    append: async (draft, onStored) => {
      const start = performance.now();
      const record = await log.append(draft, onStored);
      metrics.observeLogWrite((performance.now() - start) / 1000);
      return record;
    },
    history: (room, query) => log.history(room, query),
    keptAfter: (room, after) => log.keptAfter(room, after),
    rooms: () => log.rooms(),
    roomsVersion: () => log.roomsVersion(),
    streams: () => log.streams(),
    ...(log.changedStreams ? { changedStreams: () => log.changedStreams!() } : {}),
    lastId: () => log.lastId(),
    close: () => log.close(),
  };
}

/** Counts stored room events as they go out to their recipients: the broker's handler, counted. */
export function countOutgoing<O>(broker: Broker<O>, metrics: Metrics): Broker<O> {
  return {
    ...broker,
    register: (handler) =>
      broker.register((event, origin) => {
        // Chat messages only, as chatd_messages_in_total counts them (not edits, reactions, topics, modes).
        if (isMessage(event)) metrics.messagesOut += 1;
        handler(event, origin);
      }),
  };
}
