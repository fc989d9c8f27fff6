import { encodeAck, type Ref } from "../../message/index.ts";
import type { RoomEvent, StoredEvent } from "../../../storage/broker/types.ts";
import type { ChatContext } from "../context.ts";
import { roomFrames } from "../frames.ts";
import { checkId, checkRate, memberRoom } from "../checks.ts";
import { attachFilesOf, checkContent, sharedFiles } from "../attachments.ts";
import { answerFailure } from "../failure.ts";
import { answerBeforeClose } from "../close-after-acks.ts";
import type { Session } from "../session.ts";
import { HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX, type Frame } from "./types.ts";

/** `say`: a message to a room the session is in. */
export function say(ctx: ChatContext, session: Session, frame: Frame<"say">): void | Promise<void> {
  const room = memberRoom(session, frame.room);
  const text = checkContent(frame.text, frame.files, ctx.config.limits.maxTextLength);
  ctx.moderation.checkNotMuted(session.user!.key, room);
  checkRate(session, ctx.abuse, ctx.counters);
  ctx.typing.ended(session.user!.key, room);
  const event: RoomEvent = { room, from: session.user!.name, text };
  // Without files the path stays synchronous (the hot path).
  if (!frame.files?.length) return publishThenAck(ctx, session, event, frame.ref);
  return sharedFiles(ctx.attachments, session.user!.key, frame.files).then((files) => publishThenAck(ctx, session, { ...event, files }, frame.ref));
}

/** `history`: a page of a room's messages, older than `before` or the latest. */
export async function history(ctx: ChatContext, session: Session, frame: Frame<"history">): Promise<void> {
  const room = memberRoom(session, frame.room);
  checkId(frame.before, "before: not a message id");
  const limit = Math.min(frame.limit ?? HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX, ctx.config.limits.historyPerRoom);
  const page = await ctx.historyBudget.read(session, () => ctx.broker.history(room, frame.before === undefined ? { limit } : { before: frame.before, limit }));
  session.send({ type: "history", room, messages: roomFrames(page.messages), complete: page.complete });
}

/**
 * Publishes a room event from the session and acks it once durable. Not
 * awaited by the handler: the session's next frame need not wait for this
 * one's fsync. Publishes complete in order, so acks and deliveries keep order.
 * The session goes with the event as its origin: its own copy is held for the ack.
 */
export function publishThenAck(
  ctx: ChatContext,
  session: Session,
  event: RoomEvent,
  ref: Ref | undefined,
  /** Also stored before the ack (a conversation index, files released...). */
  beforeAck?: (record: StoredEvent) => Promise<unknown>,
): void {
  const stored = ctx.broker.publish(event, session);
  // A message that shares files refers to them before its ack (see attachFilesOf).
  const attached = !("files" in event) || event.files === undefined ? stored : stored.then(async (record) => (await attachFilesOf(ctx.attachments, record), record));
  const durable = beforeAck === undefined ? attached : attached.then(async (record) => (await beforeAck(record), record));
  // Counted as outstanding, so an abuse close waits for this answer (see close-after-acks.ts).
  answerBeforeClose(session, durable.then(
    (record) => {
      ctx.counters.messagesIn += 1;
      session.send(encodeAck(ref, record.id, record.ts));
    },
    (error) => {
      ctx.logger.error("chat log append failed", { error: (error as Error).message });
      answerFailure(session, error, ref, ctx.logger);
    },
  ));
}
