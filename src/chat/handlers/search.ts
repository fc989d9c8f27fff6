import { checkName, ClientError, ErrorCode } from "../../message/index.ts";
import { dmParties, dmRoom, isDmRoom } from "../../../storage/chatlog/room-keys.ts";
import type { ChatContext } from "../context.ts";
import { recordFrame } from "../frames.ts";
import { checkId } from "../checks.ts";
import { roomKey } from "../room-key.ts";
import type { Session } from "../session.ts";
import { TokenBucket } from "../token-bucket.ts";
import type { Membership } from "../../search/port.ts";
import { parseQuery } from "../../search/text.ts";
import type { Frame } from "./types.ts";

/** Results one `search` answer holds unless asked, and at most. */
export const SEARCH_PAGE_DEFAULT = 20;
export const SEARCH_PAGE_MAX = 100;

/** Each connection's own search bucket (limits.searchesPerSecond / searchBurst), made on its first search. */
const buckets = new WeakMap<Session, TokenBucket>();

/**
 * Membership as it can be known today: the rooms the user's sessions on this
 * node have joined, plus the default rooms. Stored membership replaces it.
 */
export function sessionMembership(ctx: Pick<ChatContext, "hub" | "config">): Membership {
  return {
    async roomsOf(userKey) {
      const rooms = new Set(ctx.config.rooms.map((r) => roomKey(r)));
      for (const s of ctx.hub.userSessions(userKey)) for (const r of s.rooms) rooms.add(r);
      return [...rooms];
    },
  };
}

/** `search`: messages of the user's rooms and conversations that match `q`, newest first. */
export async function search(ctx: ChatContext, session: Session, frame: Frame<"search">): Promise<void> {
  const { limits } = ctx.config;
  let bucket = buckets.get(session);
  if (!bucket) buckets.set(session, (bucket = new TokenBucket(limits.searchesPerSecond, limits.searchBurst)));
  if (!bucket.take()) {
    ctx.counters.rateLimited += 1;
    throw new ClientError(ErrorCode.rateLimited, "too many searches; slow down", undefined, Math.ceil(1000 / limits.searchesPerSecond));
  }
  checkId(frame.before, "before: not a message id");
  const state = ctx.search.state();
  if (!state.ready) throw new ClientError(ErrorCode.unavailable, "the search index is being built; try again later", undefined, state.retryAfterMs);
  const me = session.user!.key;
  let allows: (room: string) => boolean;
  if (frame.with !== undefined) {
    const conversation = dmRoom(me, checkName(frame.with).key);
    allows = (room) => room === conversation;
  } else {
    const only = frame.room === undefined ? undefined : roomKey(frame.room);
    const rooms = new Set((await ctx.membership.roomsOf(me)).filter((r) => only === undefined || r === only));
    // The user's own conversations: a `dm:` key naming them (room-keys.ts).
    allows = (room) => rooms.has(room) || (only === undefined && isDmRoom(room) && dmParties(room).includes(me));
  }
  const limit = Math.min(frame.limit ?? SEARCH_PAGE_DEFAULT, SEARCH_PAGE_MAX);
  const page = ctx.search.index.search(parseQuery(frame.q), { allows, limit, ...(frame.before === undefined ? {} : { before: frame.before }) });
  session.send({
    type: "results",
    q: frame.q,
    messages: page.hits.map((h) => ({ ...recordFrame(h.record), highlights: h.highlights })),
    complete: page.complete,
    ...(frame.ref === undefined ? {} : { ref: frame.ref }),
  });
}
