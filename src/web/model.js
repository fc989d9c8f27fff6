// The timeline model: messages sorted and deduplicated by id; our own messages
// pending until the server confirms them.
import { announce } from "./dom.js";
import { send } from "./connection.js";
import { render } from "./render.js";
import { PAGE_SIZE } from "./settings.js";
import { conn, isMe, lastId, newRef, state } from "./state.js";
import { mentionsMe } from "./markdown.js";
import { notify } from "./notify.js";

/** Adds a confirmed message; false if we already had it. `live` = just happened. */
export function addItem(conv, message, live) {
  if (!message || typeof message.id !== "string" || typeof message.from !== "string") return false; // messages only
  if (conv.ids.has(message.id)) return completeFromAck(conv, message);
  const mine = isMe(message.from);
  if (mine) {
    // Our own message may arrive before its `ack` (or, after a reconnect, in the
    // history instead of an ack): it confirms the oldest matching pending one.
    const pending = conv.pending.find((p) => p.sentOn > 0 && p.state === "pending" && p.text === message.text);
    if (pending) forgetPending(pending);
  }
  insertItem(conv, message);
  conv.typing.delete(message.from);
  if (live && !mine) {
    const visible = conv.key === state.active && !document.hidden;
    if (!visible) {
      conv.unread++;
      if (mentionsMe(message, state.me?.key)) conv.mentions++;
      // On screen but the tab is hidden: the "new messages" line waits above it for the reader's return.
      if (conv.key === state.active && conv.lineAfter === undefined) conv.lineAfter = conv.items[conv.items.indexOf(message) - 1]?.id ?? "";
    }
    notify(conv, message);
    if (conv.key === state.active || conv.kind === "dm") {
      const where = conv.kind === "room" ? ` in #${conv.name}` : " (direct message)";
      announce(`${message.from}${where}: ${(message.text ?? "").slice(0, 200)}`);
    }
    render.sidebar();
    render.title();
  }
  return true;
}

/** Our message, first known from its `ack`, gets what only the server adds (`mentions`, `files`). */
function completeFromAck(conv, message) {
  const item = conv.items.find((m) => m.id === message.id);
  if (!item?.fromAck) return false;
  Object.assign(item, message, { fromAck: false, v: (item.v ?? 0) + 1 });
  return true;
}

export function insertItem(conv, message) {
  const items = conv.items;
  // Binary search: history pages land at the front, live messages at the end.
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid].id < message.id) lo = mid + 1;
    else hi = mid;
  }
  items.splice(lo, 0, message);
  conv.ids.add(message.id);
}

export function replaceItems(conv, messages) {
  conv.items = [];
  conv.ids = new Set();
  for (const m of messages) addItem(conv, m, false);
}

export function forgetPending(pending) {
  state.pendingByRef.delete(pending.ref);
  const conv = state.convs.get(pending.conv);
  if (conv) conv.pending = conv.pending.filter((p) => p !== pending);
}

/**
 * Once a conversation is caught up after a (re)connect: our messages sent on an
 * old connection that did not show up were lost; messages written while offline
 * go out now.
 */
export function settlePending(conv) {
  for (const pending of [...conv.pending]) {
    if (pending.state !== "pending") continue;
    if (pending.sentOn === 0) transmit(pending);
    else if (pending.sentOn !== conn.generation) {
      pending.state = "failed";
      pending.error = "Not sent: the connection dropped before the server confirmed it.";
    }
  }
}

export function sendMessage(conv, text, files = [], replyTo = undefined) {
  const pending = { ref: "", conv: conv.key, text, files, replyTo, state: "pending", sentOn: 0, error: "", ts: Date.now() };
  conv.pending.push(pending);
  transmit(pending);
  render.conversation(conv, "bottom");
}

/** Sends a pending message now if we can; otherwise it waits for the (re)join. */
export function transmit(pending) {
  const conv = state.convs.get(pending.conv);
  if (!conv) return;
  state.pendingByRef.delete(pending.ref);
  pending.ref = newRef(); // a new ref per attempt: a late answer to an old attempt is ignored
  state.pendingByRef.set(pending.ref, pending);
  pending.state = "pending";
  pending.error = "";
  pending.sentOn = 0;
  if (!conn.authed || (conv.kind === "room" && !conv.joined)) return;
  const frame =
    conv.kind === "room"
      ? { type: "say", room: conv.target, text: pending.text, ref: pending.ref }
      : { type: "dm", to: conv.target, text: pending.text, ref: pending.ref };
  if (pending.files?.length) frame.files = pending.files.map((f) => f.id);
  if (pending.replyTo) frame.replyTo = pending.replyTo;
  if (send(frame)) pending.sentOn = conn.generation;
}

export function requestDmHistory(conv, kind) {
  const frame = { type: "dm_history", with: conv.target };
  if (kind === "since") frame.since = lastId(conv);
  else if (kind === "before") {
    frame.before = conv.items[0]?.id;
    frame.limit = PAGE_SIZE;
  } else frame.limit = PAGE_SIZE;
  if (send(frame)) conv.requests.push(kind);
}

export function requestOlder(conv) {
  if (conv.loadingOlder || conv.complete || !conn.authed) return;
  if (conv.kind === "room") {
    if (!conv.joined) return;
    const frame = { type: "history", room: conv.target, limit: PAGE_SIZE };
    if (conv.items[0]) frame.before = conv.items[0].id;
    if (!send(frame)) return;
  } else {
    if (!conv.items[0]) return;
    requestDmHistory(conv, "before");
  }
  conv.loadingOlder = true;
  render.conversation(conv);
}
