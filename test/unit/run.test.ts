import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { run, type Platform } from "../../src/run.ts";
import { nodeRuntime } from "../../src/runtime/node/serve.ts";

// src/run.ts: signals are taken from the start on, so one sent the moment the daemon
// says "listening" (as a supervisor or a test would) never meets the runtime's default
// action: for SIGHUP, ending the process.

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe("run: signals", () => {
  it("a SIGHUP and a SIGTERM that arrive as 'listening' is logged reload, then stop gracefully", async () => {
    const dir = await mkdtemp(join(tmpdir(), "chatd-run-"));
    dirs.push(dir);
    const lines: string[] = [];
    let reload: (() => void) | undefined;
    let stop: ((signal: string) => void) | undefined;
    let exited: (code: number) => void = () => {};
    const exit = new Promise<number>((resolve) => (exited = resolve));
    const platform: Platform = {
      runtime: nodeRuntime,
      env: { CHAT_DATA_DIR: join(dir, "data"), CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_LOG_FORMAT: "json" },
      cwd: dir,
      exit: ((code: number) => exited(code)) as Platform["exit"],
      stderr: (text) => lines.push(text),
      onStopSignal: (handler) => (stop = handler),
      onReloadSignal: (handler) => (reload = handler),
      stdinIsTerminal: false,
      stdoutIsTerminal: false,
      logLine: (line) => {
        lines.push(line);
        // The signals, in the very turn the line goes out.
        if (line.includes('"msg":"listening"')) {
          expect(reload).toBeDefined();
          expect(stop).toBeDefined();
          reload!();
          stop!("SIGTERM");
        }
      },
      startConsole: () => {},
    };
    await run(platform);
    expect(await exit).toBe(0);
    const msgs = lines.filter((l) => l.startsWith("{")).map((l) => (JSON.parse(l) as { msg?: string }).msg);
    expect(msgs).toContain("signal received");
    expect(msgs.indexOf("listening")).toBeLessThan(msgs.indexOf("stopping"));
    expect(msgs.at(-1)).toBe("bye");
    expect(lines.join("\n")).not.toContain("config reload failed");
  });
});
