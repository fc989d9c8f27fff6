/// <reference lib="deno.ns" />
import type { Platform } from "../../run.ts";
import { denoRuntime } from "./serve.ts";
import { denoLogLine, startDenoConsole } from "./console.ts";

/** The Deno process behind `run()`. */
export const denoPlatform: Platform = {
  runtime: denoRuntime,
  env: Deno.env.toObject(),
  cwd: Deno.cwd(),
  exit: (code) => Deno.exit(code),
  stderr: (text) => void Deno.stderr.writeSync(new TextEncoder().encode(text)),
  onStopSignal(handler) {
    Deno.addSignalListener("SIGINT", () => handler("SIGINT"));
    Deno.addSignalListener("SIGTERM", () => handler("SIGTERM"));
  },
  onReloadSignal(handler) {
    Deno.addSignalListener("SIGHUP", handler);
  },
  stdinIsTerminal: Deno.stdin.isTerminal(),
  stdoutIsTerminal: Deno.stdout.isTerminal(),
  logLine: denoLogLine,
  startConsole: (daemon) => void startDenoConsole(daemon),
};
