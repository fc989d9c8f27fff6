import { open, type FileHandle } from "node:fs/promises";
import { Semaphore } from "../users/semaphore.ts";
import type { Location } from "./room-index.ts";

/** Lines closer than this in one file are read together (one read instead of two). */
const MERGE_GAP = 16 * 1024;
/** The most one read takes in, so a request's reads interleave with everyone else's. */
const MAX_READ = 256 * 1024;
/** Reads in flight at once across all requests (the thread pool has 4 threads; writes and fsyncs need one). */
const READS_AT_ONCE = 3;
/** Reads one request keeps in flight: others' reads queue between its own. */
const LANES = 2;

/**
 * The log files, numbered: segment n is the file that was current when n was
 * the newest number (rotated files keep their number through every rename).
 * Each is held open for reading, so a rename never loses it, and a file
 * deleted by rotation is noticed by its link count dropping to 0.
 */
export class Segments {
  readonly #files = new Map<number, FileHandle>();
  /** Deleted files, still open for the reads planned before the index forgot them. */
  readonly #dying = new Map<number, FileHandle>();
  /** `read` calls running. */
  #reading = 0;
  readonly #reads = new Semaphore(READS_AT_ONCE);

  /** Opens `path` for reading as segment `n`. */
  async add(n: number, path: string): Promise<void> {
    this.#files.set(n, await open(path, "r"));
  }

  /**
   * Finds the segments whose file rotation deleted; the lowest segment still
   * there. Their files close once no read is running (reads planned before
   * the caller drops them from the index still find them).
   */
  async dropDeleted(): Promise<number> {
    for (const [n, file] of this.#files) {
      const gone = await file.stat().then(
        (s) => s.nlink === 0,
        () => true,
      );
      if (!gone) continue;
      this.#files.delete(n);
      this.#dying.set(n, file);
    }
    setImmediate(() => this.#closeDying());
    return Math.min(...this.#files.keys());
  }

  #closeDying(): void {
    if (this.#reading > 0) return;
    for (const file of this.#dying.values()) void file.close().catch(() => {});
    this.#dying.clear();
  }

  /**
   * The lines at `locations` (in one file's order they were written), as text
   * without "\n". Lines near each other in a file are read at once; reads go
   * out a few at a time (LANES per request, READS_AT_ONCE in all), so one
   * request never holds the thread pool.
   */
  async read(locations: Location[]): Promise<string[]> {
    this.#reading += 1;
    try {
      return await this.#read(locations);
    } finally {
      this.#reading -= 1;
      if (this.#reading === 0 && this.#dying.size > 0) this.#closeDying();
    }
  }

  async #read(locations: Location[]): Promise<string[]> {
    const lines = new Array<string>(locations.length);
    const todo = runs(locations);
    let next = 0;
    const lane = async () => {
      while (next < todo.length) {
        const run = todo[next++]!;
        const buffer = await this.#readRun(run);
        for (const i of run.items) {
          const at = locations[i]!;
          lines[i] = buffer.toString("utf8", at.offset - run.start, at.offset - run.start + at.length);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(LANES, todo.length) }, lane));
    return lines;
  }

  async #readRun(run: Run): Promise<Buffer> {
    const file = this.#files.get(run.segment) ?? this.#dying.get(run.segment);
    if (!file) throw new Error(`chat log: file ${run.segment} is gone`);
    const buffer = Buffer.allocUnsafe(run.end - run.start);
    await this.#reads.run(async () => {
      for (let done = 0; done < buffer.length; ) {
        const { bytesRead } = await file.read(buffer, done, buffer.length - done, run.start + done);
        if (bytesRead === 0) throw new Error("chat log: a line is past the end of its file");
        done += bytesRead;
      }
    });
    return buffer;
  }

  /** The segments held open (not deleted), oldest first. */
  numbers(): number[] {
    return [...this.#files.keys()].sort((a, b) => a - b);
  }

  /** The size of segment `n`'s file now (0 if it is gone). */
  async size(n: number): Promise<number> {
    const file = this.#files.get(n);
    return file ? (await file.stat()).size : 0;
  }

  /** Bytes [start, end) of segment `n` (a scan of the whole log, for search's index, reads through this). */
  async readRange(segment: number, start: number, end: number): Promise<Buffer> {
    this.#reading += 1;
    try {
      return await this.#readRun({ segment, start, end, items: [] });
    } finally {
      this.#reading -= 1;
      if (this.#reading === 0 && this.#dying.size > 0) this.#closeDying();
    }
  }

  async close(): Promise<void> {
    const files = [...this.#files.values(), ...this.#dying.values()];
    this.#files.clear();
    this.#dying.clear();
    await Promise.all(files.map((f) => f.close().catch(() => {})));
  }
}

type Run = { segment: number; start: number; end: number; items: number[] };

/** Groups locations into byte ranges to read: same file, close together, not too big. */
function runs(locations: Location[]): Run[] {
  const out: Run[] = [];
  let run: Run | undefined;
  locations.forEach((at, i) => {
    const end = at.offset + at.length;
    if (run && run.segment === at.segment && at.offset >= run.end && at.offset - run.end <= MERGE_GAP && end - run.start <= MAX_READ) {
      run.end = end;
      run.items.push(i);
    } else {
      run = { segment: at.segment, start: at.offset, end, items: [i] };
      out.push(run);
    }
  });
  return out;
}
