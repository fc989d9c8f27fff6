// Read markers: the server keeps, per user, the last message read in each room
// and conversation, so unread and mention badges match on every device. The
// page sends `read` as the reader sees the newest message, applies other
// devices' `read`, and draws a "new messages" line at the marker.
import { $ } from "./dom.js";
import { send } from "./connection.js";
import { mentionsMe } from "./markdown.js";
import { render } from "./render.js";
import { activeConv, conn, ensureDm, ensureRoom, isMe, state } from "./state.js";
import { nameKey } from "./text.js";

let timer = 0;

/** `welcome.unread`: the badges of every room the user belongs to and every conversation with unread messages. */
export function applyWelcomeUnread(entries) {
  state.readMarkers = Array.isArray(entries); // this server keeps read markers
  for (const entry of state.readMarkers ? entries : []) {
    const conv = typeof entry?.room === "string" ? ensureRoom(entry.room) : typeof entry?.with === "string" ? ensureDm(entry.with) : null;
    if (!conv) continue;
    conv.unread = Number(entry.count) || 0;
    conv.mentions = Number(entry.mentions) || 0;
  }
}

/** `joined`: the room's marker and unread count (its history may let us count mentions exactly); true if it placed the line. */
export function applyJoined(conv, f) {
  if (f.lastRead !== undefined) conv.lastRead = f.lastRead;
  if (typeof f.unread === "number") {
    conv.unread = f.unread;
    if (conv.unread === 0) conv.mentions = 0;
    else if (conv.lastRead && conv.ids.has(conv.lastRead)) recount(conv);
  }
  if (conv.key !== state.active || conv.lineAfter !== undefined) return false;
  placeLine(conv);
  return conv.lineAfter !== undefined;
}

/** Another device of ours read up to `f.id`. */
export function applyRead(f) {
  const conv = typeof f.room === "string" ? state.convs.get("#" + nameKey(f.room)) : state.convs.get("@" + nameKey(f.with ?? ""));
  if (!conv || typeof f.id !== "string" || (conv.lastRead && f.id <= conv.lastRead)) return;
  conv.lastRead = f.id;
  recount(conv);
  render.conversation(conv);
  render.title();
}

/** Unread and mentions from the messages we hold after the marker (when we hold them all). */
export function recount(conv) {
  if (!conv.lastRead) return;
  const after = conv.items.filter((m) => m.id > conv.lastRead && !isMe(m.from) && !m.deleted);
  if (!conv.ids.has(conv.lastRead) && after.length < conv.unread) return; // the marker is older than what we hold
  conv.unread = after.length;
  conv.mentions = after.filter((m) => mentionsMe(m, state.me?.key)).length;
}

/** Opening a conversation with unread messages: the line goes at the read marker. */
export function placeLine(conv) {
  if (conv.unread <= 0) {
    conv.lineAfter = undefined;
    return;
  }
  if (conv.lastRead) {
    conv.lineAfter = conv.lastRead;
    return;
  }
  // No marker known here (a conversation, or a room never read): before the last `unread` messages of others.
  const others = conv.items.filter((m) => !isMe(m.from) && !m.deleted);
  const first = others.at(-conv.unread);
  const before = first ? conv.items[conv.items.indexOf(first) - 1] : undefined;
  conv.lineAfter = first ? (before?.id ?? "") : undefined;
}

/** Soon after the timeline changes: if the reader sees the newest message, it is read. */
export function scheduleRead() {
  clearTimeout(timer);
  timer = setTimeout(markRead, 250);
}

/** Now, not later: what is on screen is read before another conversation takes its place. */
export function readNow() {
  clearTimeout(timer);
  markRead();
}

function markRead() {
  const conv = activeConv();
  if (!conv || !conv.loaded || document.hidden || (conv.kind === "room" && !conv.joined)) return;
  const box = $("timeline");
  if (box.scrollHeight - box.scrollTop - box.clientHeight > 60) return; // the reader is further up
  const newest = conv.items.findLast((m) => !m.deleted)?.id;
  const changed = conv.unread !== 0 || conv.mentions !== 0;
  conv.unread = 0;
  conv.mentions = 0;
  if (newest && (!conv.lastRead || newest > conv.lastRead)) {
    conv.lastRead = newest;
    if (state.readMarkers && conn.authed) send(conv.kind === "room" ? { type: "read", room: conv.target, id: newest } : { type: "read", with: conv.target, id: newest });
  }
  if (changed) {
    render.sidebar();
    render.title();
  }
}
