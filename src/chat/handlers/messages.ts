import { encodeAck, type Ref } from "../../message/index.ts";
import type { RoomEvent, StoredEvent } from "../../../storage/broker/types.ts";
import type { ChatContext } from "../context.ts";
import { foldedFrame } from "../frames.ts";
import { isMessage, type MessageRecord } from "../../../storage/chatlog/types.ts";
import { checkId, checkRate, memberRoom } from "../checks.ts";
import { attachFilesOf, checkContent, sharedFiles } from "../attachments.ts";
import { answerFailure } from "../failure.ts";
import { answerBeforeClose } from "../close-after-acks.ts";
import { resolveMentions } from "../mentions.ts";
import { messagePage } from "../pages.ts";
import type { Session } from "../session.ts";
import { HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX, type Frame } from "./types.ts";
import { checkReplyTo } from "./changes.ts";

export type AckOptions = {
  /** Also made durable before the ack (a conversation index, files let go of...). */
  beforeAck?: (record: StoredEvent) => Promise<unknown>;
  /** The id the ack names when it is not the stored event's own (an amendment is acked with its message's id). */
  ackId?: string;
  /** Runs when the event was not stored (or what had to follow it failed), before the error is sent. */
  onFailure?: () => void;
};

/** `say`: a message to a room the session is in (with `files`, `replyTo` and `mentions`). */
export function say(ctx: ChatContext, session: Session, frame: Frame<"say">): void | Promise<void> {
  const room = memberRoom(session, frame.room);
  const text = checkContent(frame.text, frame.files, ctx.config.limits.maxTextLength);
  ctx.moderation.checkNotMuted(session.user!.key, room);
  checkRate(session, ctx.abuse, ctx.counters);
  ctx.typing.ended(session.user!.key, room);
  const from = session.user!.name;
  // A plain message stays synchronous (the hot path): no look-up unless it shares files, replies or may mention someone.
  if (!frame.files?.length && frame.replyTo === undefined && !text.includes("@")) {
    const event: Omit<MessageRecord, "id" | "ts"> = frame.notice ? { room, from, text, notice: true } : { room, from, text };
    if (frame.tags !== undefined && Object.keys(frame.tags).length > 0) event.tags = frame.tags;
    return publishThenAck(ctx, session, event, frame.ref);
  }
  return (async () => {
    const files = await sharedFiles(ctx.attachments, session.user!.key, frame.files);
    if (frame.replyTo !== undefined) await checkReplyTo(ctx, room, frame.replyTo);
    const mentions = await resolveMentions(text, ctx.accounts.findUser, true);
    const event: RoomEvent = {
      room,
      from,
      text,
      ...(files ? { files } : {}),
      ...(frame.replyTo !== undefined ? { replyTo: frame.replyTo } : {}),
      ...(mentions ? { mentions } : {}),
      ...(frame.notice ? { notice: true as const } : {}),
      ...(frame.tags !== undefined && Object.keys(frame.tags).length > 0 ? { tags: frame.tags } : {}),
    };
    publishThenAck(ctx, session, event, frame.ref);
  })();
}

/** `history`: a page of a room's messages, older than `before` or the latest, each with its latest state. */
export async function history(ctx: ChatContext, session: Session, frame: Frame<"history">): Promise<void> {
  const room = memberRoom(session, frame.room);
  checkId(frame.before, "before: not a message id");
  const limit = Math.min(frame.limit ?? HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX, ctx.config.limits.historyPerRoom);
  await ctx.amendments.ready;
  const page = await ctx.historyBudget.read(session, () => messagePage(ctx.broker, room, frame.before === undefined ? { limit } : { before: frame.before, limit }));
  const amended = await ctx.amendments.recall(ctx.broker, page.messages);
  session.send(await ctx.historyBudget.encode({ type: "history", room, messages: [], complete: page.complete }, "messages", page.messages, (record) => foldedFrame(record as MessageRecord, amended)));
}

/**
 * Publishes a room event from the session and acks it once durable. Not
 * awaited by the handler: the session's next frame need not wait for this
 * one's fsync. Publishes complete in order, so acks and deliveries keep order.
 * The session goes with the event as its origin: its own copy is held for the ack.
 * `ackId`: the id the ack names when it is not the stored event's own (an
 * amendment is acked with the id of the message it changed).
 */
export function publishThenAck(ctx: ChatContext, session: Session, event: RoomEvent, ref: Ref | undefined, options: AckOptions = {}): void {
  const { beforeAck, ackId, onFailure } = options;
  const stored = ctx.broker.publish(event, session);
  // A message that shares files refers to them before its ack (see attachFilesOf).
  const attached = !("files" in event) || event.files === undefined ? stored : stored.then(async (record) => (await attachFilesOf(ctx.attachments, record), record));
  const durable = beforeAck === undefined ? attached : attached.then(async (record) => (await beforeAck(record), record));
  // Counted as outstanding, so an abuse close waits for this answer (see close-after-acks.ts).
  answerBeforeClose(session, durable.then(
    (record) => {
      // Chat messages only (say, dm): an edit, deletion, reaction or topic is stored the same way but is none.
      if (isMessage(record)) ctx.counters.messagesIn += 1;
      session.send(encodeAck(ref, ackId ?? record.id, record.ts));
    },
    (error) => {
      onFailure?.();
      ctx.logger.error("chat log append failed", { error: (error as Error).message });
      answerFailure(session, error, ref, ctx.logger);
    },
  ));
}
