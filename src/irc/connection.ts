import { inboundFrame, type Encoded, type InboundFrame, type OutboundFrame } from "../message/index.ts";
import type { Peer } from "../chat/peer.ts";
import type { Session } from "../chat/session.ts";
import type { StreamSocket } from "../runtime/types.ts";
import { formatLine, MAX_LINE_BYTES, MAX_TAGS_BYTES, parseLine, tagPrefix, type IrcMessage } from "./line.ts";
import { Reply, type ReplySink } from "./reply.ts";
import { TAG_ACCOUNT, TAG_MSGID, TAG_TIME, TAG_TYPING } from "./render.ts";
import type { IrcContext } from "./context.ts";
import { answerFrame, type Pending } from "./answers.ts";
import { registrationCommand, tryRegister } from "./registration.ts";
import { activeCommand } from "./commands.ts";
import { userKey } from "./names.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const LF = 0x0a;
/** The most a client may send without a line end before its input is thrown away up to the next one. */
const MAX_PENDING_BYTES = MAX_TAGS_BYTES + MAX_LINE_BYTES;
/** Fan-out held back while a client is between sign-in and the end of its registration. */
const MAX_EARLY = 200;
/** Ids of acked messages whose own copy has not come by yet (a cluster's feed may bring it after the ack). */
const MAX_ACKED = 64;

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

  /** Requests sent to the session, by ref; and the ones answered by a frame without a ref, by key. */
  readonly pending = new Map<number, Pending>();
  readonly keyed = new Map<string, number[]>();
  /** say/dm sent and not acked, oldest first: their own copy is recognised by room and text. */
  readonly unacked: Pending[] = [];
  readonly acked: string[] = [];
  #nextRef = 1;
  #nextBatch = 1;

  #input: Uint8Array[] = [];
  #inputBytes = 0;
  #discarding = false;
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
      (this.caps.has("account-tag") ? TAG_ACCOUNT : 0);
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
    if (frame.type === "message" || frame.type === "dm" || frame.type === "presence" || frame.type === "typing") {
      if (!this.#isOwn(frame)) this.#fanout(this.ctx.renderer.fanout(encoded, frame, this.mask));
      return;
    }
    answerFrame(this, frame);
  }

  /** The session's own copy of what it sent (dropped: echo-message answers at the ack), or its own presence. */
  #isOwn(frame: OutboundFrame): boolean {
    const me = this.session.user;
    if (!me) return false;
    if (frame.type === "presence" || frame.type === "typing") return frame.user === me.name;
    if ((frame.type !== "message" && frame.type !== "dm") || frame.from !== me.name) return false;
    const seen = this.acked.indexOf(frame.id);
    if (seen >= 0) {
      this.acked.splice(seen, 1);
      return true;
    }
    const key = frame.type === "message" ? `#${frame.room}` : (userKey(frame.to) ?? frame.to);
    const waiting = this.unacked.find((p) => !p.sawCopy && p.key === key && p.text === frame.text);
    if (!waiting) return false;
    waiting.sawCopy = true;
    return true;
  }

  /** A message was acked before its own copy came: the copy is recognised by its id. */
  expectCopy(id: string): void {
    this.acked.push(id);
    if (this.acked.length > MAX_ACKED) this.acked.shift();
  }

  close(_code: number, reason: string): void {
    if (this.#closed) return;
    // What the command being handled answered goes out before the ERROR.
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
  registeredNow(): void {
    this.registered = true;
    const flush = () => {
      const early = this.#early ?? [];
      this.#early = undefined;
      if (!this.#closed) for (const bytes of early) this.socket.write(bytes);
    };
    // The burst is part of the reply being handled (CAP END, NICK, USER), written when it ends.
    if (this.#current) queueMicrotask(flush);
    else flush();
  }

  /** A numeric to this client: part of the reply to the command being handled, if any. */
  numeric(code: string, ...params: string[]): void {
    if (this.#current) this.num(this.#current, code, ...params);
    else this.write(formatLine(this.server, code, [this.nick, ...params]));
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
    const ref = this.#nextRef++;
    const parsed = inboundFrame.safeParse({ ...frame, ref });
    if (!parsed.success) {
      this.fail(pending.out, pending.command, "INVALID_PARAMS", parsed.error.issues[0]?.message ?? "invalid");
      return;
    }
    const entry: Pending = { ...pending, ref };
    pending.out.hold();
    this.pending.set(ref, entry);
    if (key !== undefined) {
      entry.keyed = key;
      const refs = this.keyed.get(key);
      if (refs) refs.push(ref);
      else this.keyed.set(key, [ref]);
    }
    if (entry.text !== undefined) this.unacked.push(entry);
    if (!this.#closed) this.toSession({ type: "FRAME", frame: parsed.data });
  }

  /** A hello (no ref: its answer is the welcome or an error without ref). */
  hello(user: string, password: string): void {
    const parsed = inboundFrame.safeParse({ type: "hello", user, password });
    if (parsed.success) this.toSession({ type: "FRAME", frame: parsed.data });
  }

  /** The pending request a frame answers, taken out of the books. */
  take(ref: number | string | undefined, key?: string): Pending | undefined {
    let r = typeof ref === "number" ? ref : undefined;
    if (r === undefined && key !== undefined) r = this.keyed.get(key)?.[0];
    if (r === undefined) return undefined;
    const entry = this.pending.get(r);
    if (!entry) return undefined;
    this.pending.delete(r);
    if (entry.keyed !== undefined) {
      const refs = this.keyed.get(entry.keyed) ?? [];
      const at = refs.indexOf(r);
      if (at >= 0) refs.splice(at, 1);
      if (refs.length === 0) this.keyed.delete(entry.keyed);
    }
    const i = this.unacked.indexOf(entry);
    if (i >= 0) this.unacked.splice(i, 1);
    return entry;
  }

  // --- Input ---

  data(chunk: Uint8Array): void {
    this.#awaitingPong = false;
    let start = 0;
    for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, start)) {
      this.#take(chunk.subarray(start, i));
      const line = this.#joinInput();
      start = i + 1;
      if (line) this.#line(line);
      if (this.#closed) return;
    }
    // A copy: the rest waits for the next chunk, and a runtime may reuse its read buffer.
    if (start < chunk.byteLength) this.#take(new Uint8Array(chunk.subarray(start)));
  }

  #take(part: Uint8Array): void {
    if (this.#discarding || part.byteLength === 0) return;
    this.#inputBytes += part.byteLength;
    if (this.#inputBytes > MAX_PENDING_BYTES) {
      // Past any valid line: thrown away up to the next line end, and said once.
      this.#discarding = true;
      this.#input = [];
      this.#inputBytes = 0;
      this.numeric("417", "Input line was too long");
      return;
    }
    this.#input.push(part);
  }

  #joinInput(): Uint8Array | undefined {
    if (this.#discarding) {
      this.#discarding = false;
      return undefined;
    }
    const parts = this.#input;
    this.#input = [];
    this.#inputBytes = 0;
    if (parts.length === 1) return parts[0];
    if (parts.length === 0) return undefined;
    const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.byteLength;
    }
    return all;
  }

  #line(bytes: Uint8Array): void {
    let end = bytes.byteLength;
    if (bytes[end - 1] === 0x0d) end--;
    if (end === 0) return;
    let tagBytes = 0;
    if (bytes[0] === 0x40) {
      const space = bytes.indexOf(0x20);
      tagBytes = space < 0 ? end : space + 1;
    }
    // Over the limits the specs set: refused (ERR_INPUTTOOLONG), the connection lives.
    if (tagBytes > MAX_TAGS_BYTES || end - tagBytes + 2 > MAX_LINE_BYTES) {
      this.numeric("417", "Input line was too long");
      return;
    }
    const text = decoder.decode(bytes.subarray(0, end));
    // NUL is never valid in IRC (RFC 1459); a line that has one is dropped.
    if (text.includes("\u0000")) return;
    const msg = parseLine(text);
    if (!msg) return;
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
    }
  }

  /** The stream is gone. */
  streamClosed(): void {
    this.#closed = true;
    this.toSession({ type: "DISCONNECTED" });
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
