import type { Logger } from "../log.ts";
import type { FileService } from "./service.ts";

/**
 * Removes uploads never shared once they are `ttlMs` old (files.unsharedTtlMs,
 * 24 h by default), checking a few times per `ttlMs` and at least every 10
 * minutes. One sweep at a time; a failed sweep is logged and tried again at
 * the next tick. Returns the stop function.
 */
export function startSweeper(files: FileService, ttlMs: number, logger: Logger): () => void {
  const everyMs = Math.min(Math.max(Math.floor(ttlMs / 4), 50), 600_000);
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    files
      .sweep(ttlMs)
      .catch((error: Error) => logger.warn("files: sweep failed", { error: error.message }))
      .finally(() => {
        running = false;
      });
  }, everyMs);
  (timer as { unref?: () => void }).unref?.();
  return () => clearInterval(timer);
}
