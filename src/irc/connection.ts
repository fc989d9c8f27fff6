import { inboundFrame, type Encoded, type InboundFrame, type OutboundFrame } from "../message/index.ts";
import type { Peer } from "../chat/peer.ts";
import type { Session } from "../chat/session.ts";
import type { StreamSocket } from "../runtime/types.ts";
import { formatLine, parseLine, tagPrefix, type IrcMessage } from "./line.ts";
import { LineReader } from "./input.ts";
import { Requests } from "./requests.ts";
import { Reply, type ReplySink } from "./reply.ts";
import { ReplyOrder } from "./order.ts";
import { REDACTIONS, TAG_ACCOUNT, TAG_MSGID, TAG_TIME, TAG_TYPING } from "./render.ts";
import type { IrcContext } from "./context.ts";
import { answerFrame, topicChanged, type Pending } from "./answers.ts";
import { registrationCommand, releaseGuest, tryRegister } from "./registration.ts";
import { activeCommand } from "./commands.ts";
import { Departures } from "./departures.ts";

const encoder = new TextEncoder();
/** Commands registration handles itself; others wait for it while the sign-in is checked. */
const REGISTRATION = new Set(["CAP", "NICK", "USER", "PASS", "AUTHENTICATE", "PING", "PONG", "QUIT"]);
/** Commands held behind a sign-in, at most (as many frames as a WebSocket may pipeline behind its hello). */
const MAX_HELD = 32;
/** Fan-out held back while a client is between sign-in and the end of its registration. */
const MAX_EARLY = 200;

/**
 * One IRC client: a chat Peer (the hub writes to it as to a WebSocket) and the
 * stream's reader. Lines become commands; commands that touch the chat become
 * chatd frames handed to the session's actor, so they take the WebSocket's
 * one path (session -> handler -> broker -> hub); the frames the session and
 * the hub send back are turned into IRC lines here.
 */
export class IrcConnection implements Peer, ReplySink {
  readonly remoteAddress: string;
  session!: Session;
  /** Hands a frame to the session's actor (set by the gateway). */
  toSession: (event: { type: "FRAME"; frame: InboundFrame } | { type: "DISCONNECTED" }) => void = () => {};

  /** Enabled capabilities, and the tag bits they give (see render.ts). */
  readonly caps = new Set<string>();
  mask = 0;
  /** The nick: the one asked for until sign-in, the account's name after. */
  nick = "*";
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
  oper = false;
  /** When the client last sent PRIVMSG or NOTICE (when it connected, until then): WHOX's idle time. */
  activeAt = Date.now();
  /** The guest name this connection holds in ctx.guestsSigningIn while its sign-in runs. */
  guestKey: string | undefined;
  /** Signed in as a guest (irc.guests): NICK may change the nick (see nick.ts). */
  guest = false;
  /** QUIT's message (Peer.quitReason): the rooms' presence leave carries it. */
  quitReason: string | undefined;

  /** Requests sent to the session and not answered yet. */
  get requests(): Requests {
    // Made on first use: an idle connection (most of a big channel) never sends a request after joining.
    return (this.#requests ??= new Requests());
  }

  #requests: Requests | undefined;
  #nextBatch = 1;
  readonly #reader = new LineReader();
  #early: Uint8Array[] | undefined = [];
  #closed = false;
  #awaitingPong = false;

  constructor(
    private readonly socket: StreamSocket,
    readonly ctx: IrcContext,
    remoteAddress: string,
  ) {
    this.remoteAddress = remoteAddress;
  }

  get server(): string {
    return this.ctx.server;
  }

  get labels(): boolean {
    return this.caps.has("labeled-response");
  }

  get batches(): boolean {
    return this.caps.has("batch");
  }

  /** The capabilities changed: the tag bits follow. */
  capsChanged(): void {
    const tags = this.caps.has("message-tags");
    this.mask =
      (this.caps.has("server-time") ? TAG_TIME : 0) |
      (tags ? TAG_MSGID | TAG_TYPING : 0) |
      (this.caps.has("account-tag") ? TAG_ACCOUNT : 0) |
      (this.caps.has("draft/message-redaction") ? REDACTIONS : 0);
  }

  batchId(): string {
    return `b${this.#nextBatch++}`;
  }

  // --- Peer: what the hub and the session write ---

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  send(encoded: Encoded): void {
    if (this.#closed) return;
    const frame = encoded.frame ?? (JSON.parse(encoded.text) as OutboundFrame);
    if (frame.type === "message" || frame.type === "dm" || frame.type === "presence" || frame.type === "typing" || frame.type === "edited" || frame.type === "deleted" || frame.type === "reaction" || frame.type === "tags") {
      if (!this.#isOwn(frame) && this.#news(frame)) this.#fanout(this.ctx.renderer.fanout(encoded, frame, this.mask));
      return;
    }
    if (frame.type === "topic" || frame.type === "mode") {
      const bytes = this.ctx.renderer.fanout(encoded, frame, this.mask);
      if (!topicChanged(this, frame, bytes)) this.#fanout(bytes);
      return;
    }
    answerFrame(this, frame);
  }

  /** Departures (QUIT, NICK) this client was shown: told once, not once per shared room. Made at the first. */
  #departures: Departures | undefined;

  /** False for a presence change this client was told already (see Departures). */
  #news(frame: OutboundFrame): boolean {
    if (frame.type !== "presence") return true;
    if (!this.#departures && (frame.event === "join" || (!frame.quit && frame.renamedTo === undefined))) return true;
    return (this.#departures ??= new Departures()).news(frame);
  }

  /** A presence batch for every member (see Peer.sendBatch): one rendering shared by every member with the same tags. */
  sendBatch(frames: readonly Encoded[]): void {
    if (this.#closed) return;
    const me = this.session.user?.name;
    for (const f of frames) {
      // Its own user's presence (another session's) is not a line for it, and a departure (QUIT,
      // NICK) is told once per client (#news): such a batch goes frame by frame.
      const p = f.frame;
      if (p?.type !== "presence" || p.user === me || p.quit || p.renamedTo !== undefined || (this.#departures && p.event === "join")) {
        for (const g of frames) this.send(g);
        return;
      }
    }
    this.#fanout(this.ctx.renderer.batch(frames, this.mask));
  }

  /** The session's own copy of what it sent (dropped: echo-message answers at the ack), or its own presence. */
  #isOwn(frame: OutboundFrame): boolean {
    const me = this.session.user;
    if (!me) return false;
    if (frame.type === "presence" || frame.type === "typing") return frame.user === me.name;
    return (frame.type === "message" || frame.type === "dm") && frame.from === me.name && this.requests.isOwnCopy(frame, me.name);
  }

  close(_code: number, reason: string): void {
    if (this.#closed) return;
    // The replies finished so far (those still open never will be), and what the command being handled answered, go out before the ERROR.
    const finished = this.#order?.finished();
    if (finished) this.write(finished);
    this.#order = undefined;
    this.#current?.drain();
    this.#closed = true;
    this.#early = undefined;
    this.socket.write(encoder.encode(formatLine(undefined, "ERROR", [`Closing link: ${this.remoteAddress} (${reason})`], true)));
    this.socket.end();
  }

  terminate(): void {
    this.#closed = true;
    this.socket.destroy();
  }

  /** Peer: another member of a shared room (on any node) went away or came back, told with away-notify. */
  awayChanged(user: string, text: string | undefined): void {
    if (this.caps.has("away-notify")) this.#fanout(encoder.encode(formatLine(this.ctx.renderer.source(user), "AWAY", text === undefined ? [] : [text], true)));
  }

  /** Pings an idle client; false if the last ping went unanswered (nothing came since). */
  ping(): boolean {
    if (this.#awaitingPong) return false;
    this.#awaitingPong = true;
    if (this.registered) this.write(formatLine(undefined, "PING", [this.server]));
    return true;
  }

  // --- Output ---

  /** A line (or lines) to this client now: replies, numerics, pings. */
  write(text: string): void {
    if (!this.#closed) this.socket.write(encoder.encode(text));
  }

  /** What other users do (messages, joins): the same bytes for every IRC recipient with the same tags. */
  #fanout(bytes: Uint8Array): void {
    if (this.#closed || bytes.byteLength === 0) return;
    // Between sign-in and the welcome burst (SASL before CAP END), what the chat sends waits.
    if (this.#early) {
      if (this.#early.length < MAX_EARLY) this.#early.push(bytes);
      return;
    }
    this.socket.write(bytes);
  }

  /** Registration is complete: what waited goes out after the burst. */
  /** Registration (sign-in, NICK, USER, CAP END) must end within `ms`, as a WebSocket's sign-in must. */
  deadline(ms: number): void {
    this.#deadline = setTimeout(() => {
      if (!this.registered) this.close(1008, "registration timed out");
    }, ms);
  }

  #deadline: ReturnType<typeof setTimeout> | undefined;

  registeredNow(): void {
    this.registered = true;
    clearTimeout(this.#deadline);
    const flush = () => {
      const early = this.#early ?? [];
      this.#early = undefined;
      if (!this.#closed) for (const bytes of early) this.socket.write(bytes);
      // Then the commands that came while the sign-in was being checked, in order.
      const held = this.#held ?? [];
      this.#held = undefined;
      for (const line of held) if (!this.#closed) this.#line(line);
    };
    // The burst is part of the reply being handled (CAP END, NICK, USER), written when it ends.
    if (this.#current) queueMicrotask(flush);
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

  /** A numeric to this client: part of the reply to the command being handled, if any (else behind the replies still open). */
  numeric(code: string, ...params: string[]): void {
    const out = this.#current ?? new Reply(this, undefined);
    this.num(out, code, ...params);
    if (out !== this.#current) out.release();
  }

  /** Replies in command order while one waits for the session (see order.ts); undefined otherwise, the usual case. */
  #order: ReplyOrder | undefined;

  /** ReplySink: a reply is complete; written now, or when the replies before it are. */
  replied(reply: Reply, text: string): void {
    const order = this.#order;
    const out = order ? order.done(reply, text) : text;
    if (order?.empty) this.#order = undefined;
    if (out !== "") this.write(out);
  }

  /**
   * The reply to the command being handled (held once more), so everything it
   * answers goes out together and labeled; a new one outside a command.
   */
  reply(msg: IrcMessage | undefined): Reply {
    if (this.#current) return this.#current.hold();
    return new Reply(this, this.labels ? msg?.tags.get("label") : undefined);
  }

  /** The reply of the command being handled, while its handler runs. */
  #current: Reply | undefined;

  /** A numeric in `out`, addressed to this client. */
  num(out: Reply, code: string, ...params: string[]): void {
    out.add(this.server, code, [this.nick, ...params]);
  }

  /** FAIL (standard replies). */
  fail(out: Reply, command: string, code: string, ...params: string[]): void {
    out.add(this.server, "FAIL", [command, code, ...params]);
  }

  // --- Requests to the session ---

  /** Sends a frame (checked by the one schema) to the session, remembering what to do with its answer. */
  request(frame: Record<string, unknown>, pending: Omit<Pending, "ref">, key?: string): void {
    const ref = this.requests.nextRef();
    const parsed = inboundFrame.safeParse({ ...frame, ref });
    if (!parsed.success) {
      this.fail(pending.out, pending.command, "INVALID_PARAMS", parsed.error.issues[0]?.message ?? "invalid");
      return;
    }
    pending.out.hold();
    this.requests.add({ ...pending, ref }, key);
    if (!this.#closed) this.toSession({ type: "FRAME", frame: parsed.data });
  }

  /** A hello (no ref: its answer is the welcome or an error without ref). */
  hello(user: string, password: string): void {
    const parsed = inboundFrame.safeParse({ type: "hello", user, password });
    if (parsed.success) this.toSession({ type: "FRAME", frame: parsed.data });
  }

  /** The pending request a frame answers, taken out of the books. */
  take(ref: number | string | undefined, key?: string): Pending | undefined {
    return this.requests.take(ref, key);
  }

  // --- Input ---

  data(chunk: Uint8Array): void {
    this.#awaitingPong = false;
    this.#reader.push(chunk, (input) => {
      // Over the limits the specs set: refused (ERR_INPUTTOOLONG), the connection lives.
      if ("tooLong" in input) this.numeric("417", "Input line was too long");
      else this.#line(input.line);
      return !this.#closed;
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
    const out = (this.#current = new Reply(this, this.labels ? msg.tags.get("label") : undefined));
    try {
      if (!this.registered) registrationCommand(this, msg);
      else activeCommand(this, msg);
    } catch (error) {
      this.ctx.logger.error("irc command failed", { command: msg.command, error: (error as Error).message });
      this.numeric("400", msg.command, "Internal error");
    } finally {
      this.#current = undefined;
      out.release();
      // Still waiting for the session: what later commands answer waits behind it.
      if (out.open) (this.#order ??= new ReplyOrder()).open(out);
    }
  }

  /** The stream is gone. */
  streamClosed(): void {
    this.#closed = true;
    releaseGuest(this);
    clearTimeout(this.#deadline);
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
    this.close(1000, reason);
  }

  /** NICK, USER and CAP END decide when registration can complete (see registration.ts). */
  tryRegister(): void {
    tryRegister(this);
  }

  /** A frame the session answers with nothing (typing). */
  notify(frame: Record<string, unknown>): void {
    const parsed = inboundFrame.safeParse(frame);
    if (parsed.success) this.toSession({ type: "FRAME", frame: parsed.data });
  }

  /** Tags for a line this client gets now (server-time when it asked). */
  nowTags(): Array<readonly [string, string]> {
    return this.mask & TAG_TIME ? [["time", new Date().toISOString()]] : [];
  }

  prefix(tags: Array<readonly [string, string]>): string {
    return tagPrefix(tags);
  }
}
