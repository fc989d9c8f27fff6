import { formatId, parseId } from "../../storage/chatlog/ids.ts";
import { Docs, EDITED, REMOVED, BYTES_PER_DOC, type Place } from "./docs.ts";
import { ArrayCursor, Postings, UnionCursor, type DocCursor } from "./postings.ts";
import { Terms } from "./terms.ts";
import { fold, indexTerms, queryWords, type ParsedQuery } from "./text.ts";

export type { Place } from "./docs.ts";

/** What the index reads of a stored message (its text only to find its words). */
export type IndexedRecord = { id: string; room: string; from: string; text: string; files?: ReadonlyArray<{ name: string }> };

export type SearchScope = {
  /** Whether the searcher may see a room key (a room or a `dm:` conversation). */
  allows: (room: string) => boolean;
  /** Only ids below this one (paging back). */
  before?: string;
};

/** Steps of an intersection between two chances for the caller to let the event loop run. */
const STEPS_PER_PAUSE = 4096;

/** A message whose words match, newest first; its text is checked once read back from the log. */
export type Candidate = { doc: number; id: string; room: string; at: Place | undefined; edit: EditRef | undefined };

/**
 * Where an edited message's current text is: its latest edit's own record in
 * the log (read back like the message), or, for an edit with no record (a
 * caller without a log), the text itself.
 */
export type EditRef = { id: string; at: Place | undefined } | { text: string };

/** Rooms or users as numbers. */
class Names {
  readonly #ids = new Map<string, number>();
  readonly names: string[] = [];
  number(name: string): number {
    let n = this.#ids.get(name);
    if (n === undefined) this.#ids.set(name, (n = this.names.push(name) - 1));
    return n;
  }
  get(name: string): number | undefined {
    return this.#ids.get(name);
  }
}

/**
 * The search index over every kept message, made for memory: each message is
 * a document number (docs.ts, no text), each folded word a term with its
 * documents as delta-encoded varints (postings.ts), the words sorted for
 * prefixes (terms.ts). A query intersects its words' documents from the
 * newest down and yields candidates lazily, so the caller stops at `limit`;
 * the caller reads each candidate back from the log to check phrases and
 * compute highlights (text.ts `verify`). Documents come in id order (`add`
 * refuses an older id). An edit keeps its new text and words aside (the
 * overlay), a delete flags the document: the postings are only ever appended.
 */
export class SearchIndex {
  readonly #docs = new Docs();
  readonly #postings = new Postings();
  readonly #terms = new Terms();
  readonly #rooms = new Names();
  readonly #users = new Names();
  /**
   * Edited messages: where their current text is, by document, and the words
   * of every edit with their documents (ascending). An older edit's words stay
   * (a candidate is checked on the current text): about 8 bytes a word an edit.
   */
  readonly #edited = new Map<number, EditRef>();
  readonly #overlay = new Map<string, number[]>();
  /** Documents below this were in log files rotation deleted. */
  #keptFrom = 0;
  #removed = 0;

  /** Documents indexed (removed ones included). */
  get size(): number {
    return this.#docs.count - this.#keptFrom;
  }

  /** The greatest id indexed. */
  lastId(): string | undefined {
    const n = this.#docs.count;
    return n === 0 ? undefined : formatId(this.#docs.ms(n - 1), this.#docs.seq(n - 1));
  }

  /** Indexes a stored message newer than every one so far (false, and nothing done, otherwise). */
  add(record: IndexedRecord, at?: Place): boolean {
    const id = parseId(record.id);
    const n = this.#docs.count;
    if (!id || (n > 0 && (id.ms < this.#docs.ms(n - 1) || (id.ms === this.#docs.ms(n - 1) && id.seq <= this.#docs.seq(n - 1))))) return false;
    const doc = this.#docs.push(id.ms, id.seq, this.#rooms.number(record.room), this.#users.number(fold(record.from)), at);
    for (const term of indexTerms(record.text, record.files?.map((f) => f.name))) {
      let t = this.#terms.get(term);
      if (t === undefined) this.#terms.set(term, (t = this.#postings.newTerm()));
      this.#postings.add(t, doc);
    }
    return true;
  }

  /** A delete: the message is never found again. */
  remove(id: string): void {
    const doc = this.#find(id);
    if (doc === undefined) return;
    this.forget(doc);
  }

  /** A candidate that is gone from the log (trimmed): never a candidate again. */
  forget(doc: number): void {
    if (this.#docs.flags(doc) & REMOVED) return;
    this.#docs.flag(doc, REMOVED);
    this.#removed += 1;
    this.#edited.delete(doc);
  }

  /**
   * An edit: the message is found by its new text only (its file names still
   * match). `edit` is the edit's record in the log, where the text is read
   * back from; without one the text is kept here.
   */
  replace(id: string, text: string, edit?: { id: string; at: Place | undefined }): void {
    const doc = this.#find(id);
    if (doc === undefined || this.#docs.flags(doc) & REMOVED) return;
    this.#docs.flag(doc, EDITED);
    this.#edited.set(doc, edit ?? { text });
    for (const term of indexTerms(text)) {
      const docs = this.#overlay.get(term) ?? [];
      if (docs.includes(doc)) continue;
      let i = docs.length;
      while (i > 0 && docs[i - 1]! > doc) i--;
      docs.splice(i, 0, doc);
      this.#overlay.set(term, docs);
    }
  }

  /** Files below `segment` were deleted by rotation: their messages are no longer kept. */
  dropBelowSegment(segment: number): void {
    const docs = this.#docs;
    while (this.#keptFrom < docs.count && docs.segment(this.#keptFrom) >= 0 && docs.segment(this.#keptFrom) < segment) this.#keptFrom++;
  }

  /**
   * The messages in scope whose words match (every query word begins a word
   * of the text or a file name), newest first, lazily: stop pulling once the
   * page is full. Now and then it yields `null` instead: a long walk (a word
   * common everywhere but rare in scope) lets the caller give the event loop a turn.
   */
  *candidates(query: ParsedQuery, scope: SearchScope): Generator<Candidate | null, void, undefined> {
    const words = queryWords(query);
    if (words.length === 0) return;
    const clauses = words.map((w) => this.#clause(w));
    if (clauses.some((c) => c.doc < 0)) return;
    // The rarest word leads: the others only seek to its documents.
    clauses.sort((a, b) => a.estimate - b.estimate);
    const docs = this.#docs;
    let from = -1;
    if (query.from !== undefined) {
      const user = this.#users.get(query.from);
      if (user === undefined) return;
      from = user;
    }
    // Per room number: 0 not asked yet, 1 in scope, 2 not.
    const rooms = new Uint8Array(this.#rooms.names.length);
    let d = docs.count - 1;
    if (scope.before !== undefined) {
      const before = parseId(scope.before);
      if (!before) return;
      d = docs.lowerBound(before.ms, before.seq) - 1;
    }
    const lead = clauses[0]!;
    let steps = 0;
    while (d >= this.#keptFrom) {
      if (++steps % STEPS_PER_PAUSE === 0) yield null;
      lead.seek(d);
      if (lead.doc < this.#keptFrom) return;
      d = lead.doc;
      let agreed = true;
      for (let i = 1; i < clauses.length; i++) {
        const c = clauses[i]!;
        c.seek(d);
        if (c.doc < 0) return;
        if (c.doc < d) {
          d = c.doc;
          agreed = false;
          break;
        }
      }
      if (!agreed) continue;
      const doc = d;
      d -= 1;
      if (docs.flags(doc) & REMOVED) continue;
      if (from >= 0 && docs.from(doc) !== from) continue;
      const room = docs.room(doc);
      if (rooms[room] === 0) rooms[room] = this.#roomInScope(room, query, scope) ? 1 : 2;
      if (rooms[room] !== 1) continue;
      yield { doc, id: formatId(docs.ms(doc), docs.seq(doc)), room: this.#rooms.names[room]!, at: docs.place(doc), edit: this.#edited.get(doc) };
    }
  }

  /** Bytes held, roughly: the typed arrays exactly, the dictionaries by estimate (the benchmark measures the heap). */
  get bytes(): number {
    return this.#docs.bytes + this.#postings.bytes + this.#terms.size * 80 + (this.#rooms.names.length + this.#users.names.length) * 80;
  }

  /** For /metrics and the benchmark. */
  stats(): { messages: number; removed: number; edited: number; terms: number; bytes: number; bytesPerMessage: number } {
    return {
      messages: this.size,
      removed: this.#removed,
      edited: this.#edited.size,
      terms: this.#terms.size,
      bytes: this.bytes,
      bytesPerMessage: BYTES_PER_DOC,
    };
  }

  #roomInScope(room: number, query: ParsedQuery, scope: SearchScope): boolean {
    const name = this.#rooms.names[room]!;
    if (query.in !== undefined && fold(name) !== query.in) return false;
    return scope.allows(name);
  }

  /** The documents of every term that begins with `word` (and edited messages' words that do). */
  #clause(word: string): DocCursor {
    const cursors: DocCursor[] = this.#terms.withPrefix(word).map((t) => this.#postings.cursor(t));
    if (this.#overlay.size > 0) for (const [term, docs] of this.#overlay) if (term.startsWith(word)) cursors.push(new ArrayCursor(docs));
    return cursors.length === 1 ? cursors[0]! : new UnionCursor(cursors);
  }

  #find(id: string): number | undefined {
    const p = parseId(id);
    if (!p) return undefined;
    const doc = this.#docs.lowerBound(p.ms, p.seq);
    if (doc < this.#keptFrom || doc >= this.#docs.count || this.#docs.ms(doc) !== p.ms || this.#docs.seq(doc) !== p.seq) return undefined;
    return doc;
  }
}
