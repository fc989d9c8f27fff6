import { ClientError, ErrorCode } from "../../message/index.ts";
import type { ChatContext } from "../context.ts";
import { roomFrames } from "../frames.ts";
import { messagePage } from "../pages.ts";
import { checkId, memberRoom } from "../checks.ts";
import { roomKey } from "../room-key.ts";
import type { Session } from "../session.ts";
import type { Frame } from "./types.ts";

/** `join`: joins the room and answers with its members and latest history (or what was missed since `since`). */
export async function join(ctx: ChatContext, session: Session, frame: Frame<"join">): Promise<void> {
  const { config, hub, abuse, presence, broker } = ctx;
  const room = roomKey(frame.room);
  checkId(frame.since, "since: not a message id");
  const { maxRoomsPerSession, historyPerRoom, historyOnJoin } = config.limits;
  if (!session.rooms.has(room) && session.rooms.size >= maxRoomsPerSession) {
    throw new ClientError(ErrorCode.tooManyRooms, `at most ${maxRoomsPerSession} rooms per connection`);
  }
  if (!session.joins.take()) throw new ClientError(ErrorCode.rateLimited, "too many joins; slow down");
  if (!abuse.takeJoin(session.peer.remoteAddress)) {
    // Refused by the address's limit: this connection's allowance was not used.
    session.joins.refund();
    throw new ClientError(ErrorCode.rateLimited, "too many joins; slow down");
  }
  const user = session.user!;
  // Presence first (counted on every node), so the join below still follows the history read directly.
  const firstHere = !hub.hasUser(room, user.key);
  const firstAnywhere = firstHere && (await presence.store.enter(room, user.name));
  const [everywhere] = await presence.store.members([room]);
  await ctx.amendments.ready;
  const page = await messagePage(broker, room, frame.since === undefined ? { limit: historyOnJoin } : { after: frame.since, limit: historyPerRoom });
  // Joining right after reading history, with no await between, means no stored
  // event can fall between the two: the client sees each message exactly once.
  if (!hub.sessions.has(session)) {
    // Gone meanwhile: undo the count, quietly (its join was never announced).
    if (firstHere && !hub.hasUser(room, user.key)) presence.store.exit(room, user.name).catch(() => {});
    return;
  }
  hub.join(session, room);
  session.send({
    type: "joined",
    room,
    members: [...new Set([...everywhere!, ...hub.members(room)])].sort(),
    history: roomFrames(page.messages, ctx.amendments),
    recovered: frame.since === undefined ? true : page.complete,
  });
  if (firstAnywhere) presence.announce(room, user.name, "join", session);
}

/** `leave`: leaves the room; the room hears of it if that was the user's last session in it anywhere. */
export function leave(ctx: ChatContext, session: Session, frame: Frame<"leave">): void {
  const room = memberRoom(session, frame.room);
  const gone = ctx.hub.leave(session, room);
  session.send({ type: "left", room });
  if (gone) ctx.presence.left(room, session.user!.name);
}

/** `rooms`: every room with how many members it has on every node. */
export async function rooms(ctx: ChatContext, session: Session): Promise<void> {
  const names = await ctx.directory.allNames();
  const members = await ctx.presence.store.members(names);
  session.send({ type: "rooms", rooms: names.map((name, i) => ({ name, members: members[i]!.length })) });
}

/** `typing`: told to the room's other members here and on other nodes; best effort, not stored. */
export function typing(ctx: ChatContext, session: Session, frame: Frame<"typing">): void {
  const room = memberRoom(session, frame.room);
  const user = session.user!.name;
  ctx.hub.toRoom(room, { type: "typing", room, user }, session);
  ctx.bus.publish({ kind: "typing", room, user, origin: ctx.presence.origin }).catch(() => {});
}
