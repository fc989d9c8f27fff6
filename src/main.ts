import { loadConfig, ConfigError } from "./config/load.ts";
import { createLogger, parseLevel } from "./log.ts";
import { Daemon } from "./daemon.ts";
import { nodeRuntime } from "./runtime/node/serve.ts";
import { startNodeConsole } from "./runtime/node/console.ts";
import { AddressInUseError } from "./runtime/types.ts";

/** Exit codes: 0 clean stop, 1 failed to start or crashed, 2 invalid configuration. */
const EXIT_CONFIG = 2;
const EXIT_FAILURE = 1;
const STOP_DEADLINE_MS = 5000;

async function main(): Promise<void> {
  const logger = createLogger({ level: parseLevel(process.env.CHAT_LOG_LEVEL) ?? "info" });
  let config;
  try {
    config = await loadConfig(process.env, process.cwd());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`chatd: ${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }

  const daemon = new Daemon({ config, runtime: nodeRuntime, logger });
  try {
    await daemon.start();
  } catch (error) {
    const message = error instanceof AddressInUseError ? `${error.message}; choose another with CHAT_PORT` : (error as Error).message;
    process.stderr.write(`chatd: cannot start: ${message}\n`);
    process.exit(EXIT_FAILURE);
  }

  // Once stopped (signal, console `stop` or POST /admin/stop), the process ends.
  daemon.actor.subscribe((s) => {
    if (s.matches("stopped")) {
      logger.info("bye");
      process.exit(s.context.error ? EXIT_FAILURE : 0);
    }
  });

  const onSignal = (signal: NodeJS.Signals) => {
    logger.info("signal received", { signal });
    setTimeout(() => {
      logger.error("stop took too long; exiting");
      process.exit(EXIT_FAILURE);
    }, STOP_DEADLINE_MS).unref();
    const answer = daemon.request("STOP");
    if (!answer.accepted && daemon.state !== "stopping") process.exit(0);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const consoleMode = process.env.CHAT_CONSOLE ?? "auto";
  if (consoleMode === "on" || (consoleMode === "auto" && process.stdin.isTTY)) startNodeConsole(daemon);
}

void main().catch((error) => {
  process.stderr.write(`chatd: fatal: ${(error as Error).stack ?? error}\n`);
  process.exit(EXIT_FAILURE);
});
