import type { ChatMessage, DeletedFrame, DirectMessage, EditedFrame, ModeNotice, ReactionFrame, Ref, TopicNotice } from "../message/index.ts";
import { isMessage, kindOf, type AmendmentRecord, type ChatRecord, type MessageRecord, type ModeRecord, type TopicRecord } from "../../storage/chatlog/types.ts";
import type { AmendedView } from "./amendments.ts";

export type RecordFrame = ChatMessage | DirectMessage | EditedFrame | DeletedFrame | ReactionFrame | TopicNotice | ModeNotice;

/**
 * A stored room event as clients see it, in history and live alike: a room
 * message, or a direct message (which has `to`); an amendment (issue 19) as
 * `edited`, `deleted` or `reaction`; a room's new topic as `topic`; a mode change as `mode`. Each new
 * kind of event gets its frame here.
 */
export function recordFrame(record: ChatRecord): RecordFrame {
  switch (kindOf(record)) {
    case "message":
      return messageFrame(record as MessageRecord);
    case "edit":
    case "delete":
    case "react":
      return amendmentFrame(record as AmendmentRecord);
    case "topic": {
      const { room, text, by, ts } = record as TopicRecord;
      return { type: "topic", room, text, by, ts };
    }
    case "mode": {
      const r = record as ModeRecord;
      return { type: "mode", room: r.room, mode: r.mode, on: r.on, ...("user" in r ? { user: r.user } : {}), by: r.by, ts: r.ts };
    }
  }
}

function messageFrame(record: MessageRecord): ChatMessage | DirectMessage {
  const frame: ChatMessage | DirectMessage =
    record.to === undefined
      ? { type: "message", id: record.id, room: record.room, from: record.from, text: record.text, ts: record.ts }
      : { type: "dm", id: record.id, from: record.from, to: record.to, text: record.text, ts: record.ts };
  if (record.files !== undefined && record.files.length > 0) frame.files = record.files;
  if (record.replyTo !== undefined) frame.replyTo = record.replyTo;
  if (record.mentions !== undefined) frame.mentions = record.mentions;
  if (record.notice === true) frame.notice = true;
  if (record.tags !== undefined) frame.tags = record.tags;
  return frame;
}

/** Where an amendment happened: `room` in a room, the message's `from` (its author) and `to` in a conversation. */
function where(record: AmendmentRecord): { room: string } | { from: string; to: string } {
  return record.to === undefined ? { room: record.room } : { from: record.author, to: record.to };
}

function amendmentFrame(record: AmendmentRecord): EditedFrame | DeletedFrame | ReactionFrame {
  switch (record.kind) {
    case "edit": {
      // The author is named in a room too (only the author edits): an IRC client shows the new text as a line from them.
      const frame: EditedFrame = { type: "edited", id: record.target, ...where(record), from: record.author, text: record.text, editedAt: record.ts };
      if (record.mentions !== undefined) frame.mentions = record.mentions;
      return frame;
    }
    case "delete":
      return { type: "deleted", id: record.target, ...where(record) };
    case "react":
      return { type: "reaction", id: record.target, ...where(record), emoji: record.emoji, user: record.by, on: record.on };
  }
}

/** A message of a page with its latest state: edited text, reactions, or only the mark of its deletion (search's results too). `amendments`: the page's view (Amendments.recall). */
export function foldedFrame(record: MessageRecord, amendments: AmendedView): ChatMessage | DirectMessage {
  const entry = amendments.get(record.id);
  if (entry?.deleted) {
    return record.to === undefined
      ? { type: "message", id: record.id, room: record.room, from: record.from, ts: record.ts, deleted: true }
      : { type: "dm", id: record.id, from: record.from, to: record.to, ts: record.ts, deleted: true };
  }
  const frame = messageFrame(record);
  if (!entry) return frame;
  if (entry.edit) {
    frame.text = entry.edit.text;
    if (entry.edit.mentions) frame.mentions = entry.edit.mentions;
    else delete frame.mentions;
    frame.editedAt = entry.edit.editedAt;
  }
  const reactions = amendments.reactionsOf(entry);
  if (reactions) frame.reactions = reactions;
  return frame;
}

/** A page's messages (the other kinds left out), each with its latest state. */
function foldedFrames(records: ChatRecord[], amendments: AmendedView): Array<ChatMessage | DirectMessage> {
  const frames: Array<ChatMessage | DirectMessage> = [];
  for (const record of records) if (isMessage(record)) frames.push(foldedFrame(record, amendments));
  return frames;
}

/** The answer to a `ping`: its `ref` back, if it had one. */
export function pong(ref: Ref | undefined): { type: "pong"; ref?: Ref } {
  return ref === undefined ? { type: "pong" } : { type: "pong", ref };
}

/** A room's history as frames (its stream holds room messages, their amendments and topics: only messages are listed). */
export function roomFrames(records: ChatRecord[], amendments: AmendedView): ChatMessage[] {
  return foldedFrames(records, amendments) as ChatMessage[];
}

