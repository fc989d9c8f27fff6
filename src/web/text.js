// Names and times: pure helpers, no state.

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
