import { batchLines, type LineBatch } from "../../log-batch.ts";

let batch: LineBatch | undefined;
/** Set once the process is exiting: no later turn will come to write a batch. */
let exiting = false;

/**
 * How long a log line may wait for others to share its write. Once per turn
 * of the event loop was still about one write per sign-in while connections
 * arrive (a turn handles one or two): a write to a pipe that wakes its reader
 * cost about 100 µs of CPU, a sixth of admitting a connection. 20 ms gathers
 * dozens of lines per write and is no delay a person tailing the log notices.
 */
export const FLUSH_MS = 20;

/**
 * Log lines for stdout. A terminal gets each line as it comes (a person reads
 * it, next to the console's prompt); a pipe or file gets one write per
 * FLUSH_MS (see log-batch.ts), flushed at exit so no line is lost on
 * `process.exit` or an uncaught error. Both go through console.log, which
 * ignores a closed stdout rather than crash, as before; its writes to a pipe
 * or file are synchronous on Linux, so the flush at exit completes.
 */
export function stdoutLine(line: string): void {
  if (exiting || process.stdout.isTTY) return console.log(line);
  if (!batch) {
    const lines = batchLines(
      (text) => console.log(text.slice(0, -1)),
      // Unref: a pending batch must not keep the process alive; the exit flush writes it.
      (flush) => void setTimeout(flush, FLUSH_MS).unref(),
    );
    process.once("exit", () => {
      exiting = true;
      lines.flush();
    });
    batch = lines;
  }
  batch.line(line);
}

/** Writes pending log lines now: for anything else about to write to stdout, so the order holds. */
export function flushStdoutLines(): void {
  batch?.flush();
}
