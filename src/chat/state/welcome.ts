import { encodeWelcome, type Encoded } from "../../message/index.ts";
import type { Config } from "../../config/schema.ts";
import type { Logger } from "../../log.ts";
import type { Broker } from "../../../storage/broker/types.ts";
import type { UserRecord } from "../../../storage/users/types.ts";
import type { Amendments } from "../amendments.ts";
import { roomKey } from "../room-key.ts";
import { UNREAD_READ_TOTAL, welcomeState } from "./user-state.ts";

export const VERSION = "0.1.0";

export type WelcomeDeps = { config: Config; broker: Pick<Broker, "history" | "keptAfter">; amendments: Amendments; logger: Logger };

/**
 * The welcome: the user's own rooms (defaults first), role, unread counts
 * and conversations (see user-state.ts), encoded.
 */
export async function welcome(deps: WelcomeDeps, user: UserRecord, role: UserRecord["role"], token: string | undefined, created: boolean): Promise<Encoded> {
  const { config, broker, amendments, logger } = deps;
  const { limits } = config;
  let state: Awaited<ReturnType<typeof welcomeState>>;
  try {
    await amendments.ready;
    state = await welcomeState(broker, user, UNREAD_READ_TOTAL, (records) => amendments.recall(broker, records));
  } catch (error) {
    // Unread counts are a convenience: a sign-in still works without them.
    logger.warn("unread counts unavailable at sign-in", { user: user.name, error: (error as Error).message });
    state = { unread: [], conversations: (user.conversations ?? []).map((c) => ({ with: c.with, lastId: c.lastId, ts: c.ts })) };
  }
  const defaults = config.rooms.map((r) => roomKey(r));
  const rooms = [...new Set([...defaults, ...(user.rooms ?? [])])];
  const frame = {
    type: "welcome",
    user: user.name,
    token,
    motd: config.motd,
    created,
    role,
    unread: state.unread,
    conversations: state.conversations,
    server: { name: config.name, welcome: config.welcome, version: VERSION },
    limits: { maxTextLength: limits.maxTextLength, maxFrameBytes: limits.maxFrameBytes, historyOnJoin: limits.historyOnJoin },
  } as const;
  return encodeWelcome(frame, JSON.stringify(rooms));
}
