// The timeline of the conversation on screen: keyed rows patched in place, so an
// unchanged message keeps its DOM node (and any text selection in it) across redraws.
import { $, el, toast } from "./dom.js";
import { GROUP_GAP_MS } from "./settings.js";
import { conn, isMe, state } from "./state.js";
import { dayKey, dayLabel, fullFormat, nameKey, timeFormat } from "./text.js";
import { messageKey, messageNode, pendingNode } from "./message-view.js";

/** How long a message opened from search stays marked. */
const FOUND_MS = 6000;

export function renderTimeline(conv, scroll) {
  const box = $("timeline");
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  const fromBottom = box.scrollHeight - box.scrollTop;
  const before = box.dataset.conv;
  const newest = box.dataset.newest ?? "";
  if (before !== (conv ? conv.key : "")) box.replaceChildren(); // another conversation: start over
  patchRows(box, conv ? timelineRows(conv) : [{ key: "empty", build: emptyTimeline }]);
  box.dataset.conv = conv ? conv.key : "";
  box.dataset.newest = conv ? (conv.items.at(-1)?.id ?? "") : "";
  if (scroll === "prepend" && before === box.dataset.conv) {
    scrollTo(box, box.scrollHeight - fromBottom); // keep what the reader was looking at in place
  } else if (scroll === "bottom" || nearBottom || before !== box.dataset.conv) {
    scrollTo(box, box.scrollHeight);
    $("jump-latest").hidden = true;
  } else if (box.dataset.newest > newest) {
    $("jump-latest").hidden = false; // something new arrived below what the reader is looking at
  }
  if (conv?.jumpTo) showFound(box, conv);
}

/** A search result opened here (search.js): once its row is drawn, scroll to it and mark it a while. */
function showFound(box, conv) {
  const row = [...box.querySelectorAll('[data-testid="message"]')].find((r) => r.dataset.id === conv.jumpTo);
  if (!row) return;
  conv.jumpTo = null;
  row.scrollIntoView({ block: "center" });
  box.dataset.placedAt = String(box.scrollTop);
  row.classList.add("is-found");
  row.dataset.found = "true";
  setTimeout(() => {
    row.classList.remove("is-found");
    delete row.dataset.found;
  }, FOUND_MS);
}

/** Scrolls the timeline and notes where: a scroll event there is ours, not the reader's (see readerScrolled). */
function scrollTo(box, top) {
  box.scrollTop = top;
  box.dataset.placedAt = String(box.scrollTop);
}

/** For a scroll event: whether the reader moved the timeline (older history loads only then). */
export function readerScrolled(box) {
  const ours = box.dataset.placedAt === String(box.scrollTop);
  delete box.dataset.placedAt;
  return !ours;
}

function emptyTimeline() {
  return el("div", { class: "tl-empty" }, el("p", {}, "Pick a room on the left, or join a new one with “+”."));
}

/**
 * The timeline of one conversation as a flat list of keyed rows: day separators,
 * author headers, messages, the gap marker, our pending messages. `key` names
 * what a row shows.
 */
function timelineRows(conv) {
  const rows = [];
  const add = (key, build) => rows.push({ key, build });
  const title = (conv.kind === "room" ? "#" : "@") + conv.name;

  if (conv.kind === "room" && !conv.joined && !conv.loaded) {
    const text = conn.authed ? "Joining…" : "Waiting for the connection…";
    add(`info:${text}`, () => el("p", { class: "tl-info" }, text));
  } else if (conv.complete) {
    add(`start:${title}`, () => el("p", { class: "tl-start", "data-testid": "timeline-start" }, `This is the beginning of ${title}.`));
  } else if (conv.items.length > 0) {
    const loading = conv.loadingOlder;
    add(`older:${loading}`, () =>
      el(
        "button",
        { type: "button", class: "load-older", "data-action": "load-older", "data-testid": "load-older", disabled: loading },
        loading ? "Loading older messages…" : "Load older messages",
      ),
    );
  }

  let previous = null; // { from, ts, day } of the row above, for grouping
  const place = (from, ts, key, build) => {
    const day = dayKey(ts);
    if (!previous || previous.day !== day) {
      const label = dayLabel(ts);
      add(`day:${day}:${label}`, () => el("div", { class: "day-sep", role: "separator", "data-testid": "day-separator" }, el("span", {}, label)));
      previous = null;
    }
    if (!previous || previous.from !== nameKey(from) || ts - previous.ts > GROUP_GAP_MS) {
      add(`head:${key}`, () => groupHead(from, ts));
    }
    add(key, build);
    previous = { from: nameKey(from), ts, day };
  };
  const gapMarker = (beforeId) => {
    add(`gap:${beforeId}`, () => el("div", { class: "gap-marker", role: "note", "data-testid": "gap-marker" }, "Some messages may be missing here."));
    previous = null;
  };

  // The "new messages" line: before the first message by someone else after the read marker.
  let lineDrawn = conv.lineAfter === undefined;
  for (const m of conv.items) {
    if (conv.gap && conv.gap.beforeId === m.id) gapMarker(m.id);
    if (!lineDrawn && m.id > conv.lineAfter && !isMe(m.from)) {
      lineDrawn = true;
      add(`unread-line:${m.id}`, () => el("div", { class: "unread-line", role: "separator", "data-testid": "unread-line" }, el("span", {}, "New messages")));
      if (previous) previous = { ...previous, from: null }; // the author shows again below the line; the day does not

    }
    place(m.from, m.ts, messageKey(conv, m), () => messageNode(conv, m));
  }
  if (conv.gap && conv.gap.beforeId === null) gapMarker("end");
  for (const p of conv.pending) {
    place(state.me?.name ?? "", p.ts, `pending:${p.ref}:${p.state}:${p.sentOn > 0}:${p.error}`, () => pendingNode(conv, p));
  }

  if (conv.loaded && conv.items.length === 0 && conv.pending.length === 0) {
    const text = conv.kind === "room" ? "No messages yet. Say hello!" : `Start your conversation with ${conv.name}.`;
    add(`info:${text}`, () => el("p", { class: "tl-info" }, text));
  }
  return rows;
}

/** Makes the children of `box` match `rows`, reusing the nodes of rows whose key is unchanged. */
function patchRows(box, rows) {
  const existing = new Map();
  for (const child of box.children) existing.set(child.dataset.key, child);
  let cursor = box.firstElementChild;
  for (const row of rows) {
    let node = existing.get(row.key);
    if (node) existing.delete(row.key);
    else {
      node = row.build();
      node.dataset.key = row.key;
    }
    if (node === cursor) cursor = cursor.nextElementSibling;
    else box.insertBefore(node, cursor);
  }
  for (const node of existing.values()) node.remove();
}

function groupHead(from, ts) {
  const author = isMe(from)
    ? el("span", { class: "author is-me" }, from)
    : el("button", { type: "button", class: "author", "data-action": "dm", "data-name": from, title: `Message ${from}` }, from);
  return el(
    "div",
    { class: "group-head", "data-testid": "group-head", "data-from": nameKey(from) },
    author,
    el("time", { datetime: new Date(ts).toISOString(), title: fullFormat.format(ts) }, timeFormat.format(ts)),
  );
}

/** Puts the "new messages" line near the top of the timeline, when there is one. */
export function lineIntoView() {
  const line = $("timeline").querySelector('[data-testid="unread-line"]');
  const box = $("timeline");
  if (line) scrollTo(box, Math.max(0, box.scrollTop + line.getBoundingClientRect().top - box.getBoundingClientRect().top - 8));
}

/** A reply's quote was clicked: bring the original into view and flash it. */
export function jumpTo(id) {
  const node = [...$("timeline").querySelectorAll('[data-testid="message"]')].find((n) => n.dataset.id === id);
  if (!node) {
    toast("The original message is further back: load older messages to see it.", "info", "reply-not-loaded");
    return;
  }
  node.scrollIntoView({ block: "center" });
  node.classList.add("is-flash");
  setTimeout(() => node.classList.remove("is-flash"), 1600);
}
