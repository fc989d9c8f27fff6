/**
 * Structured logging: one JSON object a line on stdout. Callers pass fields,
 * never secrets: passwords and tokens are not logged anywhere in chatd.
 */
export type Level = "debug" | "info" | "warn" | "error";
export type Logger = {
  [L in Level]: (msg: string, fields?: Record<string, unknown>) => void;
};
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(options: { level?: Level; write?: (line: string) => void } = {}): Logger {
  const min = order[options.level ?? "info"];
  const write = options.write ?? ((line: string) => console.log(line));
  const at = (level: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < min) return;
    write(JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields }));
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export function parseLevel(value: string | undefined): Level | undefined {
  return value === "debug" || value === "info" || value === "warn" || value === "error" ? value : undefined;
}
