/** A room's topic as last set. */
export type RoomTopic = { text: string; by: string; ts: number };

/** What is kept about a room besides its messages (those are in the chat log). */
export type RoomInfo = {
  name: string;
  createdAt: number;
  /** Users who belong to the room (joined and have not left), on every node. */
  members: number;
  /** Since when nobody belongs to it (set when `members` drops to 0). */
  emptySince?: number;
  topic?: RoomTopic;
  /** Issue 21: the room's operators and voiced members (account names), absent when none. */
  operators?: string[];
  voiced?: string[];
  /** Issue 21: `+t`, only operators may set the topic; `+s`, listed only to members. Absent when off. */
  topicLock?: true;
  secret?: true;
};

/** The fields of a room's roles and modes (issue 21): `put` keeps them, only `changeMode` changes them. */
export const MODE_FIELDS = ["operators", "voiced", "topicLock", "secret"] as const;

/** `info` with the roles and modes of `old` (the room as kept) when there is one. */
export function keepModes(info: RoomInfo, old: RoomInfo | undefined): RoomInfo {
  if (!old) return info;
  const next: RoomInfo = { ...info };
  for (const field of MODE_FIELDS) delete next[field];
  for (const field of MODE_FIELDS) if (old[field] !== undefined) (next as Record<string, unknown>)[field] = old[field];
  return next;
}

/** One change to a room's roles or modes: a mode on or off, or a user's role granted or revoked. */
export type RoomModeChange =
  | { mode: "topicLock" | "secret"; on: boolean }
  | { mode: "operator" | "voice"; on: boolean; user: string };

/** The room with one change applied (a new object; applying a change twice gives the same room). */
export function withModeChange(room: RoomInfo, change: RoomModeChange): RoomInfo {
  const next: RoomInfo = { ...room };
  if (!("user" in change)) {
    if (change.on) next[change.mode] = true;
    else delete next[change.mode];
    return next;
  }
  const field = change.mode === "operator" ? "operators" : "voiced";
  const list = (room[field] ?? []).filter((u) => u !== change.user);
  if (change.on) list.push(change.user);
  if (list.length > 0) next[field] = list.sort();
  else delete next[field];
  return next;
}

/**
 * Room state: which rooms the directory lists, with their topic and member
 * count. Implementations: one JSON file (embedded) and a Redis hash (cluster).
 * Every write resolves once durable (the file is written atomically; Redis
 * answers). A room removed here keeps its history in the chat log.
 */
export interface RoomStore {
  /** Every room kept, read once at start (the chat keeps the directory in memory from then on). */
  load(): Promise<RoomInfo[]>;
  /** Creates or replaces the room's info (all but `members`, which only `changeMembers` changes, and the MODE_FIELDS of a room kept, which only `changeMode` changes). */
  put(info: RoomInfo): Promise<void>;
  /** Applies one change to the room's roles or modes in one step; resolves to the room as stored, undefined if there is no such room. */
  changeMode(name: string, change: RoomModeChange): Promise<RoomInfo | undefined>;
  /** Adds `delta` to the room's member count; resolves to the room as stored, undefined if there is no such room. */
  changeMembers(name: string, delta: number, now: number): Promise<RoomInfo | undefined>;
  /** The room as stored now (another node may have changed it). */
  get(name: string): Promise<RoomInfo | undefined>;
  remove(name: string): Promise<void>;
  close(): Promise<void>;
}
