import { batchLines, type LineBatch } from "../../log-batch.ts";

let batch: LineBatch | undefined;
/** Set once the process is exiting: no later turn will come to write a batch. */
let exiting = false;

/**
 * The least time between two writes while lines keep coming. One write per
 * turn of the event loop was still about one write per sign-in while
 * connections arrive (a turn handles one or two), and a write to a pipe that
 * wakes its reader cost about 100 µs of CPU, a sixth of admitting a
 * connection. So after a write, lines gather for 20 ms; after a quiet spell
 * the first one goes out at the end of its turn, as before.
 */
export const MIN_WRITE_GAP_MS = 20;

/** When the last batch was written (ms, performance.now). */
let lastWrite = -Infinity;

/** Set while the console's prompt is on the terminal: it prints each log line above the prompt. */
let aboveConsole: ((line: string) => void) | undefined;

/** Log lines go to `print` (the console's) from now on; `undefined`: to stdout again. */
export function printLogLinesWith(print: ((line: string) => void) | undefined): void {
  aboveConsole = print;
}

/**
 * Log lines for stdout. A terminal gets each line as it comes (a person reads
 * it, next to the console's prompt); a pipe or file gets batches (see
 * log-batch.ts): at the end of the turn, or MIN_WRITE_GAP_MS after the last
 * write if that is later; flushed at exit so no line is lost on `process.exit`
 * or an uncaught error. Both go through console.log, which ignores a closed
 * stdout rather than crash, as before; its writes to a pipe or file are
 * synchronous on Linux, so the flush at exit completes.
 */
export function stdoutLine(line: string): void {
  if (aboveConsole) return aboveConsole(line);
  if (exiting || process.stdout.isTTY) return console.log(line);
  if (!batch) {
    const lines = batchLines(
      (text) => {
        lastWrite = performance.now();
        console.log(text.slice(0, -1));
      },
      (flush) => {
        const wait = lastWrite + MIN_WRITE_GAP_MS - performance.now();
        // Unref: a pending batch must not keep the process alive; the exit flush writes it.
        if (wait > 0) setTimeout(flush, wait).unref();
        else setImmediate(flush);
      },
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
