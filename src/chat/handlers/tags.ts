import { checkName, ClientError, encodeAck, ErrorCode, encode, type TagsNotice } from "../../message/index.ts";
import type { ChatContext } from "../context.ts";
import type { Hub } from "../hub.ts";
import { checkRate, memberRoom } from "../checks.ts";
import type { Session } from "../session.ts";
import type { Frame } from "./types.ts";
import type { BusEvent } from "../../../storage/bus/types.ts";

/**
 * `tags`: client-only tags on their own (IRC's TAGMSG), to a room the session
 * is in or to a user. Not stored: like `typing`, it reaches this node's
 * sessions at once and the other nodes over the bus, best effort. It counts
 * as a message against the message rate (a TAGMSG flood is a message flood),
 * a muted user cannot send one to the room, and the sender gets `ack` with
 * the id every recipient sees (IRC's msgid, so echo-message can answer it).
 */
export async function tags(ctx: ChatContext, session: Session, frame: Frame<"tags">): Promise<void> {
  const me = session.user!;
  if ((frame.room === undefined) === (frame.to === undefined)) throw new ClientError(ErrorCode.badFrame, "tags: give `room` or `to`");
  let notice: TagsNotice;
  let keys: [string, string] | undefined;
  const base = { id: crypto.randomUUID(), from: me.name, tags: frame.tags, ts: Date.now() };
  if (frame.room !== undefined) {
    const room = memberRoom(session, frame.room);
    ctx.moderation.checkNotMuted(me.key, room);
    checkRate(session, ctx.abuse, ctx.counters);
    notice = { type: "tags", ...base, room };
  } else {
    const target = await ctx.accounts.findUser(checkName(frame.to!).key);
    if (!target) throw new ClientError(ErrorCode.unknownUser, "no such user");
    checkRate(session, ctx.abuse, ctx.counters);
    notice = { type: "tags", ...base, to: target.name };
    keys = [me.key, target.key];
  }
  // The sender has the ack; to oneself, it is also what one receives.
  const toSelf = keys !== undefined && keys[0] === keys[1];
  deliverTags(ctx.hub, notice, keys, toSelf ? undefined : session);
  const { type: _type, ...fields } = notice;
  ctx.bus.publish({ kind: "tags", ...fields, ...(keys ? { keys } : {}), origin: ctx.presence.origin }).catch(() => {});
  session.send(encodeAck(frame.ref, notice.id, notice.ts));
}

/** The frame of a `tags` event from the bus. */
export function tagsNotice(event: Extract<BusEvent, { kind: "tags" }>): TagsNotice {
  const { id, from, room, to, tags, ts } = event;
  return room !== undefined ? { type: "tags", id, room, from, tags, ts } : { type: "tags", id, from, to: to!, tags, ts };
}

/** A `tags` notice to this node's sessions: the room's members, or both sides of a conversation (`keys`), but `except`. */
export function deliverTags(hub: Hub, notice: TagsNotice, keys: readonly [string, string] | undefined, except?: Session): void {
  if (notice.room !== undefined) return hub.toRoom(notice.room, notice, except);
  if (!keys) return;
  const encoded = encode(notice);
  for (const s of new Set([...hub.userSessions(keys[0]), ...hub.userSessions(keys[1])])) if (s !== except) hub.write(s, encoded);
}
