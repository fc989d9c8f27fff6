import { checkName, ClientError, ErrorCode } from "../../message/index.ts";
import { noteConversation } from "../state/user-state.ts";
import { dmRoom } from "../../../storage/chatlog/room-keys.ts";
import type { ChatContext } from "../context.ts";
import { foldedFrame } from "../frames.ts";
import type { MessageRecord } from "../../../storage/chatlog/types.ts";
import { checkId, checkRate } from "../checks.ts";
import { checkContent, sharedFiles } from "../attachments.ts";
import type { Session } from "../session.ts";
import { publishThenAck } from "./messages.ts";
import { checkReplyTo } from "./changes.ts";
import { resolveMentions } from "../mentions.ts";
import { messagePage } from "../pages.ts";
import { HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX, type Frame } from "./types.ts";

/** `dm`: a direct message to a registered user (stored in their conversation's stream). */
export async function dm(ctx: ChatContext, session: Session, frame: Frame<"dm">): Promise<void> {
  const to = checkName(frame.to).key;
  const text = checkContent(frame.text, frame.files, ctx.config.limits.maxTextLength);
  const target = await ctx.accounts.findUser(to);
  if (!target) throw new ClientError(ErrorCode.unknownUser, "no such user");
  checkRate(session, ctx.abuse, ctx.counters);
  const me = session.user!;
  const room = dmRoom(me.key, target.key);
  const files = await sharedFiles(ctx.attachments, me.key, frame.files);
  // A reply names a message of the same conversation; mentions name existing users (no @room in a DM).
  if (frame.replyTo !== undefined) await checkReplyTo(ctx, room, frame.replyTo);
  const mentions = await resolveMentions(text, ctx.accounts.findUser, false);
  const event = {
    room,
    from: me.name,
    to: target.name,
    text,
    ...(files ? { files } : {}),
    ...(frame.replyTo !== undefined ? { replyTo: frame.replyTo } : {}),
    ...(mentions ? { mentions } : {}),
    ...(frame.notice ? { notice: true as const } : {}),
    ...(frame.tags !== undefined && Object.keys(frame.tags).length > 0 ? { tags: frame.tags } : {}),
  };
  // Both sides' conversation index (see state/user-state.ts) is updated before the ack, so a new device lists the conversation at once.
  publishThenAck(ctx, session, event, frame.ref, {
    beforeAck: (record) =>
      Promise.all([
        noteConversation(ctx.users, me.key, { key: target.key, name: target.name }, record.id, record.ts),
        me.key === target.key ? undefined : noteConversation(ctx.users, target.key, { key: me.key, name: me.name }, record.id, record.ts),
      ]),
  });
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
  const page = await ctx.historyBudget.read(session, () => messagePage(ctx.broker, room, { after: frame.since, before: frame.before, limit }));
  const amended = await ctx.amendments.recall(ctx.broker, page.messages);
  session.send(await ctx.historyBudget.encode({ type: "dm_history", with: frame.with, messages: [], complete: page.complete }, "messages", page.messages, (record) => foldedFrame(record as MessageRecord, amended)));
}
