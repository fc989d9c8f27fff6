import { strongerRole, type Role } from "../users/types.ts";

/**
 * What IRC shows of a user wherever the connection is (WHO, WHOIS, LUSERS):
 * `away`, an away message set on one of the user's connections; `oper`, set
 * when one of them OPERed: the strongest role an operator block granted one of
 * them (`user` when none did: it opered as its own moderator or admin account,
 * whose stored role counts). Both absent for most users.
 */
export type UserStatus = { away?: string; oper?: Role };
/** One user online somewhere, as the admin views show it, with the IRC status set on any node. */
export type OnlineUser = { name: string; sessions: number; rooms: string[]; address: string; connectedAt: number } & UserStatus;
/** What a node reports about one of its users (its sessions there; the IRC status of those sessions). */
export type LocalUser = { sessions: number; address: string; connectedAt: number } & UserStatus;
export type NodeInfo = { id: string; startedAt: number; self: boolean };

/**
 * Who is in which room, across every node. The hub keeps each node's own
 * sessions; this counts users per room over all nodes, so a presence `join`
 * goes out only for a user's first connection in a room anywhere and `leave`
 * for the last. Implementations: in-process (embedded) and Redis (cluster),
 * where a node that stops heartbeating has its users removed by the others.
 */
export interface Presence {
  open(): Promise<void>;
  /** This node's first session of `user` joined `room`; true if the user was in it on no node. */
  enter(room: string, user: string): Promise<boolean>;
  /** This node's last session of `user` left `room`; true if the user is now in it on no node. */
  exit(room: string, user: string): Promise<boolean>;
  /** Records this node's sessions of `user` (undefined: none left). */
  setLocal(user: string, info: LocalUser | undefined): Promise<void>;
  /** Members (display names, sorted) of each room, over all nodes. */
  members(rooms: string[]): Promise<string[][]>;
  /** Rooms with members on any node. */
  activeRooms(): Promise<string[]>;
  /** Every user online on any node. */
  users(): Promise<OnlineUser[]>;
  /**
   * The IRC status of each of these users (display names) over all nodes: an
   * away message set on any node (if several, one of them), the strongest
   * `oper` of any; `{}` for a user online nowhere. A channel's WHO reads its members' only.
   */
  statusOf(users: string[]): Promise<UserStatus[]>;
  nodes(): Promise<NodeInfo[]>;
  /** Removes this node's users everywhere (leaves are announced), then stops. */
  close(): Promise<void>;
}

/** The IRC status a node's report holds (its set fields only: frames and JSON carry no `undefined`). */
export function status(info: UserStatus | undefined): UserStatus {
  const out: UserStatus = {};
  if (info?.away !== undefined) out.away = info.away;
  if (info?.oper !== undefined) out.oper = info.oper;
  return out;
}

/** Two nodes' statuses of one user as one: an away message of either (`a`'s first), the stronger `oper`. */
export function mergeStatus(a: UserStatus, b: UserStatus): UserStatus {
  const away = a.away ?? b.away;
  const oper = strongerRole(a.oper, b.oper);
  return { ...(away !== undefined ? { away } : {}), ...(oper !== undefined ? { oper } : {}) };
}
