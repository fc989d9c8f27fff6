import { checkName, rateLimited } from "../../message/index.ts";
import { ClientError, ErrorCode } from "../../message/index.ts";
import { dmParties, dmRoom, isDmRoom } from "../../../storage/chatlog/room-keys.ts";
import type { ChatContext } from "../context.ts";
import { foldedFrame } from "../frames.ts";
import { checkId } from "../checks.ts";
import { roomKey } from "../room-key.ts";
import type { Session } from "../session.ts";
import { TokenBucket } from "../token-bucket.ts";
import { parseQuery } from "../../search/text.ts";
import type { Frame } from "./types.ts";

/** Results one `search` answer holds unless asked, and at most. */
export const SEARCH_PAGE_DEFAULT = 20;
export const SEARCH_PAGE_MAX = 100;

/** Each connection's own search bucket (limits.searchesPerSecond / searchBurst), made on its first search. */
const buckets = new WeakMap<Session, TokenBucket>();

/**
 * The rooms of search's scope: the user's stored membership (from the first
 * `join` until `leave`, on every node), and the rooms this connection has
 * joined (as findVisible in pages.ts). Not those of the user's other
 * connections: they may be on another node, and the answer must not depend on it.
 */
export async function roomsOf(ctx: Pick<ChatContext, "users">, session: Session): Promise<Set<string>> {
  const rooms = new Set<string>((await ctx.users.get(session.user!.key))?.rooms ?? []);
  for (const r of session.rooms) rooms.add(r);
  return rooms;
}

/** `search`: messages of the user's rooms and conversations that match `q`, newest first. */
export async function search(ctx: ChatContext, session: Session, frame: Frame<"search">): Promise<void> {
  const { limits } = ctx.config;
  let bucket = buckets.get(session);
  if (!bucket) buckets.set(session, (bucket = new TokenBucket(limits.searchesPerSecond, limits.searchBurst)));
  if (!bucket.take()) {
    ctx.counters.rateLimited += 1;
    throw rateLimited("too many searches; slow down", bucket.retryAfterMs());
  }
  const address = session.peer.remoteAddress;
  if (!ctx.abuse.takeSearch(address)) {
    // Refused by the address's limit: this connection's allowance was not used.
    bucket.refund();
    ctx.counters.rateLimited += 1;
    throw rateLimited("too many searches from this address; slow down", ctx.abuse.retryAfterMs(address, "searches"));
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
    const rooms = await roomsOf(ctx, session);
    // The user's own conversations: a `dm:` key naming them (room-keys.ts).
    allows = (room) => (only === undefined || room === only) && (rooms.has(room) || (only === undefined && isDmRoom(room) && dmParties(room).includes(me)));
  }
  const limit = Math.min(frame.limit ?? SEARCH_PAGE_DEFAULT, SEARCH_PAGE_MAX);
  const page = await ctx.search.search(parseQuery(frame.q), { allows, ...(frame.before === undefined ? {} : { before: frame.before }) }, limit);
  const hits = page.hits.filter((h) => !ctx.amendments.isDeleted(h.record.id));
  const amended = await ctx.amendments.recall(ctx.broker, hits.map((h) => h.record));
  session.send({
    type: "results",
    q: frame.q,
    // As history shows them (reactions, the edit's time), with the text that was checked and highlighted.
    messages: hits.map((h) => ({ ...foldedFrame(h.record, amended), text: h.record.text, highlights: h.highlights })),
    complete: page.complete,
    ...(frame.ref === undefined ? {} : { ref: frame.ref }),
  });
}
