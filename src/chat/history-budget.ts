import type { Limits } from "../config/schema.ts";
import { rateLimited, type Encoded, type OutboundFrame } from "../message/index.ts";
import type { AbuseLimits } from "./limits.ts";
import type { Session } from "./session.ts";
import { TokenBucket } from "./token-bucket.ts";
import { Pacer } from "./paced-encode.ts";

/**
 * A budget of history messages for `history` and `dm_history`, per connection
 * (`limits.historyMessagesPerSecond`, burst `limits.historyMessageBurst`) and
 * per address (`limits.ipHistoryMessagesPerSecond`, burst
 * `limits.ipHistoryMessageBurst`). A request is admitted only while both
 * budgets have something left, and is refused `rate_limited` otherwise,
 * BEFORE the log is read; once answered, the messages it returned are charged,
 * into debt if need be, so later requests wait until the debt is paid off.
 * Each budget is thus overrun by at most one page (1000 messages), and paging
 * a short history costs only what it returned.
 *
 * Five connections asking 100 times for 1000 messages of 4000 characters once
 * kept the event loop busy encoding for seconds; now each read also waits for
 * the next turn of the event loop first, and a page is encoded a slice at a
 * time (see Pacer), so other clients' frames (a `ping`) are served between
 * two big replies and within one.
 */
export class HistoryBudget {
  readonly #budgets = new WeakMap<Session, TokenBucket>();
  /** Shared by every page this chat answers: the slices are per turn for all of them. */
  readonly pacer = new Pacer();

  constructor(
    private readonly limits: Limits,
    private readonly abuse: AbuseLimits,
  ) {}

  /** Admits the request (or throws `rate_limited`), yields to the event loop, runs `read` and charges what it returned. */
  async read<P extends { messages: readonly unknown[] }>(session: Session, read: () => Promise<P>): Promise<P> {
    const budget = this.#budgetOf(session);
    const address = session.peer.remoteAddress;
    if (!budget.take()) throw rateLimited("too many history messages asked for; slow down", budget.retryAfterMs());
    if (!this.abuse.takeHistory(address)) {
      budget.refund();
      throw rateLimited("too many history messages asked for from this address; slow down", this.abuse.retryAfterMs(address, "history"));
    }
    await nextTurn();
    const page = await read();
    // One message was paid for by the admission.
    const rest = page.messages.length - 1;
    budget.charge(rest);
    this.abuse.chargeHistory(address, rest);
    return page;
  }

  /** A page's answer: `frame` with `frame[key]` = `records.map(toFrame)`, encoded a slice at a time. */
  encode<F extends OutboundFrame, R>(frame: F, key: keyof F & string, records: readonly R[], toFrame: (record: R) => unknown): Promise<Encoded> {
    return this.pacer.encode(frame, key, records, toFrame);
  }

  #budgetOf(session: Session): TokenBucket {
    let budget = this.#budgets.get(session);
    if (!budget) {
      budget = new TokenBucket(this.limits.historyMessagesPerSecond, this.limits.historyMessageBurst);
      this.#budgets.set(session, budget);
    }
    return budget;
  }
}

/** Resolves on a later turn of the event loop (a timer), after pending I/O has been served. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
