import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AWAY_TELL_MS, AwayNotices } from "../../../src/irc/away.ts";
import type { Session } from "../../../src/chat/session.ts";
import type { IrcContext } from "../../../src/irc/context.ts";

/** An AwayNotices over a session that runs what it is handed at once, and the away states told to the chat. */
function notices() {
  const told: Array<string | undefined> = [];
  let away: string | undefined;
  const session = { enqueue: (task: () => void) => task() } as unknown as Session;
  const kept: Array<string | undefined> = [];
  // chat.away with no rooms keeps the state with the user's presence; with none given (the session's rooms) it is told too.
  const ctx = { chat: { away: (_s: Session, rooms: string[] | undefined, text: string | undefined) => (rooms ? kept.push(away) : told.push(text)) } } as unknown as IrcContext;
  const n = new AwayNotices(session, ctx, () => away);
  const set = (text: string | undefined) => {
    away = text;
    n.changed();
  };
  return { n, set, told, kept };
}

describe("AwayNotices (AWAY told to others at a bounded rate)", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("tells the first change at once, and the changes within the wait as the state they end in, once, when it is over", () => {
    const { set, told, kept } = notices();
    set("lunch");
    expect(told).toEqual(["lunch"]);
    for (let i = 0; i < 500; i++) set(i % 2 ? undefined : `flap ${i}`);
    set("back at 2");
    expect(told).toEqual(["lunch"]);
    // Each change is kept at once (WHO and WHOIS on every node read it).
    expect(kept).toHaveLength(502);
    expect(kept.at(-1)).toBe("back at 2");
    vi.advanceTimersByTime(AWAY_TELL_MS - 1);
    expect(told).toEqual(["lunch"]);
    vi.advanceTimersByTime(1);
    expect(told).toEqual(["lunch", "back at 2"]);
    // Once the wait since the last one told is over, the next is told at once again.
    vi.advanceTimersByTime(AWAY_TELL_MS);
    set(undefined);
    expect(told).toEqual(["lunch", "back at 2", undefined]);
  });

  it("tells nothing when the state is back to the one told last, or was never away", () => {
    const { set, told } = notices();
    set(undefined);
    expect(told).toEqual([]);
    set("out");
    set(undefined);
    set("out");
    vi.advanceTimersByTime(AWAY_TELL_MS);
    expect(told).toEqual(["out"]);
  });

  it("tells nothing more once stopped (the connection closed)", () => {
    const { n, set, told } = notices();
    set("a");
    set("b");
    n.stop();
    vi.advanceTimersByTime(AWAY_TELL_MS * 2);
    expect(told).toEqual(["a"]);
  });
});
