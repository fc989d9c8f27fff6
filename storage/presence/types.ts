/** One user online somewhere, as the admin views show it; `away`: an IRC away message set on any node (WHO, WHOIS). */
export type OnlineUser = { name: string; sessions: number; rooms: string[]; address: string; connectedAt: number; away?: string };
/** What a node reports about one of its users (its sessions there; the away message of one of them, if set). */
export type LocalUser = { sessions: number; address: string; connectedAt: number; away?: string };
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
  /** The away message of each of these users (display names) set on any node, if any: a channel's WHO reads its members' only. */
  awayOf(users: string[]): Promise<Array<string | undefined>>;
  nodes(): Promise<NodeInfo[]>;
  /** Removes this node's users everywhere (leaves are announced), then stops. */
  close(): Promise<void>;
}
