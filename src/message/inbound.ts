import { z } from "zod";
import { clientTags } from "./client-tags.ts";
import { maxChars } from "./chars.ts";

/**
 * Frames a client may send. Unknown extra fields are dropped (forward compatible);
 * wrong types are `bad_frame`. Text length is checked by the handler against the
 * configured limit so the limit can change without rebuilding the schema.
 * Every bound in characters counts Unicode code points (`maxChars`), as docs/protocol.md says.
 */
export const MAX_REF_CHARS = 64;
const ref = z.union([maxChars(MAX_REF_CHARS), z.number().finite()]);
// Any string: whether it is a valid name (1 to 32 characters, ...) is the naming
// rule's to say, answered `bad_name` (docs/protocol.md#names), not `bad_frame`.
// The frame size limit bounds its length.
const name = z.string();
const room = z.string();
// A position (`since`, `before`, `read`'s `id`): malformed is `bad_frame`, said by the handler.
const messageId = z.string().min(1).max(40);
// A message to find (`replyTo`, and the `id` of `edit`, `delete` and `react`): any string, since a
// malformed id names no message and is `not_found`, as an unknown one is (the frame size limit bounds it).
const targetId = z.string();
const text = z.string();
/**
 * Files shared with a `say` or `dm`: ids from `POST /files`, at most 10.
 * Whether each is a file the sender uploaded is the handler's to say
 * (`not_found`). With files the text may be left out: it then reads as "",
 * and without files an empty text is refused as before (`bad_frame`).
 */
export const MAX_FILES_PER_MESSAGE = 10;
const files = z.array(maxChars(64)).max(MAX_FILES_PER_MESSAGE);
// Text is required unless files come with it; absent, it reads as "".
const hasTextOrFiles = (f: { text?: string; files?: string[] }) => f.text !== undefined || (f.files?.length ?? 0) > 0;
const textMissing = { message: "Invalid input: expected string, received undefined", path: ["text"] };
const textOrEmpty = <T extends { text?: string }>(f: T) => ({ ...f, text: f.text ?? "" });
// A larger limit is capped (at 1000 and at limits.historyPerRoom) by the handler, not refused.
const limit = z.number().int().min(1);

export const helloFrame = z.object({
  type: z.literal("hello"),
  user: name.optional(),
  // No length caps here either: a password over 72 bytes is `bad_password` and a
  // malformed token `auth_failed` (the frame size limit bounds both).
  password: z.string().optional(),
  token: z.string().optional(),
});
export const joinFrame = z.object({ type: z.literal("join"), room, since: messageId.optional(), ref: ref.optional() });
export const leaveFrame = z.object({ type: z.literal("leave"), room, ref: ref.optional(), reason: maxChars(300).optional() });
export const sayFrame = z
  .object({ type: z.literal("say"), room, text: text.optional(), files: files.optional(), ref: ref.optional(), replyTo: targetId.optional(), notice: z.literal(true).optional(), tags: clientTags.optional() })
  .refine(hasTextOrFiles, textMissing)
  .transform(textOrEmpty);
export const historyFrame = z.object({
  type: z.literal("history"),
  room,
  ref: ref.optional(),
  before: messageId.optional(),
  limit: limit.optional(),
});
export const dmFrame = z
  .object({ type: z.literal("dm"), to: name, text: text.optional(), files: files.optional(), ref: ref.optional(), replyTo: targetId.optional(), notice: z.literal(true).optional(), tags: clientTags.optional() })
  .refine(hasTextOrFiles, textMissing)
  .transform(textOrEmpty);
export const dmHistoryFrame = z.object({
  type: z.literal("dm_history"),
  ref: ref.optional(),
  with: name,
  before: messageId.optional(),
  since: messageId.optional(),
  limit: limit.optional(),
});
// Conversation state (issue 19: read markers, topics, the paged room directory, password change).
export const roomsFrame = z.object({
  type: z.literal("rooms"),
  query: maxChars(100).optional(),
  after: maxChars(200).optional(),
  limit: limit.optional(),
  ref: ref.optional(),
});
// `room` or `with` (exactly one): which one is the handler's to check (bad_frame).
export const readFrame = z.object({ type: z.literal("read"), room: room.optional(), with: name.optional(), id: messageId, ref: ref.optional() });
export const topicFrame = z.object({ type: z.literal("topic"), room, text, ref: ref.optional() });
// Issue 21, room modes and roles: `user` goes with `operator` and `voice` only (the handler says bad_frame otherwise).
export const ROOM_MODES = ["topicLock", "secret", "operator", "voice"] as const;
export const modeFrame = z.object({ type: z.literal("mode"), room, mode: z.enum(ROOM_MODES), on: z.boolean(), user: name.optional(), ref: ref.optional() });
// No length caps: `bad_password` for a new one out of bounds, `auth_failed` for a wrong old one (the frame size limit bounds both).
export const passwordFrame = z.object({ type: z.literal("password"), old: z.string(), new: z.string(), ref: ref.optional() });
// End of conversation state.
export const typingFrame = z.object({ type: z.literal("typing"), room });
// Client tags on their own (IRC's TAGMSG), to a room or a user (`room` or `to`, exactly one: the handler's to check), not stored.
export const tagsFrame = z.object({
  type: z.literal("tags"),
  room: room.optional(),
  to: name.optional(),
  tags: clientTags.refine((t) => Object.keys(t).length > 0, "at least one tag"),
  ref: ref.optional(),
});
export const pingFrame = z.object({ type: z.literal("ping"), ref: ref.optional() });
export const logoutFrame = z.object({ type: z.literal("logout") });
// Moderation: only for users with the moderator or admin role.
const reason = maxChars(500);
export const kickFrame = z.object({ type: z.literal("kick"), user: name, reason: reason.optional(), ref: ref.optional() });
export const muteFrame = z.object({
  type: z.literal("mute"),
  user: name,
  room,
  minutes: z.number().positive().max(525_600),
  ref: ref.optional(),
});
export const unmuteFrame = z.object({ type: z.literal("unmute"), user: name, room, ref: ref.optional() });

// Search (issue 20): `q` bounded here, the rest by the handler (limit capped at 100).
export const searchFrame = z.object({
  type: z.literal("search"),
  q: maxChars(500),
  room: room.optional(),
  with: name.optional(),
  before: messageId.optional(),
  limit: limit.optional(),
  ref: ref.optional(),
});
// Issue 19, message changes: edit, delete, react (docs/protocol.md "Editing, deleting, reacting").
// Whether `emoji` is one emoji or a :short_name: is checked by the handler (bad_frame), as text length is.
export const editFrame = z.object({ type: z.literal("edit"), id: targetId, text, ref: ref.optional() });
export const deleteFrame = z.object({ type: z.literal("delete"), id: targetId, ref: ref.optional() });
export const reactFrame = z.object({ type: z.literal("react"), id: targetId, emoji: z.string(), ref: ref.optional() });

export const inboundFrame = z.discriminatedUnion("type", [
  helloFrame,
  joinFrame,
  leaveFrame,
  sayFrame,
  historyFrame,
  dmFrame,
  dmHistoryFrame,
  roomsFrame,
  typingFrame,
  tagsFrame,
  pingFrame,
  logoutFrame,
  kickFrame,
  muteFrame,
  unmuteFrame,
  searchFrame,
  // Conversation state.
  readFrame,
  topicFrame,
  modeFrame,
  passwordFrame,
  // Issue 19, message changes.
  editFrame,
  deleteFrame,
  reactFrame,
]);

export type InboundFrame = z.infer<typeof inboundFrame>;
export type InboundType = InboundFrame["type"];
export type Ref = z.infer<typeof ref>;
export const inboundTypes: ReadonlySet<string> = new Set(inboundFrame.options.map((o) => ("in" in o ? o.in : o).shape.type.value));
