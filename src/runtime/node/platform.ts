import type { Platform } from "../../run.ts";
import { nodeRuntime } from "./serve.ts";
import { startNodeConsole } from "./console.ts";
import { stdoutLine } from "./stdout-lines.ts";

/** The Node.js process behind `run()`. */
export const nodePlatform: Platform = {
  runtime: nodeRuntime,
  env: process.env,
  cwd: process.cwd(),
  exit: (code) => process.exit(code),
  stderr: (text) => void process.stderr.write(text),
  onStopSignal(handler) {
    process.on("SIGINT", () => handler("SIGINT"));
    process.on("SIGTERM", () => handler("SIGTERM"));
  },
  onReloadSignal(handler) {
    process.on("SIGHUP", handler);
  },
  stdinIsTerminal: process.stdin.isTTY === true,
  stdoutIsTerminal: process.stdout.isTTY === true,
  logLine: stdoutLine,
  startConsole: (daemon) => void startNodeConsole(daemon),
};
