import type { OutboundFrame } from "../message/index.ts";
import { formatLine, parseLine, type IrcMessage } from "./line.ts";
import { LineReader } from "./input.ts";
import { Reply } from "./reply.ts";
import { ReplyOrder } from "./order.ts";
import { answerFrame, topicChanged } from "./answers.ts";
import { registrationCommand, releaseGuest, tryRegister } from "./registration.ts";
import { activeCommand } from "./commands.ts";
import { IrcAnswering } from "./answering.ts";
import type { OwnChange } from "./delivery.ts";
import type { AwayNotices } from "./away.ts";
import type { LookupLag } from "./lookup-lag.ts";

const encoder = new TextEncoder();
/** Commands registration handles itself; others wait for it while the sign-in is checked. */
const REGISTRATION = new Set(["CAP", "NICK", "USER", "PASS", "AUTHENTICATE", "PING", "PONG", "QUIT"]);
/** Commands held behind a sign-in, at most (as many frames as a WebSocket may pipeline behind its hello). */
const MAX_HELD = 32;
/** How long a QUIT's ERROR waits for the answers to the commands sent before it. */
const QUIT_WAIT_MS = 5000;

/**
 * One IRC client: a chat Peer (the hub writes to it as to a WebSocket: see
 * delivery.ts) and the stream's reader. Lines become commands; commands that
 * touch the chat become chatd frames handed to the session's actor, so they
 * take the WebSocket's one path (session -> handler -> broker -> hub); the
 * frames the session and the hub send back are turned into IRC lines
 * (answering.ts, answers.ts). This file holds the client's state, its input
 * and the connection's lifecycle.
 */
export class IrcConnection extends IrcAnswering {
  userName: string | undefined;
  realName = "";
  password: string | undefined;
  /** PASS gave the server's password (irc.password); only consulted when one is set. */
  serverPassword = false;
  /** CAP LS seen and no CAP END yet: registration waits. */
  negotiating = false;
  /** How sign-in goes: not yet, a hello in flight (by SASL or PASS), or done. */
  auth: "none" | "sasl" | "pass" | "guest" | "done" = "none";
  saslReply: Reply | undefined;
  saslBuffer = "";
  saslMechanism: string | undefined;
  registered = false;
  away: string | undefined;
  /** Tells others of `away` changes, at a bounded rate (made on the first AWAY). */
  awayNotices: AwayNotices | undefined;
  /** The lookups' fake lag (made on the first lookup). */
  lookups: LookupLag | undefined;
  oper = false;
  /** When the client last sent PRIVMSG or NOTICE (when it connected, until then): WHOX's idle time. */
  activeAt = Date.now();
  /** The guest name this connection holds in ctx.guestsSigningIn while its sign-in runs. */
  guestKey: string | undefined;
  /** Signed in as a guest (irc.guests): NICK may change the nick (see nick.ts). */
  guest = false;
  /** The ref mark of a JOIN 0 whose leaves are still queued (0: none); see inRoomAfterQueued in commands.ts. */
  leavingAll = 0;
  /** QUIT's message (Peer.quitReason): the rooms' presence leave carries it. */
  quitReason: string | undefined;

  readonly #reader = new LineReader();
  #awaitingPong = false;

  protected override answer(frame: OutboundFrame): void {
    answerFrame(this, frame);
  }

  protected override ownChange(frame: OwnChange, bytes: Uint8Array): boolean {
    return topicChanged(this, frame, bytes);
  }

  override close(_code: number, reason: string): void {
    this.#afterReplies = undefined;
    if (this.closed) return;
    // The replies finished so far (those still open never will be), and what the command being handled answered, go out before the ERROR.
    const finished = this.order?.finished();
    if (finished) this.write(finished);
    this.order = undefined;
    this.current?.drain();
    this.closed = true;
    this.dropEarly();
    this.socket.write(encoder.encode(formatLine(undefined, "ERROR", [`Closing link: ${this.remoteAddress} (${reason})`], true)));
    this.socket.end();
  }

  terminate(): void {
    this.closed = true;
    this.socket.destroy();
  }

  /** Pings an idle client; false if the last ping went unanswered (nothing came since). */
  ping(): boolean {
    if (this.#awaitingPong) return false;
    this.#awaitingPong = true;
    if (this.registered) this.write(formatLine(undefined, "PING", [this.server]));
    return true;
  }

  /** Registration (sign-in, NICK, USER, CAP END) must end within `ms`, as a WebSocket's sign-in must. */
  deadline(ms: number): void {
    this.#deadline = setTimeout(() => {
      if (!this.registered) this.close(1008, "registration timed out");
    }, ms);
  }

  #deadline: ReturnType<typeof setTimeout> | undefined;

  /** Registration is complete: what waited goes out after the burst. */
  registeredNow(): void {
    this.registered = true;
    clearTimeout(this.#deadline);
    const flush = () => {
      this.releaseEarly();
      // Then the commands that came while the sign-in was being checked, in order.
      const held = this.#held ?? [];
      this.#held = undefined;
      for (const line of held) if (!this.closed) this.#line(line);
    };
    // The burst is part of the reply being handled (CAP END, NICK, USER), written when it ends.
    if (this.current) queueMicrotask(flush);
    else flush();
  }

  /**
   * PING: clients (and irctest) sync with it, expecting the answers to every
   * earlier command first (see replied), and what this node queued for the
   * client's rooms: the presence batch (JOIN, PART, QUIT of others) goes out now.
   */
  pong(msg: IrcMessage): void {
    if (msg.params.length < 1) return this.numeric("409", "No origin specified");
    if (this.registered) this.ctx.chat.hub.flushPresence(this.session.rooms);
    const out = this.reply(msg);
    out.add(this.server, "PONG", [this.server, msg.params[0]!], [], true);
    out.release();
  }

  // --- Input ---

  data(chunk: Uint8Array): void {
    this.#awaitingPong = false;
    if (this.#quitting) return;
    this.#reader.push(chunk, (input) => {
      // Over the limits the specs set: refused (ERR_INPUTTOOLONG), the connection lives.
      if ("tooLong" in input) this.numeric("417", "Input line was too long");
      else this.#line(input.line);
      return !this.closed && !this.#quitting;
    });
  }

  /** Commands sent behind NICK and USER while the sign-in is checked (clients may pipeline JOIN): run once registered. */
  #held: string[] | undefined;

  /** NICK and USER are in, CAP is over, the sign-in is being checked: registration is a matter of time. */
  get #signingIn(): boolean {
    return this.auth !== "none" && this.nick !== "*" && this.userName !== undefined && !this.negotiating;
  }

  #line(text: string): void {
    const msg = parseLine(text);
    if (!msg) return;
    if (!this.registered && this.#signingIn && !REGISTRATION.has(msg.command)) {
      if ((this.#held ??= []).length < MAX_HELD) this.#held.push(text);
      else this.numeric("451", msg.command, "You have not registered");
      return;
    }
    const out = (this.current = new Reply(this, this.labels ? msg.tags.get("label") : undefined));
    try {
      if (!this.registered) registrationCommand(this, msg);
      else activeCommand(this, msg);
    } catch (error) {
      this.ctx.logger.error("irc command failed", { command: msg.command, error: (error as Error).message });
      this.numeric("400", msg.command, "Internal error");
    } finally {
      this.current = undefined;
      out.release();
      // Still waiting for the session: what later commands answer waits behind it.
      if (out.open) (this.order ??= new ReplyOrder()).open(out);
    }
  }

  /** The stream is gone. */
  streamClosed(): void {
    this.closed = true;
    releaseGuest(this);
    clearTimeout(this.#deadline);
    this.awayNotices?.stop();
    this.lookups?.stop();
    if (!this.#left) this.toSession({ type: "DISCONNECTED" });
    this.#left = true;
  }

  /** The session was told the connection is gone (QUIT), before the stream closed. */
  #left = false;

  /**
   * QUIT: ERROR and close; the rooms hear of it at once (behind the commands
   * sent before it, in the session's order), not when the client closes its end.
   */
  quit(reason: string): void {
    this.session.enqueue(() => {
      if (!this.#left) this.toSession({ type: "DISCONNECTED" });
      this.#left = true;
    });
    this.#quitting = true;
    if (!this.order) return this.close(1000, reason);
    // The answers to the commands sent before the QUIT (a 404, an echo) go out before its ERROR: it
    // waits for the replies still open, a moment at most (see replied).
    this.#afterReplies = () => this.close(1000, reason);
    setTimeout(() => this.#afterReplies?.(), QUIT_WAIT_MS).unref?.();
  }

  /** QUIT came: nothing after it is read. */
  #quitting = false;
  /** What waits for the replies still open (QUIT's close). */
  #afterReplies: (() => void) | undefined;

  override replied(reply: Reply, text: string): void {
    super.replied(reply, text);
    const after = this.#afterReplies;
    if (after && !this.order) {
      this.#afterReplies = undefined;
      after();
    }
  }

  /** NICK, USER and CAP END decide when registration can complete (see registration.ts). */
  tryRegister(): void {
    tryRegister(this);
  }
}
