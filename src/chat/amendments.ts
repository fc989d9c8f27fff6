import type { AmendmentRecord, ChatRecord, MessageRecord } from "../../storage/chatlog/types.ts";
import type { Broker } from "../../storage/broker/types.ts";
import { isAmendment, isMessage } from "../../storage/chatlog/types.ts";
import { IdSet } from "./id-set.ts";
import { applyTo, compareIds, mergeInto, someOn, type Amended } from "./amended.ts";

/** What a page reads the log through: every stream, and its pages. */
type Source = Pick<Broker, "changedStreams" | "history">;

/** What folding a page needs: each message's state (`Amendments`, or a page's view from `recall`). */
export type AmendedView = Pick<Amendments, "get" | "reactionsOf">;
/** An entry of the memory: `partial` when it was started after the message's earlier state was evicted. */
type Entry = Amended & { bytes: number; partial?: true };

/**
 * Memory the edits and reactions held may take, about (see `cost`): past it the
 * least recently amended messages' edits and reactions are evicted first (and
 * read back from the log when a page shows them).
 */
export const AMENDMENTS_MEMORY_BYTES = 32 * 1024 * 1024;
/** Records read per history page when rebuilding at start-up, or reading changes back. */
const REBUILD_PAGE = 1000;

/**
 * The latest state of amended messages (issue 19): message id -> edit,
 * deletion, reactions. Fed with every stored amendment record on every node
 * (the broker's handler) and, at start-up, with those the log kept (`rebuild`
 * reads every stream's history a page at a time, holding only amendments), so
 * it never needs a page in memory: history, `joined`, `dm_history` and search
 * pages are folded with it (through `recall`) as they are sent.
 *
 * Nothing is forgotten, and memory stays bounded by the amendments:
 * - every deleted id is kept for good in a compact IdSet (about 10 bytes a
 *   deletion: a million take ~10-12 MB), so a deleted message never shows again;
 * - every id with an edit or a reaction is kept in another IdSet (same cost);
 * - the edits and reactions themselves are held within `memoryBytes` (the
 *   least recently amended go first). `recall` reads an evicted message's change
 *   records back from its stream (once per stream per page: the records after
 *   the page's oldest such message) and holds the result again.
 *
 * Each field is a last-writer-wins register keyed by record id, so applying
 * records in any order, or twice, ends in the same state: the start-up read,
 * records read back and live records may overlap.
 */
export class Amendments {
  readonly #entries = new Map<string, Entry>();
  readonly #deleted = new IdSet();
  /** Every message with an edit or a reaction (held in `#entries` or not). */
  readonly #amended = new IdSet();
  /** Toggles published from this node and not applied yet (`id|emoji|user` -> on), so a quick second toggle sees the first. */
  readonly #toggling = new Map<string, boolean>();
  /** Deletions published from this node and not applied yet: an edit, reaction or delete handled meanwhile sees the message gone. */
  readonly #deleting = new Set<string>();
  #bytes = 0;
  /** Records applied so far: a recall that saw some applied meanwhile cannot tell whether its read had them. */
  #applied = 0;
  /** Resolves once the start-up rebuild is done (pages wait for it). */
  ready: Promise<void> = Promise.resolve();

  constructor(private readonly memoryBytes = AMENDMENTS_MEMORY_BYTES) {}

  /** Messages with an edit or reactions held, and deletion marks. */
  get size(): number {
    return this.#entries.size + this.#deleted.size;
  }

  /** About how many bytes the edits and reactions held take (the id sets apart: `idBytes`). */
  get bytes(): number {
    return this.#bytes;
  }

  /** About how many bytes the ids of deleted and of amended messages take. */
  get idBytes(): number {
    return this.#deleted.bytes + this.#amended.bytes;
  }

  /** The state held: a message evicted from memory answers undefined (or partly) here; pages use `recall`. */
  get(id: string): Amended | undefined {
    if (this.#deleted.has(id)) return DELETED;
    return this.#entries.get(id);
  }

  isDeleted(id: string): boolean {
    return this.#deleted.has(id) || this.#deleting.has(id);
  }

  /** Whether the message's deletion is stored and applied (not only on its way). */
  wasDeleted(id: string): boolean {
    return this.#deleted.has(id);
  }

  /** A deletion about to be published from this node: `isDeleted` answers true from now on. */
  deleting(id: string): void {
    this.#deleting.add(id);
  }

  /** The deletion was not stored after all. */
  deleteFailed(id: string): void {
    this.#deleting.delete(id);
  }

  /** True if the user's reaction `emoji` is on (`entry`: the message's state, when recalled). */
  hasReaction(id: string, emoji: string, user: string, entry: Amended | undefined = this.#entries.get(id)): boolean {
    const toggling = this.#toggling.get(`${id}|${emoji}|${user}`);
    if (toggling !== undefined) return toggling;
    return entry?.reactions?.get(emoji)?.get(user)?.on === true;
  }

  /** True if anyone's reaction `emoji` is on. */
  hasEmoji(id: string, emoji: string, entry: Amended | undefined = this.#entries.get(id)): boolean {
    const users = entry?.reactions?.get(emoji);
    return users !== undefined && someOn(users);
  }

  /** How many different reactions (with at least one user) the message has. */
  reactionCount(id: string, entry: Amended | undefined = this.#entries.get(id)): number {
    const reactions = entry?.reactions;
    if (!reactions) return 0;
    let n = 0;
    for (const users of reactions.values()) if (someOn(users)) n += 1;
    return n;
  }

  /** A reaction toggle about to be published from this node: `hasReaction` answers `on` until a record for it is applied. */
  toggling(id: string, emoji: string, user: string, on: boolean): void {
    this.#toggling.set(`${id}|${emoji}|${user}`, on);
  }

  /** The toggle was not stored after all. */
  toggled(id: string, emoji: string, user: string): void {
    this.#toggling.delete(`${id}|${emoji}|${user}`);
  }

  apply(record: AmendmentRecord): void {
    const id = record.target;
    if (record.kind === "react") this.#toggling.delete(`${id}|${record.emoji}|${record.by}`);
    if (record.kind === "delete") this.#deleting.delete(id);
    this.#applied += 1;
    if (this.#deleted.has(id)) return;
    if (record.kind === "delete") {
      // A deletion is final: drop what it hides, keep only the mark.
      this.#forget(id);
      this.#deleted.add(id);
      return;
    }
    const fresh = {};
    applyTo(fresh, record);
    this.#hold(id, fresh, this.#amended.has(id) && !this.#entries.has(id));
    this.#amended.add(id);
  }

  /** Merges `state` into the message's entry, made the most recent; evicts the least recently amended past the budget. */
  #hold(id: string, state: Amended, partial: boolean): Entry {
    let entry = this.#entries.get(id);
    if (entry) this.#entries.delete(id);
    else entry = partial ? { bytes: 0, partial: true } : { bytes: 0 };
    this.#entries.set(id, entry);
    mergeInto(entry, state);
    const bytes = cost(entry);
    this.#bytes += bytes - entry.bytes;
    entry.bytes = bytes;
    // The least recently amended first (a Map keeps insertion order; an amended entry was moved to the end above).
    while (this.#bytes > this.memoryBytes && this.#entries.size > 1) this.#forget(this.#entries.keys().next().value!);
    return entry;
  }

  #forget(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#bytes -= entry.bytes;
    this.#entries.delete(id);
  }

  /** True if some of these messages' state must be read back (`recall`). */
  needsRecall(records: readonly ChatRecord[]): boolean {
    return records.some((record) => this.#evicted(record));
  }

  #evicted(record: ChatRecord): boolean {
    if (!isMessage(record) || this.#deleted.has(record.id) || !this.#amended.has(record.id)) return false;
    const entry = this.#entries.get(record.id);
    return !entry || entry.partial === true;
  }

  /**
   * The state of a page's messages (records of other kinds are passed over):
   * those amended whose state was evicted (or held only partly since) get it
   * read back from their stream, the records after the oldest of them read
   * once, a page at a time, holding only their amendments; the result is held
   * again, and the view answers from it even if the memory evicts it again.
   */
  async recall(source: Pick<Broker, "history">, records: readonly ChatRecord[]): Promise<AmendedView> {
    // Stream -> oldest missing id in it; and the missing ids.
    const oldest = new Map<string, string>();
    const missing = new Map<string, Amended>();
    // The page's states, kept by the view: holding those read back may evict the others.
    const shown = new Map<string, Amended>();
    for (const record of records) {
      const id = record.id;
      if (!this.#evicted(record)) {
        const entry = this.#entries.get(id);
        if (entry) shown.set(id, entry);
        continue;
      }
      missing.set(id, {});
      const first = oldest.get(record.room);
      if (first === undefined || id < first) oldest.set(record.room, id);
    }
    if (missing.size === 0) return this;
    const applied = this.#applied;
    for (const [stream, after] of oldest) {
      let before: string | undefined;
      for (;;) {
        const page = await source.history(stream, before === undefined ? { after, limit: REBUILD_PAGE } : { after, before, limit: REBUILD_PAGE });
        for (const record of page.messages) {
          if (!isAmendment(record)) continue;
          const state = missing.get(record.target);
          if (state) applyTo(state, record);
        }
        if (page.messages.length === 0) break;
        before = page.messages[0]!.id;
      }
    }
    for (const [id, state] of missing) {
      if (this.#deleted.has(id)) continue;
      // Records applied meanwhile (one stored after the read may be missing if its entry was evicted): a new or partial entry stays partial, read again next time.
      const entry = this.#hold(id, state, this.#applied !== applied);
      if (this.#applied === applied) delete entry.partial;
      shown.set(id, entry);
    }
    return {
      get: (id) => (this.#deleted.has(id) ? DELETED : (shown.get(id) ?? this.#entries.get(id))),
      reactionsOf: (entry) => this.reactionsOf(entry),
    };
  }

  /**
   * Reactions as frames carry them: emoji -> users (absent when none), ordered by the records that set
   * them, not as applied (a rebuild reads the newest page first): users by when they reacted, emoji by their oldest.
   */
  reactionsOf(entry: Amended): Record<string, string[]> | undefined {
    if (!entry.reactions) return undefined;
    const lists: Array<{ emoji: string; users: Array<[string, string]> }> = [];
    for (const [emoji, users] of entry.reactions) {
      const on: Array<[string, string]> = [];
      for (const [user, r] of users) if (r.on) on.push([user, r.at]);
      if (on.length > 0) lists.push({ emoji, users: on.sort((a, b) => compareIds(a[1], b[1])) });
    }
    if (lists.length === 0) return undefined;
    lists.sort((a, b) => compareIds(a.users[0]![1], b.users[0]![1]));
    const out: Record<string, string[]> = {};
    for (const { emoji, users } of lists) out[emoji] = users.map(([user]) => user);
    return out;
  }

  /** Reads every amendment the log kept (each stream that may hold changes, newest page first) into the state. */
  rebuild(source: Source): Promise<void> {
    this.ready = (async () => {
      for (const stream of source.changedStreams()) {
        let before: string | undefined;
        for (;;) {
          const page = await source.history(stream, before === undefined ? { limit: REBUILD_PAGE } : { before, limit: REBUILD_PAGE });
          for (const record of page.messages) if (isAmendment(record)) this.apply(record);
          if (page.complete || page.messages.length === 0) break;
          before = page.messages[0]!.id;
        }
      }
    })();
    return this.ready;
  }
}

/**
 * The broker's one handler on every node: an amendment updates the state
 * before it goes out, so a page read after a client saw `edited` shows it.
 */
export function amendThenDeliver<S>(amendments: Amendments, deliver: (event: ChatRecord, sender: S | undefined) => void) {
  return (event: ChatRecord, sender: S | undefined): void => {
    if (isAmendment(event)) {
      // Stored after its message's deletion (another node's change at the same instant): it changes nothing, and nobody is told.
      if (amendments.wasDeleted(event.target)) return;
      amendments.apply(event);
    }
    deliver(event, sender);
  };
}

const DELETED: Amended = Object.freeze({ deleted: true });

/** About what an entry takes in memory: its maps, the edit's text (two bytes a character), each reaction. */
function cost(entry: Amended): number {
  let bytes = 200;
  if (entry.edit) bytes += 100 + entry.edit.text.length * 2 + (entry.edit.mentions?.length ?? 0) * 60;
  if (entry.reactions) for (const [emoji, users] of entry.reactions) bytes += 120 + emoji.length * 2 + users.size * 90;
  return bytes;
}
