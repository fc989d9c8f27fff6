import { Encoded } from "../message/index.ts";

/**
 * JSON encoded per turn of the event loop, for every paced reply together:
 * a fraction of a millisecond of work.
 */
export const SLICE_BYTES = 256 * 1024;

/**
 * Encodes big replies (history pages: up to 1000 messages, 4 MB and more) a
 * slice at a time. One page encoded in one go held the event loop, and every
 * other client's `ping` with it; here at most `sliceBytes` of JSON (plus one
 * item) are encoded per turn for all replies together, and the sockets are
 * read and other frames answered between two slices. Replies waiting for a
 * turn take turns in arrival order. The text is `encode(frame)`'s, byte for
 * byte: the client still gets one frame.
 */
export class Pacer {
  /** Bytes encoded in the current turn. */
  #spent = 0;
  readonly #waiting: Array<() => void> = [];
  #scheduled = false;
  /** Turns begun so far, and the most bytes encoded in one of them (for tests and the curious). */
  turns = 0;
  largestTurn = 0;

  constructor(readonly sliceBytes = SLICE_BYTES) {}

  /**
   * `frame` as `encode(frame)` would make it, with `frame[key]` being
   * `items.map(toJson)`: that array is encoded a slice at a time.
   */
  async encode<T>(frame: Record<string, unknown>, key: string, items: readonly T[], toJson: (item: T) => unknown): Promise<Encoded> {
    const [head, tail] = around(frame, key);
    // A newcomer waits behind the replies already waiting, and for a turn with room left.
    if (this.#waiting.length > 0 || this.#spent >= this.sliceBytes) await this.#later();
    const parts: string[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
      if (this.#spent >= this.sliceBytes) await this.#later();
      const json = JSON.stringify(toJson(items[i]!));
      parts[i] = json;
      this.#spend(json.length);
    }
    return new Encoded(`${head}${parts.join(",")}${tail}`);
  }

  #spend(bytes: number): void {
    this.#spent += bytes;
    if (this.#spent > this.largestTurn) this.largestTurn = this.#spent;
    // The count starts again at the next turn.
    this.#schedule();
  }

  /** Resolves on a later turn, after those waiting already (each turn lets one go). */
  #later(): Promise<void> {
    return new Promise((go) => {
      this.#waiting.push(go);
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // A timer: it fires on a later turn, after the sockets were polled.
    setTimeout(() => this.#nextTurn(), 0);
  }

  #nextTurn(): void {
    this.#scheduled = false;
    this.turns += 1;
    this.#spent = 0;
    // The one let go encodes up to a slice, then waits again behind the others.
    this.#waiting.shift()?.();
    if (this.#waiting.length > 0) this.#schedule();
  }
}

/** The JSON of `frame` before and after its `key` array's items. */
function around(frame: Record<string, unknown>, key: string): [string, string] {
  const empty = JSON.stringify({ ...frame, [key]: [] });
  // Unambiguous: inside a JSON string a quote is always escaped, so this is the key.
  const marker = `${JSON.stringify(key)}:[]`;
  const at = empty.indexOf(marker);
  if (at < 0) throw new Error(`paced encode: no ${key} in the frame`);
  const open = at + marker.length - 1;
  return [empty.slice(0, open), empty.slice(open)];
}
