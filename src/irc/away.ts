import type { Session } from "../chat/session.ts";
import type { IrcContext } from "./context.ts";

/** At most one away change a connection makes is told to others per this long. */
export const AWAY_TELL_MS = 2000;

/**
 * Tells the chat of a connection's away changes. Each is kept with the user's
 * presence at once (WHO and WHOIS on every node read it there), but the
 * away-notify lines to every IRC client sharing a room with the user, on
 * every node, go out for the first at once, then at most once per
 * AWAY_TELL_MS: the latest state at the end of the wait. A client sending
 * AWAY in a loop once sent a line to every such member for each one it sent,
 * as typing floods did before their limits. Made on a connection's first
 * AWAY: most never send one.
 */
export class AwayNotices {
  /** What was told last (not away, until a first AWAY with a text). */
  #told: string | undefined;
  #toldAt = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly session: Session,
    private readonly ctx: IrcContext,
    /** The connection's away message now. */
    private readonly current: () => string | undefined,
  ) {}

  /** The away message changed: kept now; told now, or when the wait since the last one told ends. */
  changed(): void {
    this.ctx.chat.away(this.session, []);
    if (this.#timer !== undefined) return;
    const wait = this.#toldAt + AWAY_TELL_MS - Date.now();
    if (wait > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#tell();
      }, wait);
      return;
    }
    this.#tell();
  }

  /** The connection is gone: nothing more is told. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #tell(): void {
    const text = this.current();
    // Set back to what was told last (AWAY, then AWAY again within the wait): nothing changed for the others.
    if (text === this.#told) return;
    this.#told = text;
    this.#toldAt = Date.now();
    // In the session's order: a JOIN sent before the AWAY is done first.
    this.session.enqueue(() => this.ctx.chat.away(this.session, undefined, text));
  }
}
