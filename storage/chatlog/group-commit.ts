import { fdatasync, ftruncateSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import type { ChatRecord } from "./types.ts";
import { writeAll, writeAllSync } from "./write-all.ts";

/**
 * Writes made while an fdatasync runs that take this long in all, during each
 * of SLOW_SYNCS_IN_A_ROW fdatasyncs in a row, mean the file system makes them
 * wait for the fdatasync (on the bench's ext4 they take microseconds, 1 ms at
 * p99 on a busy machine). Then such writes go to the thread pool for
 * WAIT_MODE_MS. A one-off slow write (the event loop descheduled) does not count.
 */
const SLOW_WRITES_MS = 2;
const SLOW_SYNCS_IN_A_ROW = 3;
const WAIT_MODE_MS = 60_000;

export type Pending = {
  line: string;
  record: ChatRecord;
  onStored: ((r: ChatRecord) => void) | undefined;
  resolve: (r: ChatRecord) => void;
  reject: (e: Error) => void;
};

export type GroupCommitOptions = {
  /** fsync each group commit before resolving it. */
  fsync: boolean;
  /** A monotonic clock in ms, for timing writes (tests drive it). */
  monotonic: () => number;
  warn: (message: string, fields?: Record<string, unknown>) => void;
  /**
   * The batch is in the file, its first line at byte `offset`, each line
   * `lengths[i]` bytes with its "\n": called at once, in the same turn as the
   * write, before any `onStored` of the batch runs.
   */
  written: (batch: Pending[], offset: number, lengths: number[]) => void;
  /** Between batches, with nothing in flight: whether to rotate now (then `rotate` runs, writes wait). */
  rotationDue: (size: number) => boolean;
  rotate: () => Promise<void>;
};

/**
 * The write path of the log: appends go out as group commits.
 * - write: what was appended since the last write (the appends of one I/O
 *   callback, or of every turn while a thread-pool write ran) goes out in one
 *   write(2), into the page cache, where it survives a crash of this process.
 *   Then `written` indexes it and each `onStored` runs, so fan-out waits
 *   neither for an fsync nor for another turn of the event loop (see writeOut);
 * - sync (fsync on): one fdatasync at a time, started at the end of a turn;
 *   when it completes, every record written before it started resolves (is
 *   acked). Records written meanwhile wait for the next one.
 */
export class GroupCommitWriter {
  #file: FileHandle | undefined;
  /** Bytes of the file known good: everything up to the end of the last successful write. */
  #size = 0;
  /** Appended, not yet written. */
  #unwritten: Pending[] = [];
  #writeScheduled = false;
  /** A write in the thread pool (one at a time, so lines never interleave). */
  #writing = false;
  /** Written, waiting for an fdatasync. */
  #unsynced: Pending[] = [];
  #syncing = false;
  #syncScheduled = false;
  #rotating = false;
  readonly #slow: SlowWrites;
  /** Resolve each waiting `drain` once nothing is left to write or sync. */
  #idle: Array<() => void> = [];

  constructor(readonly options: GroupCommitOptions) {
    this.#slow = new SlowWrites(options.monotonic, options.warn);
  }

  get size(): number {
    return this.#size;
  }

  /** Writes go to `file` from now on (opened for appending, `size` bytes long). */
  attach(file: FileHandle, size: number): void {
    this.#file = file;
    this.#size = size;
  }

  /** Stops writing to the file; the caller closes it. */
  detach(): FileHandle | undefined {
    const file = this.#file;
    this.#file = undefined;
    return file;
  }

  add(pending: Pending): void {
    this.#unwritten.push(pending);
    this.#scheduleWrite();
  }

  /** Resolves once everything added is written and synced (or failed). */
  async drain(): Promise<void> {
    if (this.#busy()) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  #scheduleWrite(): void {
    if (this.#writeScheduled) return;
    this.#writeScheduled = true;
    queueMicrotask(() => this.#writeOut());
  }

  /**
   * Writes what was appended. The write only copies into the page cache
   * (microseconds), so it is made right here and the batch is delivered in this
   * same turn of the event loop: a write through the thread pool is delivered
   * only when its completion is picked up, a turn later, which under load is a
   * whole fan-out turn (tens of ms). That holds while an fdatasync runs too,
   * unless the file system makes writes wait for it (see SlowWrites): then
   * writes made while an fdatasync runs go to the thread pool for a while.
   */
  #writeOut(): void {
    this.#writeScheduled = false;
    if (this.#writing || this.#unwritten.length === 0 || this.#rotating) return;
    // Due for rotation: hold new writes until what is written is synced and the file rotated.
    if (this.#rotationDue()) return this.#settle();
    const batch = this.#unwritten;
    this.#unwritten = [];
    if (!this.#file) {
      for (const p of batch) p.reject(new Error("chat log is closed"));
      return this.#settle();
    }
    let chunk = "";
    for (const p of batch) chunk += p.line;
    const bytes = Buffer.from(chunk, "utf8");
    // Each line's length in bytes, for the index: its length in characters when the batch is all ASCII (as many bytes as characters).
    const ascii = bytes.length === chunk.length;
    const lengths = batch.map((p) => (ascii ? p.line.length : Buffer.byteLength(p.line)));
    const fd = this.#file.fd;
    const written = (error: Error | null) => {
      if (error) {
        // Cut off whatever part of the batch reached the file, so the next
        // record does not land glued to a fragment and get skipped on load.
        try {
          ftruncateSync(fd, this.#size);
        } catch {}
        for (const p of batch) p.reject(error);
      } else {
        const offset = this.#size;
        this.#size += bytes.length;
        this.#stored(batch, offset, lengths);
      }
    };
    if (!this.#syncing || !this.#slow.poolMode()) {
      // A write made while an fdatasync runs is timed: does this file system make it wait?
      const start = this.#syncing ? this.options.monotonic() : 0;
      const error = writeAllSync(fd, bytes);
      if (this.#syncing) this.#slow.wrote(this.options.monotonic() - start);
      written(error);
      if (this.#unwritten.length > 0) this.#scheduleWrite();
      else this.#settle();
      return;
    }
    this.#writing = true;
    writeAll(fd, bytes, (error) => {
      this.#writing = false;
      written(error);
      if (this.#unwritten.length > 0) this.#writeOut();
      else this.#settle();
    });
  }

  /** The batch is in the file: indexed, out to the room; acked now, or after its fdatasync. */
  #stored(batch: Pending[], offset: number, lengths: number[]): void {
    this.options.written(batch, offset, lengths);
    for (const p of batch) p.onStored?.(p.record);
    if (this.options.fsync) {
      for (const p of batch) this.#unsynced.push(p);
      this.#scheduleSync();
    } else {
      for (const p of batch) p.resolve(p.record);
    }
  }

  /** One fdatasync per turn at most, started once the turn's writes are made. */
  #scheduleSync(): void {
    if (this.#syncScheduled) return;
    this.#syncScheduled = true;
    setImmediate(() => {
      this.#syncScheduled = false;
      this.#syncNext();
    });
  }

  #syncNext(): void {
    if (this.#syncing || this.#unsynced.length === 0 || !this.#file) return this.#settle();
    this.#syncing = true;
    const batch = this.#unsynced;
    this.#unsynced = [];
    fdatasync(this.#file.fd, (error) => {
      this.#syncing = false;
      this.#slow.synced();
      if (error) for (const p of batch) p.reject(error);
      else for (const p of batch) p.resolve(p.record);
      if (this.#unsynced.length > 0) this.#scheduleSync();
      else this.#settle();
    });
  }

  /** Between batches: rotate if due, then tell a waiting `drain` that all is done. */
  #settle(): void {
    if (this.#writing || this.#syncing || this.#syncScheduled || this.#unsynced.length > 0 || this.#rotating) return;
    if (this.#rotationDue()) {
      this.#rotating = true;
      this.options
        .rotate()
        .catch((error: Error) => this.options.warn("chat log: could not reopen the log after rotating", { error: error.message }))
        .finally(() => {
          this.#rotating = false;
          if (this.#unwritten.length > 0) this.#scheduleWrite();
          else this.#settle();
        });
      return;
    }
    if (this.#unwritten.length === 0 && !this.#writeScheduled) for (const idle of this.#idle.splice(0)) idle();
  }

  #rotationDue(): boolean {
    return this.#file !== undefined && this.options.rotationDue(this.#size);
  }

  #busy(): boolean {
    return (
      this.#unwritten.length > 0 || this.#writeScheduled || this.#writing || this.#syncing || this.#syncScheduled || this.#unsynced.length > 0 || this.#rotating
    );
  }
}

/**
 * Whether this file system makes a write wait for a running fdatasync: the
 * writes made while each fdatasync runs are timed (see SLOW_WRITES_MS).
 */
class SlowWrites {
  #ms = 0;
  #wrote = false;
  /** fdatasyncs in a row during which such writes took SLOW_WRITES_MS or more. */
  #slowSyncs = 0;
  #poolUntil = -Infinity;
  #warned = false;

  constructor(
    readonly monotonic: () => number,
    readonly warn: (message: string, fields?: Record<string, unknown>) => void,
  ) {}

  /** Whether writes made while an fdatasync runs go to the thread pool now. */
  poolMode(): boolean {
    return this.monotonic() < this.#poolUntil;
  }

  /** A write made while an fdatasync ran took `ms`. */
  wrote(ms: number): void {
    this.#ms += ms;
    this.#wrote = true;
  }

  /** An fdatasync completed: did the writes made while it ran wait for it? */
  synced(): void {
    if (this.#wrote) {
      this.#slowSyncs = this.#ms >= SLOW_WRITES_MS ? this.#slowSyncs + 1 : 0;
      if (this.#slowSyncs >= SLOW_SYNCS_IN_A_ROW) {
        this.#slowSyncs = 0;
        this.#poolUntil = this.monotonic() + WAIT_MODE_MS;
        if (!this.#warned) {
          this.#warned = true;
          this.warn("chat log: writes wait for fsync on this file system; while an fsync runs, writing from a background thread", {
            forMs: WAIT_MODE_MS,
          });
        }
      }
    }
    this.#ms = 0;
    this.#wrote = false;
  }
}
