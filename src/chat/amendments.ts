import type { AmendmentRecord, ChatRecord } from "../../storage/chatlog/types.ts";
import type { Broker } from "../../storage/broker/types.ts";
import { isAmendment } from "../../storage/chatlog/types.ts";

/** What a page reads the log through: every stream, and its pages. */
type Source = Pick<Broker, "streams" | "history">;

/** One user's reaction with the id of the record that set it (the newest record wins). */
type Reaction = { on: boolean; at: string };
/** The amended state of one message. */
export type Amended = {
  edit?: { text: string; mentions?: string[]; editedAt: number; at: string };
  deleted?: true;
  /** emoji -> user -> reaction, users in the order they first reacted. */
  reactions?: Map<string, Map<string, Reaction>>;
};

/** Amended messages kept at most; beyond it the oldest amended ids are forgotten (their messages are long out of history). */
export const AMENDED_MAX = 200_000;
/** Records read per history page when rebuilding at start-up. */
const REBUILD_PAGE = 1000;

/**
 * The latest state of every amended message (issue 19): message id -> edit,
 * deletion, reactions. Fed with every stored amendment record on every node
 * (the broker's handler) and, at start-up, with those the log kept (`rebuild`
 * reads every stream's history), so it never needs a page in memory: history,
 * `joined` and `dm_history` pages are folded with it as they are sent.
 *
 * Each field is a last-writer-wins register keyed by record id, so applying
 * records in any order, or twice, ends in the same state: the start-up read
 * and live records may overlap. Only amended messages are held.
 */
export class Amendments {
  readonly #entries = new Map<string, Amended>();
  /** Resolves once the start-up rebuild is done (pages wait for it). */
  ready: Promise<void> = Promise.resolve();

  get size(): number {
    return this.#entries.size;
  }

  get(id: string): Amended | undefined {
    return this.#entries.get(id);
  }

  isDeleted(id: string): boolean {
    return this.#entries.get(id)?.deleted === true;
  }

  /** True if the user's reaction `emoji` is on. */
  hasReaction(id: string, emoji: string, user: string): boolean {
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

  apply(record: AmendmentRecord): void {
    let entry = this.#entries.get(record.target);
    if (!entry) {
      if (this.#entries.size >= AMENDED_MAX) this.#entries.delete(this.#entries.keys().next().value!);
      this.#entries.set(record.target, (entry = {}));
    }
    if (entry.deleted) return;
    switch (record.kind) {
      case "delete":
        // A deletion is final: drop what it hides, keep only the mark.
        delete entry.edit;
        delete entry.reactions;
        entry.deleted = true;
        return;
      case "edit":
        if (entry.edit && entry.edit.at > record.id) return;
        entry.edit = { text: record.text, editedAt: record.ts, at: record.id, ...(record.mentions ? { mentions: record.mentions } : {}) };
        return;
      case "react": {
        entry.reactions ??= new Map();
        let users = entry.reactions.get(record.emoji);
        if (!users) entry.reactions.set(record.emoji, (users = new Map()));
        const current = users.get(record.by);
        // An off reaction stays as a mark until a newer record, so an older "on" replayed after it changes nothing.
        if (!current || current.at < record.id) users.set(record.by, { on: record.on, at: record.id });
        return;
      }
    }
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

  /** Reads every amendment the log kept (every stream, newest page first) into the state. */
  rebuild(source: Source): Promise<void> {
    this.ready = (async () => {
      for (const stream of source.streams()) {
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

function someOn(users: Map<string, Reaction>): boolean {
  for (const r of users.values()) if (r.on) return true;
  return false;
}
