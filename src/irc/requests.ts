import type { ChatMessage, DirectMessage } from "../message/index.ts";
import type { Pending } from "./answers.ts";
import { userKey } from "./names.ts";

/** Ids of acked messages whose own copy has not come by yet (a cluster's feed may bring it after the ack). */
const MAX_ACKED = 64;

/**
 * The requests a connection sent to its session and not yet answered: by
 * ref, and, for the answers that carry no ref (joined, left, history), by a
 * key such as `join:<room>`. It also tells the session's own copy of a
 * message it sent (from the hub, like everyone's) from other messages.
 */
export class Requests {
  readonly #byRef = new Map<number, Pending>();
  readonly #byKey = new Map<string, number[]>();
  /** say/dm sent and not acked, oldest first: their own copy is recognised by target and text. */
  readonly #unacked: Pending[] = [];
  readonly #acked: string[] = [];
  #nextRef = 1;

  nextRef(): number {
    return this.#nextRef++;
  }

  add(entry: Pending, key: string | undefined): void {
    this.#byRef.set(entry.ref, entry);
    if (key !== undefined) {
      entry.keyed = key;
      const refs = this.#byKey.get(key);
      if (refs) refs.push(entry.ref);
      else this.#byKey.set(key, [entry.ref]);
    }
    if (entry.text !== undefined) this.#unacked.push(entry);
  }

  /** The ref of the latest request under `key` still waiting (refs grow: a later request has a larger one), else 0. */
  latest(key: string): number {
    return this.#byKey.get(key)?.at(-1) ?? 0;
  }

  /** The request a frame answers (by its ref, or the oldest under `key`), out of the books. */
  take(ref: number | string | undefined, key?: string): Pending | undefined {
    let r = typeof ref === "number" ? ref : undefined;
    if (r === undefined && key !== undefined) r = this.#byKey.get(key)?.[0];
    if (r === undefined) return undefined;
    const entry = this.#byRef.get(r);
    if (!entry) return undefined;
    this.#byRef.delete(r);
    if (entry.keyed !== undefined) {
      const refs = this.#byKey.get(entry.keyed) ?? [];
      const at = refs.indexOf(r);
      if (at >= 0) refs.splice(at, 1);
      if (refs.length === 0) this.#byKey.delete(entry.keyed);
    }
    const i = this.#unacked.indexOf(entry);
    if (i >= 0) this.#unacked.splice(i, 1);
    return entry;
  }

  /**
   * True for the session's own copy of a message it sent (`me` is its user's
   * name): one acked already (by id), or one waiting for its ack (same target
   * and text). Echo-message answers at the ack instead; a copy from another
   * session of the same user is not one of these, nor is a DM to oneself.
   */
  isOwnCopy(frame: ChatMessage | DirectMessage, me: string): boolean {
    if (frame.from !== me) return false;
    // A DM to oneself is also what one receives: it is shown as such, as IRC servers do.
    if (frame.type === "dm" && userKey(frame.to) === userKey(me)) return false;
    const seen = this.#acked.indexOf(frame.id);
    if (seen >= 0) {
      this.#acked.splice(seen, 1);
      return true;
    }
    const key = frame.type === "message" ? `#${frame.room}` : (userKey(frame.to) ?? frame.to);
    const waiting = this.#unacked.find((p) => !p.sawCopy && p.key === key && p.text === frame.text);
    if (!waiting) return false;
    waiting.sawCopy = true;
    return true;
  }

  /** A message was acked before its own copy came: the copy is recognised by its id. */
  expectCopy(id: string): void {
    this.#acked.push(id);
    if (this.#acked.length > MAX_ACKED) this.#acked.shift();
  }
}
