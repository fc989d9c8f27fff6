import { z } from "zod";

/**
 * Frames the server sends. The server builds them from typed values, so these
 * schemas are the documented contract (and what tests validate against), not a
 * runtime cost on the hot path.
 */
const ref = z.union([z.string(), z.number()]);

/** A file shared in a message: `url` is `/files/{id}/{name}`; images carry their size in pixels. */
export const fileRef = z.object({
  id: z.string(),
  name: z.string(),
  size: z.number(),
  type: z.string(),
  url: z.string(),
  width: z.number().optional(),
  height: z.number().optional(),
});

// Issue 19: what a message may carry besides its text (replies, mentions, edits,
// reactions), and the record history gives for a deleted message (no text).
const reactions = z.record(z.string(), z.array(z.string()));
const messageExtras = {
  replyTo: z.string().optional(),
  mentions: z.array(z.string()).optional(),
  editedAt: z.number().optional(),
  reactions: reactions.optional(),
  deleted: z.literal(true).optional(),
  notice: z.literal(true).optional(),
  // Client-only tags (IRCv3 message-tags) the sender attached, by name (`+name`); absent when none.
  tags: z.record(z.string(), z.string()).optional(),
};
export const chatMessage = z.object({
  type: z.literal("message"),
  id: z.string(),
  room: z.string(),
  from: z.string(),
  text: z.string().optional(),
  ts: z.number(),
  files: z.array(fileRef).optional(),
  ...messageExtras,
});
export const directMessage = z.object({
  type: z.literal("dm"),
  id: z.string(),
  from: z.string(),
  to: z.string(),
  text: z.string().optional(),
  ts: z.number(),
  files: z.array(fileRef).optional(),
  ...messageExtras,
});
export const welcomeFrame = z.object({
  type: z.literal("welcome"),
  user: z.string(),
  // Every WebSocket sign-in has one; an IRC session's (turned into 001-005, never sent) has none.
  token: z.string().optional(),
  motd: z.string(),
  rooms: z.array(z.string()),
  created: z.boolean(),
  // Conversation state: the user's role, unread counts and direct conversations (docs/protocol.md#welcome).
  role: z.enum(["user", "moderator", "admin"]),
  unread: z.array(z.object({ room: z.string().optional(), with: z.string().optional(), count: z.number(), mentions: z.number() })),
  conversations: z.array(z.object({ with: z.string(), lastId: z.string(), ts: z.number() })),
  server: z.object({ name: z.string(), welcome: z.string(), version: z.string() }),
  limits: z.object({ maxTextLength: z.number(), maxFrameBytes: z.number(), historyOnJoin: z.number() }),
});
export const joinedFrame = z.object({
  type: z.literal("joined"),
  room: z.string(),
  members: z.array(z.string()),
  history: z.array(chatMessage),
  recovered: z.boolean(),
  // Conversation state: the room's topic (absent when none), the user's read marker and what is unread after it.
  topic: z.string().optional(),
  lastRead: z.string().nullable(),
  unread: z.number(),
  // Issue 21: the room's operators and voiced members, and its modes.
  operators: z.array(z.string()),
  voiced: z.array(z.string()),
  modes: z.object({ topicLock: z.boolean(), secret: z.boolean() }),
});
export const presenceFrame = z.object({
  type: z.literal("presence"),
  room: z.string(),
  user: z.string(),
  event: z.enum(["join", "leave"]),
  reason: z.string().optional(),
  // A leave because the user's connection closed (an IRC client shows it as QUIT).
  quit: z.literal(true).optional(),
  // A user's name changed (an IRC guest's NICK): the old name leaves with `renamedTo`, the new joins with `renamedFrom`.
  renamedTo: z.string().optional(),
  renamedFrom: z.string().optional(),
});
export const leftFrame = z.object({ type: z.literal("left"), room: z.string() });
export const ackFrame = z.object({ type: z.literal("ack"), ref: ref.optional(), id: z.string(), ts: z.number() });
export const historyReply = z.object({
  type: z.literal("history"),
  room: z.string(),
  messages: z.array(chatMessage),
  complete: z.boolean(),
});
export const dmHistoryReply = z.object({
  type: z.literal("dm_history"),
  with: z.string(),
  messages: z.array(directMessage),
  complete: z.boolean(),
});
export const roomsReply = z.object({
  type: z.literal("rooms"),
  rooms: z.array(z.object({ name: z.string(), members: z.number(), topic: z.string().optional() })),
  // Conversation state: the directory is paged; `next` (absent on the last page) is the `after` of the next page.
  next: z.string().optional(),
  ref: ref.optional(),
});
// Conversation state.
export const readNotice = z.object({ type: z.literal("read"), room: z.string().optional(), with: z.string().optional(), id: z.string() });
export const topicNotice = z.object({ type: z.literal("topic"), room: z.string(), text: z.string(), by: z.string(), ts: z.number() });
// Issue 21: a change to a room's modes or roles (`user` with `operator` and `voice`).
export const modeNotice = z.object({
  type: z.literal("mode"),
  room: z.string(),
  mode: z.enum(["topicLock", "secret", "operator", "voice"]),
  on: z.boolean(),
  user: z.string().optional(),
  by: z.string(),
  ts: z.number(),
});
export const passwordChanged = z.object({ type: z.literal("password_changed"), token: z.string(), ref: ref.optional() });
// End of conversation state.
export const typingNotice = z.object({ type: z.literal("typing"), room: z.string(), user: z.string() });
// Client tags sent on their own (a `tags` frame, IRC's TAGMSG): to a room's members, or to both sides of a conversation (`to`). Not stored.
export const tagsNotice = z.object({
  type: z.literal("tags"),
  id: z.string(),
  room: z.string().optional(),
  from: z.string(),
  to: z.string().optional(),
  tags: z.record(z.string(), z.string()),
  ts: z.number(),
});
export const noticeFrame = z.object({
  type: z.literal("notice"),
  text: z.string(),
  kind: z.enum(["broadcast", "motd", "kick", "ban", "mute", "shutdown", "restart"]),
  ts: z.number(),
});
export const moderatedFrame = z.object({
  type: z.literal("moderated"),
  action: z.enum(["kick", "mute", "unmute"]),
  user: z.string(),
  room: z.string().optional(),
  until: z.number().optional(),
  sessions: z.number().optional(),
  ref: ref.optional(),
});
export const pongFrame = z.object({ type: z.literal("pong"), ref: ref.optional() });
export const errorFrame = z.object({
  type: z.literal("error"),
  code: z.string(),
  message: z.string(),
  /** Only on `rate_limited`, always there: ms until the same request would be allowed. */
  retryAfterMs: z.number().int().positive().optional(),
  ref: ref.optional(),
});

// Search (issue 20): the same message and dm frames as history, each with the matched ranges of its text.
const highlightRanges = z.array(z.tuple([z.number(), z.number()]));
export const searchResults = z.object({
  type: z.literal("results"),
  q: z.string(),
  messages: z.array(z.union([chatMessage.extend({ highlights: highlightRanges }), directMessage.extend({ highlights: highlightRanges })])),
  complete: z.boolean(),
  ref: ref.optional(),
});

// Issue 19, message changes: a room's carry `room`, a conversation's `from` (the author) and `to`;
// `edited` names its author (`from`) in a room too (IRC shows an edit as a line from them).
const where = { room: z.string().optional(), from: z.string().optional(), to: z.string().optional() };
export const editedFrame = z.object({
  type: z.literal("edited"),
  id: z.string(),
  ...where,
  text: z.string(),
  editedAt: z.number(),
  mentions: z.array(z.string()).optional(),
});
export const deletedFrame = z.object({ type: z.literal("deleted"), id: z.string(), ...where });
export const reactionFrame = z.object({
  type: z.literal("reaction"),
  id: z.string(),
  ...where,
  emoji: z.string(),
  user: z.string(),
  on: z.boolean(),
});

export const outboundFrame = z.discriminatedUnion("type", [
  welcomeFrame,
  joinedFrame,
  presenceFrame,
  leftFrame,
  chatMessage,
  ackFrame,
  historyReply,
  directMessage,
  dmHistoryReply,
  roomsReply,
  typingNotice,
  tagsNotice,
  noticeFrame,
  pongFrame,
  errorFrame,
  moderatedFrame,
  searchResults,
  // Conversation state.
  readNotice,
  topicNotice,
  modeNotice,
  passwordChanged,
  // Issue 19, message changes.
  editedFrame,
  deletedFrame,
  reactionFrame,
]);

export type OutboundFrame = z.infer<typeof outboundFrame>;
export type ChatMessage = z.infer<typeof chatMessage>;
export type DirectMessage = z.infer<typeof directMessage>;
export type ErrorFrame = z.infer<typeof errorFrame>;
export type FileRef = z.infer<typeof fileRef>;
export type EditedFrame = z.infer<typeof editedFrame>;
export type DeletedFrame = z.infer<typeof deletedFrame>;
export type ReactionFrame = z.infer<typeof reactionFrame>;
export type TopicNotice = z.infer<typeof topicNotice>;
export type ModeNotice = z.infer<typeof modeNotice>;
export type TagsNotice = z.infer<typeof tagsNotice>;
