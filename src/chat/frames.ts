import type { ChatMessage, DirectMessage, Ref } from "../message/index.ts";
import { kindOf, type ChatRecord } from "../../storage/chatlog/types.ts";

/**
 * A stored room event as clients see it, in history and live alike: a room
 * message, or a direct message (which has `to`). Each new kind of event gets
 * its frame here.
 */
export function recordFrame(record: ChatRecord): ChatMessage | DirectMessage {
  switch (kindOf(record)) {
    case "message": {
      const frame: ChatMessage | DirectMessage =
        record.to === undefined
          ? { type: "message", id: record.id, room: record.room, from: record.from, text: record.text, ts: record.ts }
          : { type: "dm", id: record.id, from: record.from, to: record.to, text: record.text, ts: record.ts };
      if (record.files !== undefined && record.files.length > 0) frame.files = record.files;
      return frame;
    }
  }
}

/** The answer to a `ping`: its `ref` back, if it had one. */
export function pong(ref: Ref | undefined): { type: "pong"; ref?: Ref } {
  return ref === undefined ? { type: "pong" } : { type: "pong", ref };
}

/** A room's history as frames (a room's stream holds only room messages). */
export function roomFrames(records: ChatRecord[]): ChatMessage[] {
  return records.map(recordFrame) as ChatMessage[];
}
