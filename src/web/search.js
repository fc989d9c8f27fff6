// Search (docs/protocol.md, `search` and `results`): a dialog opened by the
// Search button or Ctrl+K / Cmd+K. Results are grouped by room or conversation,
// newest first, with the matched ranges marked; a result opens its
// conversation at that message, loading the history around it if need be.
import { $, el, toast } from "./dom.js";
import { joinRoom, openDm } from "./conversations.js";
import { dialogError, openDialog, setBusy } from "./dialogs.js";
import { errorText, tooFastText } from "./errors.js";
import { requestOlder } from "./model.js";
import { render } from "./render.js";
import { request } from "./requests.js";
import { isMe, state } from "./state.js";
import { duration, friendlyTime, nameKey } from "./text.js";

/** Pages of history (50 messages each) loaded back at most to reach a result: limits.historyPerRoom's default. */
const JUMP_PAGES = 20;

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
      if (f.code === "rate_limited") return dialogError(dialog, tooFastText("searching", f), f.code);
      // unavailable with retryAfterMs: the server is still building its search index.
      if (f.code === "unavailable") {
        const wait = typeof f.retryAfterMs === "number" ? ` Try again in ${duration(f.retryAfterMs)}.` : " Try again later.";
        return dialogError(dialog, `Search is not ready yet.${wait}`, f.code);
      }
      return dialogError(dialog, errorText(f.code, f.message), f.code);
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

/**
 * Opens the result's conversation at the message: older pages of its history
 * load until the message is there, then the timeline scrolls to it and marks
 * it (timeline.js), with everything between it and the newest messages.
 */
export function openResult(key, id) {
  const m = last?.messages.find((x) => x.id === id);
  $("search-dialog").close();
  if (!m) return;
  if (key[0] === "#") joinRoom(m.room);
  else openDm(isMe(m.from) ? m.to : m.from);
  const conv = state.convs.get(key);
  if (!conv) return;
  conv.jumpTo = id;
  conv.jumpPages = 0;
  if (conv.loaded) continueJump(conv);
  render.conversation(conv);
}

/** After a page of history arrived (frames.js): one more page back, unless the message is there or out of reach. */
export function continueJump(conv) {
  if (!conv.jumpTo || conv.ids.has(conv.jumpTo) || conv.loadingOlder) return;
  if (conv.complete || conv.jumpPages >= JUMP_PAGES) {
    // Search reaches every kept log file; history only the newest messages of each room.
    toast("That message is older than the history this conversation shows.", "info");
    conv.jumpTo = null;
    return;
  }
  conv.jumpPages += 1;
  requestOlder(conv);
}
