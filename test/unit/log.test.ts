import { describe, expect, it } from "vitest";
import { REDACTED, createLogger, parseFormat } from "../../src/log.ts";

function capture(options: Parameters<typeof createLogger>[0] = {}) {
  const lines: string[] = [];
  return { lines, logger: createLogger({ ...options, write: (l) => lines.push(l) }) };
}

describe("the logger", () => {
  it("writes one JSON line per event with level, time, msg and the fields", () => {
    const { lines, logger } = capture();
    logger.info("listening", { port: 8080 });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: "info", msg: "listening", port: 8080 });
    expect(new Date(entry.time as string).toISOString()).toBe(entry.time);
  });

  it("leaves out events below its level", () => {
    const { lines, logger } = capture({ level: "warn" });
    logger.debug("a");
    logger.info("b");
    logger.warn("c");
    logger.error("d");
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(["c", "d"]);
  });

  it("redacts fields named like secrets, however deep", () => {
    const { lines, logger } = capture();
    logger.info("oops", { user: "alice", password: "hunter22", nested: { token: "abc", Authorization: "Bearer x" }, list: [{ secret: 1 }] });
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ user: "alice", password: REDACTED, nested: { token: REDACTED, Authorization: REDACTED }, list: [{ secret: REDACTED }] });
    expect(lines[0]).not.toMatch(/hunter22|abc|Bearer x/);
  });

  it("writes a readable line instead of JSON in the pretty format", () => {
    const { lines, logger } = capture({ format: "pretty" });
    logger.warn("admin API is off", { port: 8080, host: "0.0.0.0", why: "no token" });
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN  admin API is off port=8080 host=0\.0\.0\.0 why="no token"$/);
  });

  it("quotes and escapes control characters in the pretty format, so a user's text cannot drive the terminal", () => {
    const { lines, logger } = capture({ format: "pretty" });
    logger.info("broadcast sent", { text: "red\x1b[31malert", bell: "\x07", csi: "a\u009bb", del: "x\u007f" });
    expect(lines[0]).toMatch(/ broadcast sent text="red\\u001b\[31malert" bell="\\u0007" csi="a\\u009bb" del="x\\u007f"$/);
    expect(lines[0]).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it("chooses pretty on a terminal and JSON otherwise unless CHAT_LOG_FORMAT says", () => {
    expect(parseFormat(undefined, true)).toBe("pretty");
    expect(parseFormat("auto", false)).toBe("json");
    expect(parseFormat("json", true)).toBe("json");
    expect(parseFormat("pretty", false)).toBe("pretty");
    expect(parseFormat("yaml", false)).toBeUndefined();
  });
});
