import { checkName, ClientError, ErrorCode } from "../../message/index.ts";
import type { RoomInfo, RoomModeChange } from "../../../storage/rooms/types.ts";
import type { UserRecord } from "../../../storage/users/types.ts";
import type { ChatContext } from "../context.ts";
import { roomKey } from "../room-key.ts";
import type { Session } from "../session.ts";
import { belongs } from "../state/user-state.ts";
import type { Frame } from "./types.ts";
import { publishThenAck } from "./messages.ts";

/** What `joined` says of a room's roles and modes (issue 21). */
export type RoomModes = { operators: string[]; voiced: string[]; modes: { topicLock: boolean; secret: boolean } };

export function roomModes(info: Readonly<RoomInfo> | undefined): RoomModes {
  return {
    operators: [...(info?.operators ?? [])],
    voiced: [...(info?.voiced ?? [])],
    modes: { topicLock: info?.topicLock === true, secret: info?.secret === true },
  };
}

/** Server moderators and admins act as operators in every room. */
function serverStaff(user: UserRecord): boolean {
  return user.role === "moderator" || user.role === "admin";
}

/** True when `user` may change the room's modes and roles (and set its topic under `topicLock`). */
export function isRoomOperator(info: Readonly<RoomInfo> | undefined, user: UserRecord): boolean {
  return serverStaff(user) || (info?.operators?.includes(user.name) ?? false);
}

/**
 * `mode {room, mode, on, user?}` (issue 21): a room operator (or a server
 * moderator or admin) turns `topicLock` or `secret` on or off, or makes
 * `user` (who belongs to the room) an operator or voiced, or no longer. A
 * stored room event like a topic: kept in the room's stream and in the room
 * store before anyone is told (so before the `ack`); every member on every node gets `mode` (a change
 * to what already is too: each accepted request is one stored event).
 */
export async function mode(ctx: ChatContext, session: Session, frame: Frame<"mode">): Promise<void> {
  const room = roomKey(frame.room);
  const withUser = frame.mode === "operator" || frame.mode === "voice";
  if (withUser !== (frame.user !== undefined)) throw new ClientError(ErrorCode.badFrame, withUser ? `mode ${frame.mode}: give \`user\`` : `mode ${frame.mode}: takes no \`user\``);
  ctx.stateLimits.takeRequest(session);
  const me = await ctx.users.get(session.user!.key);
  if (!me) throw new ClientError(ErrorCode.authFailed, "this account is gone");
  if (!serverStaff(me) && !belongs(me, room)) throw new ClientError(ErrorCode.notInRoom, `not in room ${room}`);
  const info = ctx.directory.get(room);
  if (!info) throw new ClientError(ErrorCode.notInRoom, `no room ${room}`);
  if (!isRoomOperator(info, me)) throw new ClientError(ErrorCode.forbidden, `only the operators of ${room} (and server moderators and admins) may change its modes`);
  let change: RoomModeChange;
  if (withUser) {
    const target = await ctx.users.get(checkName(frame.user!).key);
    if (!target) throw new ClientError(ErrorCode.unknownUser, "no such user");
    // Roles stay when a member leaves, so one who left may still lose theirs; only giving one wants a member.
    const holds = (frame.mode === "operator" ? info.operators : info.voiced)?.includes(target.name) ?? false;
    if (!belongs(target, room) && (frame.on || !holds)) throw new ClientError(ErrorCode.notInRoom, `${target.name} is not in room ${room}`);
    change = { mode: frame.mode as "operator" | "voice", on: frame.on, user: target.name };
  } else change = { mode: frame.mode as "topicLock" | "secret", on: frame.on };
  // Stored before it goes out, not only before the ack: an IRC client has no
  // ack, and what every member saw must outlast a crash right after.
  await ctx.directory.storeMode(room, change);
  publishThenAck(ctx, session, { kind: "mode", room, by: me.name, ...change }, frame.ref);
}
