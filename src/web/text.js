// Names, links and times: pure helpers, no state.
import { el } from "./dom.js";

const NAME_RULE = /^[\p{L}\p{N}][\p{L}\p{M}\p{N}_-]*$/u; // same rule as the server

/** The server compares names NFKC + lower-cased; so do we, to match users and rooms. */
export function nameKey(name) {
  return String(name).normalize("NFKC").toLowerCase().normalize("NFKC");
}

export function validName(name) {
  const n = String(name).normalize("NFKC");
  const length = [...n].length;
  return length >= 1 && length <= 32 && NAME_RULE.test(n) && !/^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/.test(nameKey(n));
}

function isNameChar(ch) {
  return ch !== undefined && /[\p{L}\p{M}\p{N}_-]/u.test(ch);
}

/** Whether `text` names the user with key `me` as a whole word. */
export function mentions(text, me) {
  const lower = nameKey(text);
  let at = lower.indexOf(me);
  while (at !== -1) {
    if (!isNameChar(lower[at - 1]) && !isNameChar(lower[at + me.length])) return true;
    at = lower.indexOf(me, at + 1);
  }
  return false;
}

// Links: only http(s) URLs become <a>; everything else stays literal text.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;

function safeHttpUrl(text) {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** Trailing punctuation usually ends the sentence, not the URL (keeps a ")" that closes a "(" in it). */
function trimUrl(raw) {
  let url = raw;
  for (;;) {
    const last = url.at(-1);
    if (".,;:!?'\"]}".includes(last)) url = url.slice(0, -1);
    else if (last === ")" && (url.match(/\(/g) ?? []).length < (url.match(/\)/g) ?? []).length) url = url.slice(0, -1);
    else return url;
  }
}

/** Message text as text nodes, with http(s) links as <a> elements. Never HTML. */
export function renderText(text) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const raw = trimUrl(match[0]);
    const href = safeHttpUrl(raw);
    if (!href) continue;
    if (match.index > last) fragment.append(text.slice(last, match.index));
    fragment.append(el("a", { href, rel: "noopener noreferrer", target: "_blank" }, raw));
    last = match.index + raw.length;
  }
  if (last < text.length) fragment.append(text.slice(last));
  return fragment;
}

// Times: local, short. Day separators say Today / Yesterday / a date.
export const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
export const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric", year: "numeric" });
const dateFormat = new Intl.DateTimeFormat(undefined, { weekday: "short", month: "short", day: "numeric" });

export function dayKey(ts) {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

function dayOffset(ts) {
  const today = new Date();
  for (const offset of [-1, 0, 1]) {
    const day = new Date(today.getFullYear(), today.getMonth(), today.getDate() + offset);
    if (dayKey(ts) === dayKey(day.getTime())) return offset;
  }
  return null;
}

export function dayLabel(ts) {
  const offset = dayOffset(ts);
  if (offset === 0) return "Today";
  if (offset === -1) return "Yesterday";
  return dayFormat.format(ts);
}

/** "14:05", "tomorrow 14:05" or "Tue, Dec 8, 14:05": a moment in the reader's own time zone. */
export function friendlyTime(ts) {
  const offset = dayOffset(ts);
  const time = timeFormat.format(ts);
  if (offset === 0) return time;
  if (offset === 1) return `tomorrow ${time}`;
  if (offset === -1) return `yesterday ${time}`;
  return `${dateFormat.format(ts)}, ${time}`;
}

const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;

/** Server text with its UTC timestamps (ISO 8601) said in local time instead. */
export function friendlyTimes(text) {
  return String(text).replace(ISO_TIME, (iso) => {
    const ts = Date.parse(iso);
    return Number.isNaN(ts) ? iso : friendlyTime(ts);
  });
}

/** "5 s", "2 min", "1 h 30 min": a short wait, rounded up. */
export function duration(ms) {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}
