// Server notices, the message of the day and the welcome line, folded into one
// area above the conversation: the newest shows, the rest behind "+N more".
// A notice never shows twice, expires by its kind (settings.js), and says times
// in the reader's own time zone.
import { $, el } from "./dom.js";
import { NOTICE_TTL_MS } from "./settings.js";
import { storage } from "./storage.js";
import { friendlyTime, friendlyTimes } from "./text.js";

const LABELS = {
  welcome: "Welcome",
  broadcast: "Announcement",
  motd: "Message of the day",
  kick: "Disconnected",
  ban: "Banned",
  mute: "Muted",
  shutdown: "Server stopping",
  restart: "Server restarting",
};

let notices = []; // newest first: { id, kind, text, ts, expires }
const dismissed = new Map(); // kind + text -> when it was dismissed
let expanded = false;
let expiryTimer = 0;
let nextId = 1;

const keyOf = (kind, text) => `${kind}\n${text}`;

function ttl(kind) {
  return kind in NOTICE_TTL_MS ? NOTICE_TTL_MS[kind] : NOTICE_TTL_MS.broadcast;
}

/** Adds a notice unless the same one is already there or was just dismissed. */
export function addNotice(kind, text, ts = Date.now()) {
  const key = keyOf(kind, text);
  const gone = dismissed.get(key);
  if (gone !== undefined && (ttl(kind) === null || Date.now() - gone < ttl(kind))) return;
  const now = Date.now();
  let expires = ttl(kind) === null ? null : now + ttl(kind);
  let shown = text;
  if (kind === "mute") {
    // "you are muted in general for 10 minutes": say until when, in local time.
    const minutes = Number(/for ([\d.]+) minutes?/.exec(text)?.[1]);
    if (minutes > 0) {
      const until = (ts ?? now) + minutes * 60_000;
      shown = `${text} (until ${friendlyTime(until)})`;
      expires = Math.max(now, until);
    }
  }
  notices = [{ id: nextId++, kind, key, text: shown, ts: ts ?? now, expires }, ...notices.filter((n) => n.key !== key)];
  renderNotices();
}

/**
 * The message of the day: only the current one shows, once, until dismissed (remembered).
 * A changed one (`fresh`, from a notice) comes first; the one in `welcome` goes last.
 */
export function showMotd(text, fresh = false) {
  notices = notices.filter((n) => n.kind !== "motd" || n.text === text);
  if (text && storage.get("motd-dismissed") !== text && !notices.some((n) => n.kind === "motd")) {
    const notice = { id: nextId++, kind: "motd", key: keyOf("motd", text), text, ts: Date.now(), expires: null };
    if (fresh) notices.unshift(notice);
    else notices.push(notice);
  }
  renderNotices();
}

/** Removes notices of these kinds (all when none given). */
export function clearNotices(kinds) {
  notices = kinds ? notices.filter((n) => !kinds.includes(n.kind)) : [];
  if (!kinds) expanded = false;
  renderNotices();
}

export function dismissNotice(id) {
  const notice = notices.find((n) => String(n.id) === String(id));
  if (!notice) return;
  remember(notice);
  notices = notices.filter((n) => n !== notice);
  renderNotices();
}

export function dismissAllNotices() {
  for (const n of notices) remember(n);
  notices = [];
  expanded = false;
  renderNotices();
}

export function toggleNotices() {
  expanded = !expanded;
  renderNotices();
}

function remember(notice) {
  dismissed.set(notice.key, Date.now());
  if (notice.kind === "motd") storage.set("motd-dismissed", notice.text);
}

function label(kind, text) {
  const name = LABELS[kind] ?? "Notice";
  // "Server restarting: server restarting" says it twice: the label goes when the text starts with it.
  const plain = (s) => s.toLowerCase().replace(/[^\p{L}\p{N} ]/gu, "").trim();
  return plain(text).startsWith(plain(name)) ? null : name;
}

const sentence = (text) => text.charAt(0).toUpperCase() + text.slice(1);

export function renderNotices() {
  const now = Date.now();
  notices = notices.filter((n) => n.expires === null || n.expires > now);
  clearTimeout(expiryTimer);
  const next = Math.min(...notices.map((n) => n.expires ?? Infinity));
  if (next !== Infinity) expiryTimer = setTimeout(renderNotices, next - now + 50);
  if (notices.length < 2) expanded = false;

  const box = $("notices");
  box.hidden = notices.length === 0;
  box.classList.toggle("is-expanded", expanded);
  box.dataset.count = String(notices.length);
  const rows = notices.map((n) => {
    const kind = label(n.kind, n.text);
    return el(
      "li",
      { class: `notice notice-${n.kind}`, "data-testid": "notice", "data-kind": n.kind },
      kind ? el("span", { class: "notice-kind" }, kind) : null,
      el("span", { class: "notice-text", "data-testid": "notice-text" }, sentence(friendlyTimes(n.text))),
      el("time", { datetime: new Date(n.ts).toISOString() }, friendlyTime(n.ts)),
      el("button", { type: "button", class: "icon-btn", "aria-label": "Dismiss notice", "data-action": "dismiss-notice", "data-notice": n.id }, "×"),
    );
  });
  $("notice-list").replaceChildren(...rows);
  const more = $("notices-more");
  more.hidden = notices.length < 2;
  if (expanded) more.textContent = "Show less";
  else more.replaceChildren(`+${notices.length - 1}`, el("span", { class: "more-word" }, " more"));
  more.setAttribute("aria-expanded", String(expanded));
  $("notices-clear").hidden = notices.length < 2;
}
