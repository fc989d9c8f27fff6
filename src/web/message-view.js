// One message on screen: the quote of the message it replies to, its text
// (markdown), "edited", its files, its reactions, and the "⋯" menu button.
// A deleted message keeps its place as a short tombstone.
import { el } from "./dom.js";
import { filesNode } from "./attach.js";
import { mentionsMe, plainPreview, renderMarkdown } from "./markdown.js";
import { isMe, state } from "./state.js";
import { fullFormat, nameKey, timeFormat } from "./text.js";

/** A key that changes whenever what `messageNode` draws for `m` changes (timeline rows are keyed). */
export function messageKey(conv, m) {
  const quoted = m.replyTo ? findItem(conv, m.replyTo) : null;
  return `msg:${m.id}:${m.v ?? 0}:${m.replyTo ? (quoted ? `q${quoted.v ?? 0}` : "q-") : ""}`;
}

export function findItem(conv, id) {
  if (!conv || !conv.ids.has(id)) return null;
  return conv.items.find((m) => m.id === id) ?? null;
}

/** A confirmed message. */
export function messageNode(conv, m) {
  const me = state.me?.key ?? null;
  if (m.deleted) {
    return el(
      "div",
      { class: "msg is-deleted", "data-testid": "message", "data-id": m.id, "data-state": "deleted", "data-from": nameKey(m.from) },
      el("time", { class: "msg-time", datetime: new Date(m.ts).toISOString(), title: fullFormat.format(m.ts) }, timeFormat.format(m.ts)),
      el("div", { class: "msg-text msg-tombstone", "data-testid": "message-text" }, "This message was deleted."),
    );
  }
  const mine = isMe(m.from);
  const mention = !mine && mentionsMe(m, me);
  return el(
    "div",
    { class: `msg${mention ? " is-mention" : ""}`, "data-testid": "message", "data-id": m.id, "data-state": "sent", "data-from": nameKey(m.from) },
    el("time", { class: "msg-time", datetime: new Date(m.ts).toISOString(), title: fullFormat.format(m.ts) }, timeFormat.format(m.ts)),
    m.replyTo ? quoteNode(conv, m.replyTo) : null,
    el(
      "div",
      { class: "msg-text", "data-testid": "message-text" },
      renderMarkdown(m.text, m.mentions, me),
      m.editedAt ? el("span", { class: "msg-edited", "data-testid": "edited", title: `Edited ${fullFormat.format(m.editedAt)}` }, " (edited)") : null,
    ),
    filesNode(m.files),
    reactionsNode(m),
    el("button", { type: "button", class: "icon-btn msg-menu", "data-testid": "message-menu", "data-action": "message-menu", "data-id": m.id, "aria-haspopup": "menu", "aria-label": `Actions for this message from ${m.from}` }, "⋯"),
  );
}

/** The quoted original above a reply; a click jumps to it (events.js, "jump-to"). */
export function quoteNode(conv, id) {
  const original = findItem(conv, id);
  const text = !original ? "an earlier message" : original.deleted ? "a deleted message" : plainPreview(original.text, 120) || "a file";
  return el(
    "button",
    { type: "button", class: "msg-quote", "data-testid": "reply-quote", "data-action": "jump-to", "data-id": id, title: "Show the original message" },
    original ? el("span", { class: "quote-author" }, original.from) : null,
    el("span", { class: "quote-text" }, text),
  );
}

/** Reaction chips: emoji and count; ours is marked; a click toggles ours (events.js, "react"). */
function reactionsNode(m) {
  const entries = Object.entries(m.reactions ?? {}).filter(([, users]) => users.length > 0);
  if (entries.length === 0) return null;
  return el(
    "div",
    { class: "reactions", "data-testid": "reactions" },
    ...entries.map(([emoji, users]) => {
      const mine = users.some((u) => isMe(u));
      return el(
        "button",
        {
          type: "button",
          class: `reaction${mine ? " is-mine" : ""}`,
          "data-testid": "reaction",
          "data-action": "react",
          "data-id": m.id,
          "data-emoji": emoji,
          "aria-pressed": String(mine),
          title: `${users.join(", ")} reacted with ${emoji}`,
        },
        el("span", { class: "reaction-emoji" }, emoji),
        el("span", { class: "reaction-count", "data-testid": "reaction-count" }, String(users.length)),
      );
    }),
  );
}

/** Our own message not confirmed yet. */
export function pendingNode(conv, p) {
  const failed = p.state === "failed";
  return el(
    "div",
    { class: `msg is-${p.state}`, "data-testid": "message", "data-state": p.state, "data-ref": p.ref, "data-from": state.me?.key ?? "" },
    el("time", { class: "msg-time" }, timeFormat.format(p.ts)),
    p.replyTo ? quoteNode(conv, p.replyTo) : null,
    el("div", { class: "msg-text", "data-testid": "message-text" }, renderMarkdown(p.text)),
    filesNode(p.files),
    failed
      ? el(
          "div",
          { class: "msg-status", "data-testid": "message-status" },
          el("span", {}, p.error || "Not sent."),
          " ",
          el("button", { type: "button", class: "link-btn", "data-action": "retry", "data-ref": p.ref, "data-testid": "retry" }, "Retry"),
          " ",
          el("button", { type: "button", class: "link-btn", "data-action": "discard", "data-ref": p.ref }, "Discard"),
        )
      : el("div", { class: "msg-status", "data-testid": "message-status" }, p.sentOn ? "Sending…" : "Waiting for the connection…"),
  );
}
