import { checkName, ClientError, ErrorCode } from "../../message/index.ts";
import { dmRoom } from "../../../storage/chatlog/room-keys.ts";
import type { ChatContext } from "../context.ts";
import { directFrames } from "../frames.ts";
import { checkId, checkRate, checkText } from "../checks.ts";
import type { Session } from "../session.ts";
import { publishThenAck } from "./messages.ts";
import { checkReplyTo } from "./changes.ts";
import { resolveMentions } from "../mentions.ts";
import { messagePage } from "../pages.ts";
import { HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX, type Frame } from "./types.ts";

/** `dm`: a direct message to a registered user (stored in their conversation's stream). */
export async function dm(ctx: ChatContext, session: Session, frame: Frame<"dm">): Promise<void> {
  const to = checkName(frame.to).key;
  const text = checkText(frame.text, ctx.config.limits.maxTextLength);
  const target = await ctx.accounts.findUser(to);
  if (!target) throw new ClientError(ErrorCode.unknownUser, "no such user");
  checkRate(session, ctx.abuse, ctx.counters);
  const me = session.user!;
  const room = dmRoom(me.key, target.key);
  // Issue 19: a reply names a message of the same conversation; mentions name existing users (no @room in a DM).
  if (frame.replyTo !== undefined) await checkReplyTo(ctx, room, frame.replyTo);
  const mentions = await resolveMentions(text, ctx.accounts.findUser, false);
  publishThenAck(
    ctx,
    session,
    { room, from: me.name, to: target.name, text, ...(frame.replyTo !== undefined ? { replyTo: frame.replyTo } : {}), ...(mentions ? { mentions } : {}) },
    frame.ref,
  );
}

/** `dm_history`: a page of the conversation with another user. */
export async function dmHistory(ctx: ChatContext, session: Session, frame: Frame<"dm_history">): Promise<void> {
  const other = checkName(frame.with);
  checkId(frame.before, "not a message id");
  checkId(frame.since, "not a message id");
  const room = dmRoom(session.user!.key, other.key);
  const { historyPerRoom } = ctx.config.limits;
  const limit = frame.since !== undefined ? historyPerRoom : Math.min(frame.limit ?? HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX, historyPerRoom);
  await ctx.amendments.ready;
  const page = await messagePage(ctx.broker, room, { after: frame.since, before: frame.before, limit });
  session.send({ type: "dm_history", with: frame.with, messages: directFrames(page.messages, ctx.amendments), complete: page.complete });
}
