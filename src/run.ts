import { loadConfig, ConfigError } from "./config/load.ts";
import { createLogger, parseFormat, parseLevel } from "./log.ts";
import { Daemon } from "./daemon.ts";
import { setConfigSource } from "./ops/reload.ts";
import { AddressInUseError, type ServerRuntime } from "./runtime/types.ts";

/** Exit codes: 0 clean stop, 1 failed to start or crashed, 2 invalid configuration. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_CONFIG = 2;
const STOP_DEADLINE_MS = 5000;

/** What the daemon needs from the process it runs in; one small adapter per runtime. */
export type Platform = {
  runtime: ServerRuntime;
  env: Record<string, string | undefined>;
  cwd: string;
  exit(code: number): never;
  stderr(text: string): void;
  /** Calls `handler` on SIGINT and SIGTERM. */
  onStopSignal(handler: (signal: string) => void): void;
  /** Calls `handler` on SIGHUP (reload the configuration). */
  onReloadSignal(handler: () => void): void;
  stdinIsTerminal: boolean;
  /** Logs are pretty on a terminal (`CHAT_LOG_FORMAT=auto`), JSON lines otherwise. */
  stdoutIsTerminal: boolean;
  /** Where log lines go (one line, no newline); console.log when absent. */
  logLine?: (line: string) => void;
  startConsole(daemon: Daemon): void;
};

/**
 * `npm start` / `deno task start`: load the config, start the daemon, run the
 * console if there is a terminal, stop gracefully on a signal, and exit when
 * the server has stopped (signal, console `stop`, or `POST /admin/stop`).
 */
export async function run(platform: Platform): Promise<void> {
  const { env } = platform;
  // Every invalid variable or field is reported at once, in the one format of ConfigError.
  const problems: string[] = [];
  const format = parseFormat(env.CHAT_LOG_FORMAT, platform.stdoutIsTerminal);
  if (!format) problems.push(`CHAT_LOG_FORMAT: expected auto, json or pretty, got ${JSON.stringify(env.CHAT_LOG_FORMAT)}`);
  const level = env.CHAT_LOG_LEVEL === undefined || env.CHAT_LOG_LEVEL === "" ? "info" : parseLevel(env.CHAT_LOG_LEVEL);
  if (!level) problems.push(`CHAT_LOG_LEVEL: expected debug, info, warn or error, got ${JSON.stringify(env.CHAT_LOG_LEVEL)}`);
  // Empty counts as unset, as for CHAT_LOG_LEVEL and CHAT_LOG_FORMAT (`CHAT_CONSOLE=` in a compose file).
  const consoleMode = env.CHAT_CONSOLE || "auto";
  if (!["auto", "on", "off"].includes(consoleMode)) problems.push(`CHAT_CONSOLE: expected auto, on or off, got ${JSON.stringify(consoleMode)}`);
  let config;
  try {
    config = await loadConfig(env, platform.cwd, problems);
  } catch (error) {
    if (error instanceof ConfigError) {
      platform.stderr(`chatd: ${error.message}\n`);
      platform.exit(EXIT_CONFIG);
    }
    throw error;
  }
  const logger = createLogger({ level: level!, format: format!, write: platform.logLine });

  const daemon = new Daemon({ config, runtime: platform.runtime, logger });
  setConfigSource(daemon, () => loadConfig(env, platform.cwd));
  const starting = daemon.start();
  // Signals are taken from the start on: one sent as soon as "listening" is logged must not
  // meet the runtime's default action (SIGHUP's ends the process).
  let stopping = false;
  platform.onStopSignal((signal) => {
    logger.info("signal received", { signal });
    if (stopping) return;
    stopping = true;
    const deadline = setTimeout(() => {
      logger.error("stop took too long; exiting");
      platform.exit(EXIT_FAILURE);
    }, STOP_DEADLINE_MS);
    (deadline as { unref?: () => void }).unref?.();
    // A start or restart in progress finishes first, then the stop runs.
    void daemon.stop().catch((error: Error) => {
      logger.error("stop failed", { error: error.message });
      platform.exit(EXIT_FAILURE);
    });
  });

  platform.onReloadSignal(() => {
    logger.info("signal received", { signal: "SIGHUP" });
    // During the start, the reload waits for it (a failed start exits anyway).
    starting
      .then(() => daemon.ops.reload())
      .catch((error: Error) => {
        if (daemon.state !== "stopped") logger.error("config reload failed; keeping the running config", { error: error.message });
      });
  });

  try {
    await starting;
  } catch (error) {
    const message = error instanceof AddressInUseError ? `${error.message}; choose another with ${portVariable(config, error.port)}` : (error as Error).message;
    platform.stderr(`chatd: cannot start: ${message}\n`);
    platform.exit(EXIT_FAILURE);
  }

  daemon.actor.subscribe((s) => {
    if (s.matches("stopped")) {
      logger.info("bye");
      platform.exit(s.context.error ? EXIT_FAILURE : EXIT_OK);
    }
  });

  if (consoleMode === "on" || (consoleMode === "auto" && platform.stdinIsTerminal)) platform.startConsole(daemon);
}

/** The variable that sets the port a listener could not take: HTTP's, or the IRC gateway's. */
function portVariable(config: { port: number; irc: { port?: number; tlsPort?: number } }, port: number): string {
  if (port === config.port) return "CHAT_PORT";
  if (port === config.irc.port) return "CHAT_IRC_PORT";
  return port === config.irc.tlsPort ? "CHAT_IRC_TLS_PORT" : "CHAT_PORT";
}
