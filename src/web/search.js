// Search (docs/protocol.md, `search` and `results`): a dialog opened by the
// Search button or Ctrl+K / Cmd+K. Results are grouped by room or conversation,
// newest first, with the matched ranges marked; a result opens its
// conversation at that message, loading the history around it if need be.
import { $, el } from "./dom.js";
import { send } from "./connection.js";
import { joinRoom, openDm } from "./conversations.js";
import { dialogError, openDialog, setBusy } from "./dialogs.js";
import { errorText } from "./errors.js";
import { render } from "./render.js";
import { request } from "./requests.js";
import { isMe, state } from "./state.js";
import { friendlyTime, nameKey } from "./text.js";

/** Messages of history loaded around a result that is not on the page yet. */
const AROUND = 25;

let last = null; // { q, messages, complete }: what the dialog shows

export function openSearch() {
  if ($("app").hidden) return;
  openDialog("search-dialog", "search-q");
  last = null;
  showResults();
}

export function submitSearch(event) {
  event.preventDefault();
  run(false);
}

export function moreResults() {
  if (last && !last.complete) run(true);
}

function run(more) {
  const dialog = $("search-dialog");
  const q = more ? last.q : $("search-q").value.trim();
  if (!q) return;
  const frame = { type: "search", q };
  if (more) frame.before = last.messages.at(-1).id;
  dialogError(dialog, null);
  setBusy(dialog, true, "Searching…");
  request(frame, (f) => {
    setBusy(dialog, false);
    if (f.type !== "results") {
      const wait = typeof f.retryAfterMs === "number" ? ` Try again in ${Math.max(1, Math.ceil(f.retryAfterMs / 1000))} s.` : "";
      return dialogError(dialog, errorText(f.code, f.message) + wait, f.code);
    }
    const messages = Array.isArray(f.messages) ? f.messages : [];
    last = { q, messages: more ? [...last.messages, ...messages] : messages, complete: f.complete === true };
    showResults();
  });
}

/** The conversation a result belongs to: "#room" or "@other user". */
function convKeyOf(m) {
  if (m.type === "message") return "#" + nameKey(m.room);
  return "@" + nameKey(isMe(m.from) ? m.to : m.from);
}

function showResults() {
  const box = $("search-results");
  $("search-more").hidden = !last || last.complete;
  if (!last) return box.replaceChildren();
  if (last.messages.length === 0) return box.replaceChildren(el("p", { class: "search-empty", "data-testid": "search-empty" }, "No messages match."));
  const groups = new Map(); // conversation key -> results, in the order they first appear (newest first)
  for (const m of last.messages) {
    const key = convKeyOf(m);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(m);
  }
  box.replaceChildren(
    ...[...groups].map(([key, messages]) => {
      const title = key[0] === "#" ? key : "@" + (messages[0].type === "dm" ? (isMe(messages[0].from) ? messages[0].to : messages[0].from) : key.slice(1));
      return el(
        "section",
        { class: "search-group", "data-testid": "search-group", "data-conv": key },
        el("h3", {}, title),
        ...messages.map((m) =>
          el(
            "button",
            { type: "button", class: "search-hit", "data-action": "search-hit", "data-testid": "search-hit", "data-conv": key, "data-id": m.id },
            el("span", { class: "search-meta" }, `${m.from} · ${friendlyTime(m.ts)}`),
            el("span", { class: "search-text" }, ...marked(m.text, m.highlights)),
            ...(m.files?.length ? [el("span", { class: "search-files" }, m.files.map((f) => f.name).join(", "))] : []),
          ),
        ),
      );
    }),
  );
}

/** The text as text nodes, each highlighted range in a <mark>. */
function marked(text, ranges) {
  const out = [];
  let at = 0;
  for (const [start, end] of Array.isArray(ranges) ? ranges : []) {
    if (start < at || end > text.length) continue;
    if (start > at) out.push(text.slice(at, start));
    out.push(el("mark", { "data-testid": "search-mark" }, text.slice(start, end)));
    at = end;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

/** Opens the result's conversation at the message: the timeline scrolls to it and marks it. */
export function openResult(key, id) {
  const m = last?.messages.find((x) => x.id === id);
  $("search-dialog").close();
  if (!m) return;
  if (key[0] === "#") joinRoom(m.room);
  else openDm(isMe(m.from) ? m.to : m.from);
  const conv = state.convs.get(key);
  if (!conv) return;
  conv.jumpTo = id;
  if (!conv.ids.has(id)) {
    // The page of history that ends with it (the messages after it come with the conversation's newest).
    const before = idAfter(id);
    if (conv.kind === "room") send({ type: "history", room: conv.target, before, limit: AROUND });
    else if (send({ type: "dm_history", with: conv.target, before, limit: AROUND })) conv.requests.push("before");
  }
  render.conversation(conv);
}

/** The smallest id above `id` (ids are `<13-digit ms>-<6-digit seq>`). */
function idAfter(id) {
  const [ms, seq] = id.split("-").map(Number);
  return seq >= 999999 ? `${String(ms + 1).padStart(13, "0")}-000000` : `${String(ms).padStart(13, "0")}-${String(seq + 1).padStart(6, "0")}`;
}
