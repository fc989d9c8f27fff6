import { ClientError, ErrorCode, isReactionEmoji, normalizeName } from "../../message/index.ts";
import { isDmRoom } from "../../../storage/chatlog/room-keys.ts";
import type { MessageRecord } from "../../../storage/chatlog/types.ts";
import type { ChatContext } from "../context.ts";
import type { RoomEvent } from "../../../storage/broker/types.ts";
import { checkRate, textTooLong } from "../checks.ts";
import { checkContent, releaseFilesOf } from "../attachments.ts";
import { resolveMentions } from "../mentions.ts";
import { findInStream, findVisible } from "../pages.ts";
import type { Session } from "../session.ts";
import { publishThenAck } from "./messages.ts";
import { actingRole, mayModerate } from "../roles.ts";
import type { Frame } from "./types.ts";

/**
 * Issue 19: edit, delete and react. Each is a stored amendment record in the
 * message's own stream, published like a message (durable before its `ack`,
 * delivered by the hub as `edited`, `deleted` or `reaction`), counted against
 * the session's message rate, and folded into pages by the Amendments state.
 */

/** At most this many different reactions on one message (`too_large`). */
export const REACTIONS_MAX = 20;

/** `replyTo` of a `say` or `dm`: a message, not deleted, in the same room or conversation; `not_found` otherwise. */
export async function checkReplyTo(ctx: ChatContext, stream: string, id: string): Promise<void> {
  await ctx.amendments.ready;
  if (ctx.amendments.isDeleted(id) || !(await findInStream(ctx.broker, stream, id))) {
    throw new ClientError(ErrorCode.notFound, "replyTo: no such message here");
  }
}

/** Where the message is, for its amendment record: its stream, its author and (a DM) its `to`. */
function target(message: MessageRecord) {
  const base = { room: message.room, target: message.id, author: message.from };
  return message.to === undefined ? base : { ...base, to: message.to };
}

function isAuthor(session: Session, message: MessageRecord): boolean {
  const n = normalizeName(message.from);
  return !("error" in n) && n.key === session.user!.key;
}

/** `edit {id, text}`: by the author only; every member gets `edited`. */
export async function edit(ctx: ChatContext, session: Session, frame: Frame<"edit">): Promise<void> {
  if (frame.text.length > ctx.config.limits.maxTextLength) throw textTooLong(ctx.config.limits.maxTextLength);
  checkRate(session, ctx.abuse, ctx.counters);
  await ctx.amendments.ready;
  const message = await findVisible(ctx.broker, ctx.amendments, ctx.users, session, frame.id);
  if (!isAuthor(session, message)) throw new ClientError(ErrorCode.forbidden, "only its author may edit a message");
  // Blank only if the message shares files (as in `say`).
  const text = checkContent(frame.text, message.files?.map((f) => f.id), ctx.config.limits.maxTextLength);
  const dm = isDmRoom(message.room);
  if (!dm) ctx.moderation.checkNotMuted(session.user!.key, message.room);
  const mentions = await resolveMentions(text, ctx.accounts.findUser, !dm);
  const event: RoomEvent = { kind: "edit", ...target(message), by: session.user!.name, text, ...(mentions ? { mentions } : {}) };
  publishThenAck(ctx, session, event, frame.ref, { ackId: message.id });
}

/**
 * `delete {id}`: by the author, or in a room by a moderator or admin (their
 * stored role, or their connection's grant: see roles.ts); every member gets `deleted`. The message lets go of its files
 * before the ack: each one no other message shares is removed.
 */
export async function remove(ctx: ChatContext, session: Session, frame: Frame<"delete">): Promise<void> {
  checkRate(session, ctx.abuse, ctx.counters);
  await ctx.amendments.ready;
  const message = await findVisible(ctx.broker, ctx.amendments, ctx.users, session, frame.id);
  const moderated = !isAuthor(session, message);
  if (moderated) {
    // In a direct conversation only the author may: no role (nor a connection's grant) counts there.
    const role = isDmRoom(message.room) ? undefined : actingRole((await ctx.accounts.findUser(session.user!.key))?.role, session);
    if (!mayModerate(role)) throw new ClientError(ErrorCode.forbidden, "only its author or a moderator may delete a message");
  }
  // Seen as deleted by the next edit, reaction or delete even before this one is stored and applied.
  ctx.amendments.deleting(message.id);
  publishThenAck(ctx, session, { kind: "delete", ...target(message), by: session.user!.name }, frame.ref, {
    ackId: message.id,
    onFailure: () => ctx.amendments.deleteFailed(message.id),
    beforeAck: async () => {
      await releaseFilesOf(ctx.attachments, message);
      // A moderator's action, logged like a kick or a mute (an author deleting their own message is not one).
      if (moderated) ctx.logger.info("message deleted", { by: session.user!.name, user: message.from, room: message.room, id: message.id });
    },
  });
}

/** `react {id, emoji}`: toggles the user's reaction; every member gets `reaction`. */
export async function react(ctx: ChatContext, session: Session, frame: Frame<"react">): Promise<void> {
  if (!isReactionEmoji(frame.emoji)) throw new ClientError(ErrorCode.badFrame, "emoji: not one emoji or a :short_name: of at most 32 characters");
  checkRate(session, ctx.abuse, ctx.counters);
  await ctx.amendments.ready;
  const message = await findVisible(ctx.broker, ctx.amendments, ctx.users, session, frame.id);
  if (!isDmRoom(message.room)) ctx.moderation.checkNotMuted(session.user!.key, message.room);
  const user = session.user!.name;
  // Its reactions as stored, even if they were evicted from memory.
  const state = (await ctx.amendments.recall(ctx.broker, [message])).get(message.id);
  const on = !ctx.amendments.hasReaction(message.id, frame.emoji, user, state);
  if (on && !ctx.amendments.hasEmoji(message.id, frame.emoji, state) && ctx.amendments.reactionCount(message.id, state) >= REACTIONS_MAX) {
    throw new ClientError(ErrorCode.tooLarge, `at most ${REACTIONS_MAX} different reactions on a message`);
  }
  // Seen by this user's next toggle even before this one is stored and applied.
  ctx.amendments.toggling(message.id, frame.emoji, user, on);
  publishThenAck(ctx, session, { kind: "react", ...target(message), by: user, emoji: frame.emoji, on }, frame.ref, {
    ackId: message.id,
    onFailure: () => ctx.amendments.toggled(message.id, frame.emoji, user),
  });
}
