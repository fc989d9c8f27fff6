import type { ChatRecord } from "./types.ts";

/** Where a record's line is in the embedded log: file (segment), byte offset, length without the "\n". */
export type LinePlace = { segment: number; offset: number; length: number };

/** A kept record and, in the embedded log, where its line is. */
export type KeptRecord = { record: ChatRecord; at: LinePlace | undefined };

/** A record to read back: by room and id (Redis), or by place (the embedded log's files). */
export type KeptRef = { room: string; id: string; at: LinePlace | undefined };

/**
 * What the search index reads from the log (storage/create.ts gives one per
 * storage): everything kept, to build the index, and records back, to check
 * and show a search's candidates, so the index never holds text.
 */
export interface KeptLog {
  /** Every kept record, in id order, in chunks; each chunk is awaited before the next is read. */
  scan(onChunk: (records: KeptRecord[]) => Promise<void>): Promise<void>;
  /** Where a record the broker just delivered is (undefined: read it by room and id). */
  placeOf(record: ChatRecord): LinePlace | undefined;
  /** The records, in the order asked; undefined for one no longer kept. */
  read(refs: KeptRef[]): Promise<Array<ChatRecord | undefined>>;
  /** Records in segments below this are no longer kept (rotation deleted their file). */
  keptFrom(): number;
}
