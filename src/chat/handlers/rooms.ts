import { ClientError, ErrorCode, rateLimited } from "../../message/index.ts";
import type { ChatContext } from "../context.ts";
import { recordFrame, roomFrames, type RecordFrame } from "../frames.ts";
import { isAmendment, isMessage, type ChatRecord } from "../../../storage/chatlog/types.ts";
import { messagePage } from "../pages.ts";
import { checkId, memberRoom } from "../checks.ts";
import { roomKey } from "../room-key.ts";
import type { AmendedView } from "../amendments.ts";
import type { Session } from "../session.ts";
import type { Frame } from "./types.ts";
import { roomModes } from "./modes.ts";
import { addMembership, belongs, countUnread, removeMembership, UNREAD_READ, roomMarker } from "../state/user-state.ts";

/** `join`: joins the room and answers with its members and latest history (or what was missed since `since`). */
export async function join(ctx: ChatContext, session: Session, frame: Frame<"join">): Promise<void> {
  const { config, hub, abuse, presence, broker } = ctx;
  const room = roomKey(frame.room);
  checkId(frame.since, "since: not a message id");
  const { maxRoomsPerSession, historyPerRoom, historyOnJoin } = config.limits;
  if (!session.rooms.has(room) && session.rooms.size >= maxRoomsPerSession) {
    throw new ClientError(ErrorCode.tooManyRooms, `at most ${maxRoomsPerSession} rooms per connection`);
  }
  if (!session.joins.take()) throw rateLimited("too many joins; slow down", session.joins.retryAfterMs());
  if (!abuse.takeJoin(session.peer.remoteAddress)) {
    // Refused by the address's limit: this connection's allowance was not used.
    session.joins.refund();
    throw rateLimited("too many joins from this address; slow down", abuse.retryAfterMs(session.peer.remoteAddress, "joins"));
  }
  await ctx.roomNames.check(frame.room, room);
  const user = session.user!;
  // Conversation state: a new room within the creation caps; the user belongs to the room (durable) before `joined`.
  if (!ctx.directory.has(room)) {
    ctx.stateLimits.takeCreation(user.key, session.peer.remoteAddress, ctx.directory.size);
    await ctx.directory.create(room, user.name);
  }
  const stored = await ctx.users.get(user.key);
  const lastRead = stored?.reads?.[roomMarker(room)];
  // The membership write (its fsyncs wait on the disk) runs while the unread count is read; both end before presence and `joined`.
  const [, unread] = await Promise.all([
    stored && !belongs(stored, room) ? belongTo(ctx, user.key, room) : undefined,
    ctx.amendments.ready.then(() => countUnread(broker, room, lastRead, user.name, UNREAD_READ, (records) => ctx.amendments.recall(broker, records))),
  ]);
  // Presence first (counted on every node), so the join below still follows the history read directly.
  const firstHere = !hub.hasUser(room, user.key);
  const firstAnywhere = firstHere && (await presence.store.enter(room, user.name));
  const [everywhere] = await presence.store.members([room]);
  // With `since`, the page is every record after it (messages and changes: see below); without, the newest messages.
  const read = () => (frame.since === undefined ? messagePage(broker, room, { limit: historyOnJoin }) : broker.history(room, { after: frame.since, limit: historyPerRoom }));
  let page = await read();
  let amended: AmendedView = ctx.amendments;
  if (ctx.amendments.needsRecall(page.messages)) {
    // Evicted changes read back from the log first; then the page again, so no await falls between it and the join.
    amended = await ctx.amendments.recall(broker, page.messages);
    page = await read();
  }
  // Joining right after reading history, with no await between, means no stored
  // event can fall between the two: the client sees each message exactly once.
  if (!hub.sessions.has(session)) {
    // Gone meanwhile: undo the count, quietly (its join was never announced).
    if (firstHere && !hub.hasUser(room, user.key)) presence.store.exit(room, user.name).catch(() => {});
    return;
  }
  hub.join(session, room);
  // Read now, with the join: a topic stored since is listed already (the broker's handler lists it before the hub sends it).
  const topic = ctx.directory.topic(room)?.text;
  session.send({
    type: "joined",
    room,
    members: hub.membersWith(room, everywhere!),
    history: roomFrames(page.messages, amended),
    recovered: frame.since === undefined ? true : page.complete,
    ...(topic ? { topic } : {}),
    lastRead: lastRead ?? null,
    unread: unread.count,
    ...roomModes(ctx.directory.get(room)),
  });
  // Changes stored after `since` to messages before it (and topics) follow as their own frames, as they would have live.
  if (frame.since !== undefined) {
    for (const change of missedChanges(page.messages, (id) => ctx.amendments.wasDeleted(id), ctx.directory.get(room)?.createdAt)) session.send(change);
  }
  if (firstAnywhere) presence.announce(room, user.name, "join", session);
}

/** The user now belongs to the room (durable), and the room counts them if they did not already. */
async function belongTo(ctx: ChatContext, userKey: string, room: string): Promise<void> {
  if (await addMembership(ctx.users, userKey, room)) await ctx.directory.changeMembers(room, 1);
}

/**
 * `leave`: the user no longer belongs to the room (durable), and this session
 * leaves it; the room hears of it if that was the user's last session in it
 * anywhere. A user who belongs to a room may leave it from a session that did
 * not join it.
 */
export async function leave(ctx: ChatContext, session: Session, frame: Frame<"leave">): Promise<void> {
  const user = session.user!;
  const room = roomKey(frame.room);
  const here = session.rooms.has(room);
  const stored = await ctx.users.get(user.key);
  if (!here && !(stored && belongs(stored, room))) memberRoom(session, frame.room);
  if (await removeMembership(ctx.users, user.key, room)) await ctx.directory.changeMembers(room, -1);
  if (!session.rooms.has(room)) return session.send({ type: "left", room });
  const gone = ctx.hub.leave(session, room);
  session.send({ type: "left", room });
  if (gone) ctx.presence.left(room, user.name, { reason: ctx.moderation.said(user.key, room, frame.reason) });
}

/** `typing`: told to the room's other members here and on other nodes; best effort, not stored. */
export function typing(ctx: ChatContext, session: Session, frame: Frame<"typing">): void {
  const room = memberRoom(session, frame.room);
  if (!ctx.typing.pass(session, room)) return;
  const user = session.user!.name;
  ctx.hub.toRoom(room, { type: "typing", room, user }, session);
  ctx.bus.publish({ kind: "typing", room, user, origin: ctx.presence.origin }).catch(() => {});
}

/**
 * The frames of the changes in a page that its messages do not already show
 * (their message is older than the page), as they were told live: not a change
 * stored after its message's deletion (another node's, at the same instant),
 * which nobody was told of (amendThenDeliver). A topic or mode change from
 * before the room was last created (`createdAt`: it was forgotten, then joined
 * again) is left out: it is no longer the room's, and `joined` just said so.
 */
function missedChanges(records: ChatRecord[], wasDeleted: (id: string) => boolean, createdAt = 0): RecordFrame[] {
  const inPage = new Set<string>();
  // The deletions in the page, by message: a change before its message's deletion was told, one after it was not.
  const deletedAt = new Map<string, string>();
  for (const r of records) if (isAmendment(r) && r.kind === "delete" && !deletedAt.has(r.target)) deletedAt.set(r.target, r.id);
  const frames: RecordFrame[] = [];
  for (const r of records) {
    if (isMessage(r)) inPage.add(r.id);
    else if (!isAmendment(r)) {
      if (r.ts >= createdAt) frames.push(recordFrame(r));
    } else if (!inPage.has(r.target) && (deletedAt.has(r.target) ? r.id <= deletedAt.get(r.target)! : !wasDeleted(r.target))) frames.push(recordFrame(r));
  }
  return frames;
}
