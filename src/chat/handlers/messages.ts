import { encodeAck, type Ref } from "../../message/index.ts";
import type { RoomEvent } from "../../../storage/broker/types.ts";
import type { ChatContext } from "../context.ts";
import { roomFrames } from "../frames.ts";
import { checkId, checkRate, checkText, memberRoom } from "../checks.ts";
import { answerFailure } from "../failure.ts";
import { resolveMentions } from "../mentions.ts";
import { messagePage } from "../pages.ts";
import type { Session } from "../session.ts";
import { HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX, type Frame } from "./types.ts";
import { checkReplyTo } from "./changes.ts";

/** `say`: a message to a room the session is in (with `replyTo` and `mentions`, issue 19). */
export function say(ctx: ChatContext, session: Session, frame: Frame<"say">): void | Promise<void> {
  const room = memberRoom(session, frame.room);
  const text = checkText(frame.text, ctx.config.limits.maxTextLength);
  ctx.moderation.checkNotMuted(session.user!.key, room);
  checkRate(session, ctx.abuse, ctx.counters);
  const from = session.user!.name;
  // A plain message stays synchronous: no lookup unless it replies or may mention someone.
  if (frame.replyTo === undefined && !text.includes("@")) return publishThenAck(ctx, session, { room, from, text }, frame.ref);
  return (async () => {
    if (frame.replyTo !== undefined) await checkReplyTo(ctx, room, frame.replyTo);
    const mentions = await resolveMentions(text, ctx.accounts.findUser, true);
    const event: RoomEvent = { room, from, text, ...(frame.replyTo !== undefined ? { replyTo: frame.replyTo } : {}), ...(mentions ? { mentions } : {}) };
    publishThenAck(ctx, session, event, frame.ref);
  })();
}

/** `history`: a page of a room's messages, older than `before` or the latest, each with its latest state. */
export async function history(ctx: ChatContext, session: Session, frame: Frame<"history">): Promise<void> {
  const room = memberRoom(session, frame.room);
  checkId(frame.before, "before: not a message id");
  const limit = Math.min(frame.limit ?? HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX, ctx.config.limits.historyPerRoom);
  await ctx.amendments.ready;
  const page = await messagePage(ctx.broker, room, frame.before === undefined ? { limit } : { before: frame.before, limit });
  session.send({ type: "history", room, messages: roomFrames(page.messages, ctx.amendments), complete: page.complete });
}

/**
 * Publishes a room event from the session and acks it once durable. Not
 * awaited by the handler: the session's next frame need not wait for this
 * one's fsync. Publishes complete in order, so acks and deliveries keep order.
 * The session goes with the event as its origin: its own copy is held for the ack.
 * `ackId`: the id the ack names when it is not the stored event's own (an
 * amendment is acked with the id of the message it changed).
 */
export function publishThenAck(ctx: ChatContext, session: Session, event: RoomEvent, ref: Ref | undefined, ackId?: string): void {
  ctx.broker.publish(event, session).then(
    (record) => {
      ctx.counters.messagesIn += 1;
      session.send(encodeAck(ref, ackId ?? record.id, record.ts));
    },
    (error) => {
      ctx.logger.error("chat log append failed", { error: (error as Error).message });
      answerFailure(session, error, ref, ctx.logger);
    },
  );
}

