import MiniSearch from "minisearch";
import { fold, highlights, queryWords, words, type ParsedQuery } from "./text.ts";

/** What the index keeps of a stored message: what a result needs to become a frame. */
export type IndexedRecord = {
  id: string;
  room: string;
  from: string;
  text: string;
  ts: number;
  to?: string;
  files?: Array<{ name: string; [k: string]: unknown }>;
};

export type SearchScope = {
  /** Whether the searcher may see a room key (a room or a `dm:` conversation). */
  allows: (room: string) => boolean;
  /** Only ids below this one (paging back). */
  before?: string;
  limit: number;
};

export type SearchHit = { record: IndexedRecord; highlights: Array<[number, number]> };

/** A query's answer: newest first; `complete` when nothing older matches. */
export type SearchPage = { hits: SearchHit[]; complete: boolean };

/**
 * The search index over every kept message (minisearch: an inverted index on a
 * radix tree, so word prefixes are one walk). Words are folded (case, accents)
 * before they are indexed and looked up; phrases and highlights are checked on
 * the candidate's text (text.ts). Documents are keyed by message id.
 */
export class SearchIndex {
  readonly #docs = new Map<string, IndexedRecord>();
  #mini = SearchIndex.#create();

  static #create(): MiniSearch<IndexedRecord> {
    return new MiniSearch<IndexedRecord>({
      idField: "id",
      fields: ["text", "files"],
      storeFields: [],
      extractField: (doc, field) => (field === "files" ? (doc.files ?? []).map((f) => f.name).join(" ") : (doc as Record<string, unknown>)[field] as string),
      tokenize: (text) => words(text),
      processTerm: (term) => term,
      searchOptions: { tokenize: (text) => words(text), processTerm: (term) => term },
      autoVacuum: { minDirtCount: 1000, minDirtFactor: 0.2 },
    });
  }

  get size(): number {
    return this.#docs.size;
  }

  /** Empties the index (before a rebuild). */
  clear(): void {
    this.#docs.clear();
    this.#mini = SearchIndex.#create();
  }

  /** Indexes a stored message; a message already indexed is replaced. */
  add(record: IndexedRecord): void {
    if (this.#docs.has(record.id)) this.remove(record.id);
    const kept: IndexedRecord = { id: record.id, room: record.room, from: record.from, text: record.text, ts: record.ts };
    if (record.to !== undefined) kept.to = record.to;
    if (record.files && record.files.length > 0) kept.files = record.files;
    this.#docs.set(record.id, kept);
    this.#mini.add(kept);
  }

  /** An edit: the message is found by its new text only. */
  update(id: string, text: string): void {
    const doc = this.#docs.get(id);
    if (!doc) return;
    this.remove(id);
    this.add({ ...doc, text });
  }

  /** A delete: the message is never found again. */
  remove(id: string): void {
    if (!this.#docs.delete(id)) return;
    this.#mini.discard(id);
  }

  search(query: ParsedQuery, scope: SearchScope): SearchPage {
    const all = queryWords(query);
    if (all.length === 0) return { hits: [], complete: true };
    const candidates = this.#mini.search(all.join(" "), {
      prefix: true,
      combineWith: "AND",
      fields: ["text", "files"],
      filter: (r) => {
        const doc = this.#docs.get(r.id as string);
        if (!doc || !scope.allows(doc.room)) return false;
        if (scope.before !== undefined && doc.id >= scope.before) return false;
        if (query.from !== undefined && fold(doc.from) !== query.from) return false;
        if (query.in !== undefined && fold(doc.room) !== query.in) return false;
        return true;
      },
    });
    // Newest first: ids grow with time.
    const ids = candidates.map((c) => c.id as string).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    const hits: SearchHit[] = [];
    let i = 0;
    for (; i < ids.length && hits.length < scope.limit; i++) {
      const doc = this.#docs.get(ids[i]!)!;
      const ranges = highlights(doc.text, query) ?? this.#fileMatch(doc, query);
      if (ranges) hits.push({ record: doc, highlights: ranges });
    }
    // Whether an older candidate would pass its phrase check is left to the next page.
    return { hits, complete: i >= ids.length };
  }

  /** A message whose phrases occur in a file name: found, with no range in its text. */
  #fileMatch(doc: IndexedRecord, query: ParsedQuery): Array<[number, number]> | undefined {
    const names = (doc.files ?? []).map((f) => f.name).join("\n");
    return names && highlights(names, query) ? [] : undefined;
  }
}
