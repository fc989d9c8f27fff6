import type { AmendmentRecord, ChatRecord } from "../../storage/chatlog/types.ts";
import type { Broker } from "../../storage/broker/types.ts";
import { isAmendment } from "../../storage/chatlog/types.ts";

/** What a page reads the log through: every stream, and its pages. */
type Source = Pick<Broker, "changedStreams" | "history">;

/** One user's reaction with the id of the record that set it (the newest record wins). */
type Reaction = { on: boolean; at: string };
/** The amended state of one message. */
export type Amended = {
  edit?: { text: string; mentions?: string[]; editedAt: number; at: string };
  deleted?: true;
  /** emoji -> user -> reaction, users in the order they first reacted. */
  reactions?: Map<string, Map<string, Reaction>>;
};

/**
 * Memory the edits and reactions held may take, about (see `cost`): past it the
 * least recently amended messages' edits and reactions are forgotten first.
 */
export const AMENDMENTS_MEMORY_BYTES = 32 * 1024 * 1024;
/** Deletion marks kept (an id each, about 100 bytes): past it the oldest are forgotten first. */
export const DELETED_MAX = 200_000;
/** Records read per history page when rebuilding at start-up. */
const REBUILD_PAGE = 1000;

/**
 * The latest state of amended messages (issue 19): message id -> edit,
 * deletion, reactions. Fed with every stored amendment record on every node
 * (the broker's handler) and, at start-up, with those the log kept (`rebuild`
 * reads every stream's history a page at a time, holding only amendments), so
 * it never needs a page in memory: history, `joined` and `dm_history` pages
 * are folded with it as they are sent.
 *
 * Bounded: edits and reactions within `memoryBytes` (the least recently
 * amended messages go first), deletion marks up to `deletedMax` ids (the
 * oldest go first). A message whose state was forgotten shows as stored; with
 * the defaults that takes tens of thousands of amended messages, most of them
 * long out of the history kept.
 *
 * Each field is a last-writer-wins register keyed by record id, so applying
 * records in any order, or twice, ends in the same state: the start-up read
 * and live records may overlap.
 */
export class Amendments {
  readonly #entries = new Map<string, Amended & { bytes: number }>();
  readonly #deleted = new Set<string>();
  /** Toggles published from this node and not applied yet (`id|emoji|user` -> on), so a quick second toggle sees the first. */
  readonly #toggling = new Map<string, boolean>();
  #bytes = 0;
  /** Resolves once the start-up rebuild is done (pages wait for it). */
  ready: Promise<void> = Promise.resolve();

  constructor(
    private readonly memoryBytes = AMENDMENTS_MEMORY_BYTES,
    private readonly deletedMax = DELETED_MAX,
  ) {}

  /** Messages with an edit or reactions held, and deletion marks. */
  get size(): number {
    return this.#entries.size + this.#deleted.size;
  }

  /** About how many bytes the edits and reactions held take. */
  get bytes(): number {
    return this.#bytes;
  }

  get(id: string): Amended | undefined {
    if (this.#deleted.has(id)) return DELETED;
    return this.#entries.get(id);
  }

  isDeleted(id: string): boolean {
    return this.#deleted.has(id);
  }

  /** True if the user's reaction `emoji` is on. */
  hasReaction(id: string, emoji: string, user: string): boolean {
    const toggling = this.#toggling.get(`${id}|${emoji}|${user}`);
    if (toggling !== undefined) return toggling;
    return this.#entries.get(id)?.reactions?.get(emoji)?.get(user)?.on === true;
  }

  /** True if anyone's reaction `emoji` is on. */
  hasEmoji(id: string, emoji: string): boolean {
    const users = this.#entries.get(id)?.reactions?.get(emoji);
    return users !== undefined && someOn(users);
  }

  /** How many different reactions (with at least one user) the message has. */
  reactionCount(id: string): number {
    const reactions = this.#entries.get(id)?.reactions;
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
    if (this.#deleted.has(id)) return;
    if (record.kind === "delete") {
      // A deletion is final: drop what it hides, keep only the mark.
      this.#forget(id);
      this.#deleted.add(id);
      if (this.#deleted.size > this.deletedMax) this.#deleted.delete(this.#deleted.values().next().value!);
      return;
    }
    let entry = this.#entries.get(id);
    if (entry) this.#entries.delete(id);
    this.#entries.set(id, (entry ??= { bytes: 0 }));
    if (record.kind === "edit") {
      if (!entry.edit || entry.edit.at < record.id) {
        entry.edit = { text: record.text, editedAt: record.ts, at: record.id, ...(record.mentions ? { mentions: record.mentions } : {}) };
      }
    } else {
      entry.reactions ??= new Map();
      let users = entry.reactions.get(record.emoji);
      if (!users) entry.reactions.set(record.emoji, (users = new Map()));
      const current = users.get(record.by);
      // An off reaction stays as a mark until a newer record, so an older "on" replayed after it changes nothing.
      if (!current || current.at < record.id) users.set(record.by, { on: record.on, at: record.id });
    }
    this.#bytes += cost(entry) - entry.bytes;
    entry.bytes = cost(entry);
    // The least recently amended first (a Map keeps insertion order; an amended entry was moved to the end above).
    while (this.#bytes > this.memoryBytes && this.#entries.size > 1) this.#forget(this.#entries.keys().next().value!);
  }

  #forget(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#bytes -= entry.bytes;
    this.#entries.delete(id);
  }

  /** Reactions as frames carry them: emoji -> users (absent when none). */
  reactionsOf(entry: Amended): Record<string, string[]> | undefined {
    if (!entry.reactions) return undefined;
    let out: Record<string, string[]> | undefined;
    for (const [emoji, users] of entry.reactions) {
      const on = [...users].filter(([, r]) => r.on).map(([u]) => u);
      if (on.length > 0) (out ??= {})[emoji] = on;
    }
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
    if (isAmendment(event)) amendments.apply(event);
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

function someOn(users: Map<string, Reaction>): boolean {
  for (const r of users.values()) if (r.on) return true;
  return false;
}
