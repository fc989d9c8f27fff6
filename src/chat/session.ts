import type { AnyActorRef } from "xstate";
import { encode, Encoded, type OutboundFrame } from "../message/index.ts";
import type { Peer } from "./peer.ts";
import type { Role } from "../../storage/users/types.ts";
import { TokenBucket } from "./token-bucket.ts";
import { Strikes } from "./limits.ts";
import { SmallSet } from "./small-set.ts";
import { closeAfterAnswers } from "./close-after-acks.ts";
import { CloseCode } from "../message/index.ts";

export type SessionUser = { key: string; name: string; role: Role };

/** A role held by one connection for its lifetime, beyond its user's stored one: IRC OPER with an `irc.operators` block (`operator` is its name). */
export type Grant = { readonly role: "moderator" | "admin"; readonly operator: string };

type SessionRates = {
  joinsPerSecond: number;
  joinBurst: number;
  signInsPerMinute: number;
  signInBurst: number;
  abuseStrikes: number;
  abuseWindowMs: number;
  maxBufferedBytes: number;
};

let nextId = 1;

type Task = () => Promise<void> | void;
/** A request waiting in the inbox, with what it is charged (see WAITING_REQUEST_BYTES). */
type Waiting = { run: Task; bytes: number };

/**
 * What a request waiting in the inbox is charged besides its frame's bytes:
 * about what its task and decoded frame cost, so a flood of tiny frames is
 * held to a count too (4 MiB: some 16,000 of them).
 */
export const WAITING_REQUEST_BYTES = 256;
/** Marks a session's inbox as running with nothing waiting. */
const RUNNING: unique symbol = Symbol("running");

const RATE_KEYS = [
  "messagesPerSecond",
  "messageBurst",
  "joinsPerSecond",
  "joinBurst",
  "signInsPerMinute",
  "signInBurst",
  "abuseStrikes",
  "abuseWindowMs",
  "maxBufferedBytes",
] as const;
let sharedRates: Rates | undefined;

/**
 * A frozen copy of the rate limits, shared by every session made until they
 * change (a reload updates the config object in place), so a session holds
 * one reference instead of its own copy.
 */
function ratesNow(rate: Rates): Rates {
  const last = sharedRates;
  if (last && RATE_KEYS.every((k) => last[k] === rate[k])) return last;
  const copy: Record<string, number | undefined> = {};
  for (const k of RATE_KEYS) copy[k] = rate[k];
  return (sharedRates = Object.freeze(copy as Rates));
}

type Rates = { messagesPerSecond: number; messageBurst: number } & Partial<SessionRates>;

/** Where a session's replies go out: the hub, which cuts off a client that does not read (see Hub.reply). */
export type Replies = { reply(session: Session, bytes: Encoded): void };

/** Straight to the peer: for a session made without a hub (tests of the session alone). */
const DIRECT: Replies = { reply: (session, bytes) => session.peer.send(bytes) };

/**
 * The hot state of one connection: who it is and which rooms it is in. Kept
 * apart from the session actor so fan-out reads plain fields, not actor state.
 * Rate buckets and strikes are made on first use: most connections never
 * send a message or get rate limited, and thousands of idle ones should not
 * pay for them.
 */
export class Session {
  readonly id = nextId++;
  readonly connectedAt = Date.now();
  user: SessionUser | undefined;
  token: string | undefined;
  readonly rooms = new SmallSet<string>();
  /** See Grant; checked with the stored role wherever moderation is (src/chat/roles.ts). */
  grant: Grant | undefined = undefined;
  #messages: TokenBucket | undefined;
  #joins: TokenBucket | undefined;
  #signIns: TokenBucket | undefined;
  #strikes: Strikes | undefined;

  /** The XState actor that runs this session, once started: how a failure its group reports leads back here. */
  actor: AnyActorRef | undefined = undefined;

  /** The limits as they were at connect: a reload changes them for later connections only. */
  private readonly rate: Rates;

  constructor(
    readonly peer: Peer,
    rate: Rates,
    private readonly replies: Replies = DIRECT,
  ) {
    this.rate = ratesNow(rate);
  }

  get messages(): TokenBucket {
    return (this.#messages ??= new TokenBucket(this.rate.messagesPerSecond, this.rate.messageBurst));
  }

  get joins(): TokenBucket {
    return (this.#joins ??= new TokenBucket(this.rate.joinsPerSecond ?? 5, this.rate.joinBurst ?? 100));
  }

  get signIns(): TokenBucket {
    return (this.#signIns ??= new TokenBucket((this.rate.signInsPerMinute ?? 10) / 60, this.rate.signInBurst ?? 5));
  }

  /** A connection signs in once (a second hello is refused), so its sign-in bucket is done with. */
  signedIn(user: SessionUser, token: string | undefined): void {
    this.user = user;
    this.token = token;
    this.#signIns = undefined;
  }

  /** `rate_limited` answers in the recent window; too many close the connection. */
  get strikes(): Strikes {
    return (this.#strikes ??= new Strikes(this.rate.abuseStrikes ?? 50, this.rate.abuseWindowMs ?? 10_000));
  }

  /** Requests behind the one running: undefined while none runs, RUNNING while none waits. */
  #waiting: Waiting[] | typeof RUNNING | undefined = undefined;
  /** What `#waiting` is charged; -1 once the inbox overflowed (the connection is closing: nothing more is taken). */
  #waitingBytes = 0;

  /**
   * Runs inbound requests one after another, in arrival order, so a client may
   * pipeline `join` then `say` without waiting. Handlers only hold the line for
   * reads; `say` queues its durable write and lets the next frame through. A
   * task that fails does not stop the ones after it (each reports its own
   * errors). An idle session holds nothing for it: a promise chain kept its
   * last promise for the connection's life. `bytes`: the size of the frame
   * the task answers. A client piping frames while a slow request holds the
   * line (a password check in a busy bcrypt queue) made the inbox grow without
   * bound: once what waits (each request's bytes and WAITING_REQUEST_BYTES)
   * would pass `limits.maxBufferedBytes`, the connection closes (1008 `too
   * many requests waiting`, after the acks due) and takes no more.
   */
  enqueue(task: Task, bytes = 0): void {
    const waiting = this.#waiting;
    if (this.#waitingBytes < 0) return;
    if (waiting === undefined) {
      this.#waiting = RUNNING;
      void this.#drain(task);
      return;
    }
    const cost = bytes + WAITING_REQUEST_BYTES;
    // The first one waiting is always taken: a frame may be larger than the cap.
    if (waiting !== RUNNING && this.#waitingBytes + cost > (this.rate.maxBufferedBytes ?? 4 * 1024 * 1024)) {
      closeAfterAnswers(this, CloseCode.policy, "too many requests waiting");
      return;
    }
    this.#waitingBytes += cost;
    if (waiting === RUNNING) this.#waiting = [{ run: task, bytes: cost }];
    else waiting.push({ run: task, bytes: cost });
  }

  async #drain(first: Task): Promise<void> {
    // After the caller's turn, as a promise reaction would start it.
    await undefined;
    for (let task: Task | undefined = first; task; ) {
      try {
        await task();
      } catch {
        // The task has reported it; the next one runs.
      }
      const waiting = this.#waiting;
      const next = Array.isArray(waiting) && this.#waitingBytes >= 0 ? waiting.shift() : undefined;
      if (next && this.#waitingBytes > 0) this.#waitingBytes -= next.bytes;
      task = next?.run;
    }
    this.#waiting = undefined;
  }

  /**
   * The connection is being closed (abuse, an overflowing inbox): no request
   * waiting or still to come is handled. A flooder kept having requests
   * stored (a topic, a join creating a room) while the acks due before the
   * close went out.
   */
  takeNoMore(): void {
    this.#waitingBytes = -1;
    if (Array.isArray(this.#waiting)) this.#waiting = RUNNING;
  }

  /** A reply to this client: encoded, and written unless the client has stopped reading (see Replies). */
  send(frame: OutboundFrame | Encoded): void {
    this.replies.reply(this, frame instanceof Encoded ? frame : encode(frame));
  }
}
