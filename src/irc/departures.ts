import type { OutboundFrame } from "../message/index.ts";

/** Departures remembered per client (see Departures). */
const MAX_DEPARTED = 1000;

/**
 * Users whose QUIT or NICK one IRC client was shown. IRC tells a departure
 * once; chatd's presence tells it in every room the client shares with the
 * user, so the other rooms' copies are dropped until the name joins again.
 * Made empty: most clients never see anyone leave more than one room.
 */
export class Departures {
  #departed: Set<string> | undefined;

  /** False for a room's copy of a QUIT or NICK this client was shown already. */
  news(frame: Extract<OutboundFrame, { type: "presence" }>): boolean {
    if (frame.event === "join") {
      this.#departed?.delete(frame.user);
      return true;
    }
    if (!frame.quit && frame.renamedTo === undefined) return true;
    const departed = (this.#departed ??= new Set());
    if (departed.has(frame.user)) return false;
    // Bounded: past it, a rare second copy beats memory that grows with the network.
    if (departed.size >= MAX_DEPARTED) departed.clear();
    departed.add(frame.user);
    return true;
  }
}
