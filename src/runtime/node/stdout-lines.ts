import { batchLines, type LineBatch } from "../../log-batch.ts";

let batch: LineBatch | undefined;
/** Set once the process is exiting: no later turn will come to write a batch. */
let exiting = false;

/**
 * Log lines for stdout. A terminal gets each line as it comes (a person reads
 * it, next to the console's prompt); a pipe or file gets one write per turn of
 * the event loop (see log-batch.ts), flushed at exit so no line is lost on
 * `process.exit`. Both go through console.log, which ignores a closed stdout
 * rather than crash, as before; its writes to a pipe or file are synchronous
 * on Linux, so the flush at exit completes.
 */
export function stdoutLine(line: string): void {
  if (exiting || process.stdout.isTTY) return console.log(line);
  if (!batch) {
    const lines = batchLines(
      (text) => console.log(text.slice(0, -1)),
      (flush) => void setImmediate(flush),
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
