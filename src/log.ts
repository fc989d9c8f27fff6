/**
 * Structured logging: one JSON object a line on stdout (`level`, `time`,
 * `msg`, then the fields), or a readable line when stdout is a terminal.
 * Callers pass fields, never secrets; as a second line of defence, fields
 * whose names say they hold a secret are redacted.
 */
export type Level = "debug" | "info" | "warn" | "error";
export type Logger = {
  [L in Level]: (msg: string, fields?: Record<string, unknown>) => void;
};
export type LogFormat = "json" | "pretty";
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Field names whose values are never written, at any depth. */
const SECRET_FIELD = /pass(word)?|token|secret|authorization|cookie/i;
export const REDACTED = "[redacted]";

export function createLogger(options: { level?: Level; format?: LogFormat; write?: (line: string) => void } = {}): Logger {
  const min = order[options.level ?? "info"];
  const write = options.write ?? ((line: string) => console.log(line));
  const format = options.format === "pretty" ? pretty : json;
  const at = (level: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < min) return;
    write(format(level, new Date(), msg, fields ? (redact(fields) as Record<string, unknown>) : {}));
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

function json(level: Level, time: Date, msg: string, fields: Record<string, unknown>): string {
  return JSON.stringify({ level, time: time.toISOString(), msg, ...fields });
}

/** `21:36:48.123 INFO  listening host=0.0.0.0 port=8080`: for people at a terminal. */
function pretty(level: Level, time: Date, msg: string, fields: Record<string, unknown>): string {
  const pairs = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === "string" && !/[\s\p{Cc}]/u.test(v) ? v : printable(JSON.stringify(v))}`);
  return [time.toISOString().slice(11, 23), level.toUpperCase().padEnd(5), msg, ...pairs].join(" ");
}

/**
 * JSON escapes C0 controls but not DEL and C1 (U+007F-U+009F), which some
 * terminals act on: a field holding a user's text must not drive the terminal.
 */
function printable(json: string | undefined): string {
  return String(json).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELD.test(k) ? REDACTED : redact(v, depth + 1);
  return out;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export function parseLevel(value: string | undefined): Level | undefined {
  return value === "debug" || value === "info" || value === "warn" || value === "error" ? value : undefined;
}

/** `CHAT_LOG_FORMAT`: `json`, `pretty`, or `auto` (pretty on a terminal, JSON otherwise). */
export function parseFormat(value: string | undefined, stdoutIsTerminal: boolean): LogFormat | undefined {
  if (value === undefined || value === "" || value === "auto") return stdoutIsTerminal ? "pretty" : "json";
  return value === "json" || value === "pretty" ? value : undefined;
}
