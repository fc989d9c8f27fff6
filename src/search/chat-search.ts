import type { ChatRecord } from "../../storage/chatlog/types.ts";
import { applyToIndex } from "./apply.ts";
import type { ScanKept } from "./port.ts";
import { SearchIndex } from "./search-index.ts";

const RETRY_MS = 5000;

export type SearchState = { ready: true } | { ready: false; retryAfterMs: number };

/**
 * The node's search index and its life: built from everything kept when the
 * chat starts (and again on `rebuild`, e.g. after a lost index), kept up to
 * date by every stored event. The build reads in chunks and yields to the
 * event loop between them (`chunk` records at a time), so chat goes on;
 * until it is done `state()` says when to ask again.
 */
export class ChatSearch {
  readonly index = new SearchIndex();
  #building: Promise<void> | undefined;
  #scanned = 0;
  #startedAt = 0;

  constructor(
    private readonly scan: ScanKept | undefined,
    private readonly chunk: () => number,
    private readonly onError: (error: Error) => void = () => {},
  ) {}

  /** Every stored event, live, on every node. */
  stored(event: ChatRecord): void {
    applyToIndex(this.index, event);
  }

  /** Starts a rebuild from what is kept (a running one is reused). */
  rebuild(): Promise<void> {
    if (this.#building) return this.#building;
    this.index.clear();
    this.#scanned = 0;
    this.#startedAt = Date.now();
    const scan = this.scan;
    if (!scan) return Promise.resolve();
    const run = scan(async (records) => {
      const size = Math.max(1, this.chunk());
      for (let i = 0; i < records.length; i += size) {
        for (const r of records.slice(i, i + size)) applyToIndex(this.index, r);
        this.#scanned += Math.min(size, records.length - i);
        await yieldToEventLoop();
      }
    });
    this.#building = run.then(
      () => {
        this.#building = undefined;
      },
      (error: Error) => {
        this.onError(error);
        // Try again a little later: search stays unavailable meanwhile.
        this.#building = undefined;
        this.#failed = true;
        this.#retry = setTimeout(() => {
          this.#failed = false;
          void this.rebuild();
        }, RETRY_MS);
      },
    );
    return this.#building;
  }

  #retry: ReturnType<typeof setTimeout> | undefined;
  #failed = false;

  state(): SearchState {
    if (this.#failed) return { ready: false, retryAfterMs: RETRY_MS };
    if (!this.#building) return { ready: true };
    // A guess from the pace so far: ask again in about a second, sooner for small logs.
    const elapsed = Date.now() - this.#startedAt;
    return { ready: false, retryAfterMs: Math.max(100, Math.min(5000, this.#scanned === 0 ? 1000 : elapsed)) };
  }

  close(): void {
    if (this.#retry) clearTimeout(this.#retry);
  }
}

/** One turn of the event loop (a timer, so pending I/O runs first), in web-standard code. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
