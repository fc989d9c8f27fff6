import type { AmendmentRecord } from "../../storage/chatlog/types.ts";

/*
 * The state of one amended message (issue 19) and how records fold into it:
 * each field a last-writer-wins register keyed by record id, so records
 * applied in any order, or twice, end in the same state. Amendments
 * (amendments.ts) holds these states within its memory budget.
 */

/** One user's reaction with the id of the record that set it (the newest record wins). */
export type Reaction = { on: boolean; at: string };
/** The amended state of one message. */
export type Amended = {
  edit?: { text: string; mentions?: string[]; editedAt: number; at: string };
  deleted?: true;
  /** emoji -> user -> reaction (frames order them by `at`: see Amendments.reactionsOf). */
  reactions?: Map<string, Map<string, Reaction>>;
};

/** Applies an edit or a reaction record to a state (the newer record wins each field). */
export function applyTo(state: Amended, record: AmendmentRecord): void {
  if (record.kind === "edit") {
    mergeInto(state, { edit: { text: record.text, editedAt: record.ts, at: record.id, ...(record.mentions ? { mentions: record.mentions } : {}) } });
  } else if (record.kind === "react") {
    mergeInto(state, { reactions: new Map([[record.emoji, new Map([[record.by, { on: record.on, at: record.id }]])]]) });
  }
}

/** Merges `from` into `into`, field by field the newer record winning, so merging in any order ends the same. */
export function mergeInto(into: Amended, from: Amended): void {
  if (from.edit && (!into.edit || into.edit.at < from.edit.at)) into.edit = from.edit;
  if (!from.reactions) return;
  into.reactions ??= new Map();
  for (const [emoji, fromUsers] of from.reactions) {
    let users = into.reactions.get(emoji);
    if (!users) into.reactions.set(emoji, (users = new Map()));
    // An off reaction stays as a mark until a newer record, so an older "on" replayed after it changes nothing.
    for (const [user, r] of fromUsers) {
      const current = users.get(user);
      if (!current || current.at < r.at) users.set(user, r);
    }
  }
}

/** Whether some user's reaction with this emoji is on. */
export function someOn(users: Map<string, Reaction>): boolean {
  for (const r of users.values()) if (r.on) return true;
  return false;
}

/** Ids are fixed width (storage/chatlog/ids.ts), so they compare as strings. */
export const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
