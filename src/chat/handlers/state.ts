import { checkName, ClientError, encodeAck, ErrorCode, rateLimited, waitText, withinChars } from "../../message/index.ts";
import type { ChatContext } from "../context.ts";
import { checkId } from "../checks.ts";
import { roomKey } from "../room-key.ts";
import type { Session } from "../session.ts";
import { dmRoom } from "../../../storage/chatlog/room-keys.ts";
import { belongs, belongsTest, clampMarker, moveMarker, newestKept, roomMarker, withMarker } from "../state/user-state.ts";
import type { Frame } from "./types.ts";
import { publishThenAck } from "./messages.ts";
import { isRoomOperator } from "./modes.ts";

/** The most characters a topic holds. */
export const TOPIC_MAX_LENGTH = 300;

/** The user's record, read now (another node may have changed it). */
async function record(ctx: ChatContext, session: Session) {
  const user = await ctx.users.get(session.user!.key);
  if (!user) throw new ClientError(ErrorCode.authFailed, "this account is gone");
  return user;
}

/**
 * `read {room | with, id}`: moves the user's read marker (durable), then every
 * other session of the user, on every node, gets the same `read` frame, and
 * with a `ref` this one gets `ack`. A marker never moves back (an id at or
 * before it changes nothing) and never past the newest record the stream keeps
 * (read from the log, so the same on every node): an id beyond it is stored
 * as that newest one. The frame and the ack carry the marker as stored.
 */
export async function read(ctx: ChatContext, session: Session, frame: Frame<"read">): Promise<void> {
  if ((frame.room === undefined) === (frame.with === undefined)) throw new ClientError(ErrorCode.badFrame, "read: give `room` or `with`");
  checkId(frame.id, "id: not a message id");
  ctx.stateLimits.takeRequest(session);
  const me = session.user!;
  let stream: string;
  let marker: string;
  let about: { room: string } | { with: string };
  if (frame.room !== undefined) {
    const room = roomKey(frame.room);
    if (!belongs(await record(ctx, session), room)) throw new ClientError(ErrorCode.notInRoom, `not in room ${room}`);
    [stream, marker, about] = [room, roomMarker(room), { room }];
  } else {
    const other = await ctx.accounts.findUser(checkName(frame.with!).key);
    if (!other) throw new ClientError(ErrorCode.unknownUser, "no such user");
    [stream, marker, about] = [dmRoom(me.key, other.key), withMarker(other.key), { with: other.name }];
  }
  const newest = await newestKept(ctx.broker, stream);
  if (newest === undefined) throw new ClientError(ErrorCode.notFound, "nothing to read there: it keeps no record yet");
  const stored = await moveMarker(ctx.users, me.key, marker, clampMarker(frame.id, newest));
  if (stored.moved) await ctx.bus.publish({ kind: "read", user: me.key, ...about, id: stored.id, origin: ctx.presence.origin, session: session.id });
  // The marker is durable: a request with a `ref` is answered (its `id` the marker as stored).
  if (frame.ref !== undefined) session.send(encodeAck(frame.ref, stored.id, Date.now()));
}

/**
 * `topic {room, text}`: members of the room set its topic (empty text clears
 * it); under `topicLock` (issue 21) only its operators, server moderators and
 * admins (`forbidden` for the others). A stored room event like a message: kept in the room's stream and in
 * the room store before the `ack`, and every member on every node gets `topic`.
 */
export async function topic(ctx: ChatContext, session: Session, frame: Frame<"topic">): Promise<void> {
  const room = roomKey(frame.room);
  // The bound is on the topic kept: surrounding white space is trimmed before it is measured.
  const text = frame.text.trim();
  if (!withinChars(text, TOPIC_MAX_LENGTH)) throw new ClientError(ErrorCode.tooLarge, `a topic is at most ${TOPIC_MAX_LENGTH} characters`);
  ctx.stateLimits.takeRequest(session);
  const me = await record(ctx, session);
  if (!belongs(me, room)) throw new ClientError(ErrorCode.notInRoom, `not in room ${room}`);
  const info = ctx.directory.get(room);
  if (info?.topicLock && !isRoomOperator(info, me)) throw new ClientError(ErrorCode.forbidden, `the topic of ${room} is locked: only its operators may set it`);
  ctx.moderation.checkNotMuted(session.user!.key, room);
  const by = session.user!.name;
  publishThenAck(ctx, session, { kind: "topic", room, by, text }, frame.ref, {
    beforeAck: (stored) => ctx.directory.storeTopic(room, { text, by, ts: stored.ts }),
  });
}

/** `rooms {query?, after?, limit?}`: one page of the room directory (a secret room only to its members). */
export async function rooms(ctx: ChatContext, session: Session, frame: Frame<"rooms">): Promise<void> {
  ctx.stateLimits.takeRequest(session);
  const me = await record(ctx, session);
  const page = await ctx.directory.page({
    mine: belongsTest(me),
    ...(frame.query !== undefined ? { query: frame.query } : {}),
    ...(frame.after !== undefined ? { after: frame.after } : {}),
    ...(frame.limit !== undefined ? { limit: frame.limit } : {}),
  });
  session.send({ type: "rooms", ...page, ...(frame.ref === undefined ? {} : { ref: frame.ref }) });
}

/**
 * `password {old, new}`: under the sign-in back-off (a wrong `old` is a failed
 * sign-in); answers `password_changed` with the only valid token, and every
 * other session of the user, on every node, closes with 4002.
 */
export async function password(ctx: ChatContext, session: Session, frame: Frame<"password">): Promise<void> {
  const me = session.user!;
  const address = session.peer.remoteAddress;
  // Held to the sign-in limits of `hello`: the connection's allowance (made anew after the
  // hello), then the address's rate and the back-off. Each try costs bcrypt work.
  // Worded as hello's refusals are (docs/security.md quotes the back-off's).
  if (!session.signIns.take()) {
    const wait = session.signIns.retryAfterMs();
    throw rateLimited(`too many password attempts on this connection; try again in ${waitText(wait)}`, wait);
  }
  if (!ctx.abuse.mayTrySignIn(address, me.key)) {
    const { backOff, retryAfterMs } = ctx.abuse.signInRefusal(address, me.key);
    const what = backOff ? "too many failed sign-ins" : "too many sign-in attempts from this address";
    throw rateLimited(`${what}; try again in ${waitText(retryAfterMs)}`, retryAfterMs);
  }
  let token: string | undefined;
  try {
    token = await ctx.accounts.setPassword(me.key, frame.new, frame.old);
  } catch (error) {
    if (error instanceof ClientError && error.code === ErrorCode.authFailed) ctx.abuse.signInFailed(address, me.key);
    throw error;
  }
  if (!token) throw new ClientError(ErrorCode.authFailed, "this account is gone");
  session.token = token;
  session.send({ type: "password_changed", token, ...(frame.ref === undefined ? {} : { ref: frame.ref }) });
  await ctx.bus.publish({ kind: "password", user: me.key, keep: { origin: ctx.presence.origin, session: session.id } });
}
