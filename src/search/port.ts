import type { ChatRecord } from "../../storage/chatlog/types.ts";

/**
 * Which rooms a user belongs to, for search's scope. Today (see
 * src/chat/handlers/search.ts) it is the rooms the user's sessions on this node
 * have joined plus the default rooms; once membership is stored ("from first
 * join until leave") it answers from that instead.
 */
export interface Membership {
  roomsOf(userKey: string): Promise<string[]>;
}

/** Reads every kept room event, oldest first per stream, in chunks; waits for each chunk's handling. */
export type ScanKept = (onChunk: (records: ChatRecord[]) => Promise<void>) => Promise<void>;
