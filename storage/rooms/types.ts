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
};

/**
 * Room state: which rooms the directory lists, with their topic and member
 * count. Implementations: one JSON file (embedded) and a Redis hash (cluster).
 * Every write resolves once durable (the file is written atomically; Redis
 * answers). A room removed here keeps its history in the chat log.
 */
export interface RoomStore {
  /** Every room kept, read once at start (the chat keeps the directory in memory from then on). */
  load(): Promise<RoomInfo[]>;
  /** Creates or replaces the room's info (all but `members`, which only `changeMembers` changes). */
  put(info: RoomInfo): Promise<void>;
  /** Adds `delta` to the room's member count; resolves to the room as stored, undefined if there is no such room. */
  changeMembers(name: string, delta: number, now: number): Promise<RoomInfo | undefined>;
  /** The room as stored now (another node may have changed it). */
  get(name: string): Promise<RoomInfo | undefined>;
  remove(name: string): Promise<void>;
  close(): Promise<void>;
}
