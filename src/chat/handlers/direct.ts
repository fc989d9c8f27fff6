import { checkName, ClientError, encodeAck, ErrorCode, type Ref } from "../../message/index.ts";
import type { RoomEvent } from "../../../storage/broker/types.ts";
import { answerFailure } from "../failure.ts";
import { noteConversation } from "../state/user-state.ts";
import { dmRoom } from "../../../storage/chatlog/room-keys.ts";
import type { ChatContext } from "../context.ts";
import { directFrames } from "../frames.ts";
import { checkId, checkRate, checkText } from "../checks.ts";
import type { Session } from "../session.ts";
import { HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX, type Frame } from "./types.ts";

/** `dm`: a direct message to a registered user (stored in their conversation's stream). */
export async function dm(ctx: ChatContext, session: Session, frame: Frame<"dm">): Promise<void> {
  const to = checkName(frame.to).key;
  const text = checkText(frame.text, ctx.config.limits.maxTextLength);
  const target = await ctx.accounts.findUser(to);
  if (!target) throw new ClientError(ErrorCode.unknownUser, "no such user");
  checkRate(session, ctx.abuse, ctx.counters);
  const me = session.user!;
  publishThenIndex(ctx, session, { room: dmRoom(me.key, target.key), from: me.name, to: target.name, text }, frame.ref, { key: target.key, name: target.name });
}

/**
 * Conversation state: `publishThenAck` for a direct message, with both sides'
 * conversation index (see state/user-state.ts) updated before the ack, so a
 * new device lists the conversation at once.
 */
function publishThenIndex(ctx: ChatContext, session: Session, event: RoomEvent, ref: Ref | undefined, to: { key: string; name: string }): void {
  const me = session.user!;
  ctx.broker
    .publish(event, session)
    .then(async (record) => {
      await Promise.all([
        noteConversation(ctx.users, me.key, to, record.id, record.ts),
        me.key === to.key ? undefined : noteConversation(ctx.users, to.key, { key: me.key, name: me.name }, record.id, record.ts),
      ]);
      return record;
    })
    .then(
      (record) => {
        ctx.counters.messagesIn += 1;
        session.send(encodeAck(ref, record.id, record.ts));
      },
      (error) => {
        ctx.logger.error("chat log append failed", { error: (error as Error).message });
        answerFailure(session, error, ref, ctx.logger);
      },
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
  const page = await ctx.broker.history(room, { after: frame.since, before: frame.before, limit });
  session.send({ type: "dm_history", with: frame.with, messages: directFrames(page.messages), complete: page.complete });
}
