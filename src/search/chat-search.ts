import { isMessage, type ChatRecord, type MessageRecord } from "../../storage/chatlog/types.ts";
import type { KeptLog, KeptRecord } from "../../storage/chatlog/kept.ts";
import { applyToIndex } from "./apply.ts";
import { SearchIndex, type SearchScope } from "./search-index.ts";
import { verify, type ParsedQuery } from "./text.ts";

/** After a failed build, when it is tried again (and what `unavailable` says meanwhile). */
const RETRY_MS = 5000;
/** Candidates read back at most at once. */
const MAX_BATCH = 400;
/** The most a search computes without letting the event loop run (chat goes on meanwhile). */
const SLICE_MS = 8;

export type SearchState = { ready: true } | { ready: false; retryAfterMs: number };
export type SearchHit = { record: MessageRecord; highlights: Array<[number, number]> };
/** A page of results, newest first; `complete` when nothing older matches. */
export type SearchPage = { hits: SearchHit[]; complete: boolean };

/**
 * The node's search: its index, built from everything the log keeps when the
 * chat starts (and on `rebuild`), kept up to date by every stored event, and
 * the query that reads candidates back from the log to check and highlight
 * them. The build reads in chunks and yields to the event loop between
 * slices (`chunk` records at a time), so chat goes on; events stored
 * meanwhile wait in a queue and are applied after it. Until the build is
 * done `state()` says when to ask again.
 */
export class ChatSearch {
  #index = new SearchIndex();
  #building: Promise<void> | undefined;
  /** Events stored while a build runs (with their places), applied after it. */
  #queue: KeptRecord[] | undefined;
  #scanned = 0;
  #startedAt = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #failed = false;

  constructor(
    private readonly kept: KeptLog | undefined,
    private readonly chunk: () => number,
    private readonly onError: (error: Error) => void = () => {},
  ) {}

  get index(): SearchIndex {
    return this.#index;
  }

  /** Every stored event, live, on every node (after its fan-out). */
  stored(event: ChatRecord): void {
    const at = this.kept?.placeOf(event);
    if (this.#queue) this.#queue.push({ record: event, at });
    else applyToIndex(this.#index, event, at);
  }

  /** Builds a new index from what is kept (a running build is reused). */
  rebuild(): Promise<void> {
    if (this.#building) return this.#building;
    const scan = this.kept?.scan.bind(this.kept);
    this.#index = new SearchIndex();
    if (!scan) return Promise.resolve();
    const index = this.#index;
    const queue: KeptRecord[] = (this.#queue = []);
    this.#scanned = 0;
    this.#startedAt = Date.now();
    const run = scan(async (records) => {
      const size = Math.max(1, this.chunk());
      for (let i = 0; i < records.length; i += size) {
        const end = Math.min(records.length, i + size);
        for (let k = i; k < end; k++) applyToIndex(index, records[k]!.record, records[k]!.at);
        this.#scanned += end - i;
        await yieldToEventLoop();
      }
    });
    this.#building = run.then(
      () => {
        // What was stored during the scan: the scan has read some of it (`add` skips ids already indexed).
        for (const { record, at } of queue) applyToIndex(index, record, at);
        this.#queue = undefined;
        this.#building = undefined;
      },
      (error: Error) => {
        this.onError(error);
        this.#queue = undefined;
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

  state(): SearchState {
    if (this.#failed) return { ready: false, retryAfterMs: RETRY_MS };
    if (!this.#building) return { ready: true };
    // A guess from the pace so far: about as long as it has taken, between 0.1 and 5 s.
    const elapsed = Date.now() - this.#startedAt;
    return { ready: false, retryAfterMs: Math.max(100, Math.min(5000, this.#scanned === 0 ? 1000 : elapsed)) };
  }

  /**
   * The newest `limit` messages in scope that match, each read back from the
   * log and checked (phrases in order, every word), with its highlights.
   */
  async search(query: ParsedQuery, scope: SearchScope, limit: number): Promise<SearchPage> {
    const index = this.#index;
    const kept = this.kept;
    if (kept) index.dropBelowSegment(kept.keptFrom());
    const candidates = index.candidates(query, scope);
    const hits: SearchHit[] = [];
    let batchSize = limit + 4;
    let sliceStart = performance.now();
    for (;;) {
      const batch = [];
      while (batch.length < batchSize) {
        const next = candidates.next();
        if (next.done) break;
        if (next.value) batch.push(next.value);
        else if (performance.now() - sliceStart > SLICE_MS) {
          await yieldToEventLoop();
          sliceStart = performance.now();
        }
      }
      if (batch.length === 0) return { hits, complete: true };
      // Each candidate's record, and its latest edit's record where it has one (read together).
      const refs = batch.map((c) => ({ room: c.room, id: c.id, at: c.at }));
      const edits = new Map<number, number>();
      batch.forEach((c, i) => {
        if (c.edit && "id" in c.edit) edits.set(i, refs.push({ room: c.room, id: c.edit.id, at: c.edit.at }) - 1);
      });
      const records = kept ? await kept.read(refs) : [];
      for (let i = 0; i < batch.length; i++) {
        const c = batch[i]!;
        const record = records[i];
        if (!record || !isMessage(record)) {
          index.forget(c.doc);
          continue;
        }
        const text = c.edit === undefined ? record.text : "text" in c.edit ? c.edit.text : editText(records[edits.get(i)!], c.id);
        // An edit no longer kept: its text is unknown here, so the message is not shown with the old one.
        if (text === undefined) continue;
        const ranges = verify(text, (record.files ?? []).map((f) => f.name), query);
        if (!ranges) continue;
        if (hits.length === limit) return { hits, complete: false };
        hits.push({ record: c.edit === undefined ? record : { ...record, text }, highlights: ranges });
      }
      // Full: complete only if no candidate is left (one that is left may still fail its check).
      if (hits.length === limit) return { hits, complete: !hasMore(candidates) };
      sliceStart = performance.now();
      batchSize = Math.min(MAX_BATCH, batchSize * 2);
    }
  }

  close(): void {
    if (this.#retry) clearTimeout(this.#retry);
  }
}

/** The new text of an edit record of message `id`. */
function editText(record: ChatRecord | undefined, id: string): string | undefined {
  return record?.kind === "edit" && record.target === id ? record.text : undefined;
}

/** Whether the candidates hold one more (pauses skipped). */
function hasMore(candidates: Generator<unknown, void, undefined>): boolean {
  for (let next = candidates.next(); !next.done; next = candidates.next()) if (next.value) return true;
  return false;
}

/** One turn of the event loop (a timer, so pending I/O runs first), in web-standard code. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
