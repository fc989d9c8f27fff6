import type { Config } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import type { Accounts } from "../accounts/accounts.ts";
import type { Broker } from "../../storage/broker/types.ts";
import type { Bus } from "../../storage/bus/types.ts";
import type { Amendments } from "./amendments.ts";
import type { Hub } from "./hub.ts";
import type { AbuseLimits } from "./limits.ts";
import type { Moderation } from "./moderation.ts";
import type { RoomDirectory } from "./state/directory.ts";
import type { StateLimits } from "./state/caps.ts";
import type { UserStore } from "../../storage/users/types.ts";
import type { RoomPresence } from "./room-presence.ts";
import type { Session } from "./session.ts";
import type { TypingGate } from "./typing.ts";
import type { HistoryBudget } from "./history-budget.ts";
import type { RoomNames } from "./room-names.ts";
import type { Attachments } from "./attachments.ts";
import type { ChatSearch } from "../search/chat-search.ts";

/** Counters the chat keeps for the admin API and /metrics. */
export type ChatCounters = { messagesIn: number; rateLimited: number };

/**
 * What the request handlers work with: one object, built by ChatService (or
 * by a unit test, with the memory broker and fake peers). The broker carries
 * the sending session as each event's origin, so its own copy can wait for
 * its ack (see Hub.deliver).
 */
export type ChatContext = {
  readonly config: Config;
  readonly hub: Hub;
  readonly broker: Broker<Session>;
  readonly bus: Bus;
  readonly presence: RoomPresence;
  readonly directory: RoomDirectory;
  readonly accounts: Pick<Accounts, "findUser" | "revoke" | "setPassword">;
  /** Where membership, read markers and the conversation index are kept (the accounts' store). */
  readonly users: UserStore;
  readonly stateLimits: StateLimits;
  readonly abuse: AbuseLimits;
  readonly moderation: Pick<Moderation, "checkNotMuted" | "said" | "handle">;
  readonly logger: Logger;
  readonly counters: ChatCounters;
  /** Coalesces `typing` per user and room, under its own rate. */
  readonly typing: TypingGate;
  /** What `history` and `dm_history` may read, per connection and address. */
  readonly historyBudget: HistoryBudget;
  /** Refuses a new room whose name looks like an existing one's. */
  readonly roomNames: RoomNames;
  /** Files shared in messages (the file service, through a narrow port). */
  readonly attachments: Attachments;
  /** Search (issue 20): this node's index, and its query. */
  readonly search: ChatSearch;
  /** The latest state of amended messages (issue 19), folded into every page sent. */
  readonly amendments: Amendments;
};
