/**
 * Log lines joined into one write, made when `schedule` calls back (the Node
 * runtime: a short timer). Every line written separately cost a write system
 * call, and on a pipe a wake-up of the reader, per event: a token resume logs
 * "signed in", and those writes were the largest single cost of a resume.
 * Lines keep their order; `flush` writes what is pending at once (before
 * exit, or before something else writes to the same stream).
 */
export type LineBatch = { line(text: string): void; flush(): void };

/** Past this many characters pending, a batch is written without waiting for its schedule. */
const MAX_PENDING_CHARS = 64 * 1024;

export function batchLines(write: (text: string) => void, schedule: (flush: () => void) => void): LineBatch {
  let pending = "";
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === "") return;
    const text = pending;
    pending = "";
    write(text);
  };
  return {
    line(text) {
      pending += text + "\n";
      if (pending.length >= MAX_PENDING_CHARS) return flush();
      if (scheduled) return;
      scheduled = true;
      schedule(flush);
    },
    flush,
  };
}
