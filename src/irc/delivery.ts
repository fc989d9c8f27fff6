import type { Encoded, OutboundFrame } from "../message/index.ts";
import type { Peer } from "../chat/peer.ts";
import type { Session } from "../chat/session.ts";
import type { StreamSocket } from "../runtime/types.ts";
import { formatLine } from "./line.ts";
import { REDACTIONS, TAG_ACCOUNT, TAG_MSGID, TAG_TIME, TAG_TYPING } from "./render.ts";
import type { IrcContext } from "./context.ts";
import { Requests } from "./requests.ts";
import { Departures } from "./departures.ts";

const encoder = new TextEncoder();
/** The changes every member hears of, the one who made them too (see ownChange). */
export type OwnChange = Extract<OutboundFrame, { type: "topic" | "mode" | "deleted" | "reaction" }>;
/** Fan-out held back while a client is between sign-in and the end of its registration. */
const MAX_EARLY = 200;

/**
 * The delivery side of an IRC connection: the chat Peer the hub and the
 * session write frames to (as to a WebSocket). Fan-out is rendered once per
 * tag combination and written as is; the frames that answer this client's
 * own commands are handed to `answer` (see connection.ts and answers.ts).
 */
export abstract class IrcPeer implements Peer {
  readonly remoteAddress: string;
  session!: Session;

  /** Enabled capabilities, and the tag bits they give (see render.ts). */
  readonly caps = new Set<string>();
  mask = 0;

  /** Requests sent to the session and not answered yet. */
  get requests(): Requests {
    // Made on first use: an idle connection (most of a big channel) never sends a request after joining.
    return (this.#requests ??= new Requests());
  }

  #requests: Requests | undefined;
  #early: Uint8Array[] | undefined = [];
  /** The stream is closing or gone: nothing more is written. */
  protected closed = false;

  constructor(
    protected readonly socket: StreamSocket,
    readonly ctx: IrcContext,
    remoteAddress: string,
  ) {
    this.remoteAddress = remoteAddress;
  }

  get server(): string {
    return this.ctx.server;
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

  abstract close(code: number, reason: string): void;
  /** A frame that answers something (not fan-out): turned into the reply of its command. */
  protected abstract answer(frame: OutboundFrame): void;
  /** A topic, mode, deletion or reaction's line answers this client's own TOPIC, MODE, REDACT or TAGMSG: true if it did. */
  protected abstract ownChange(frame: OwnChange, bytes: Uint8Array): boolean;

  // --- Peer: what the hub and the session write ---

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** An IRC client signs in with its password every time: no resume token (Peer.resumes). */
  get resumes(): boolean {
    return false;
  }

  send(encoded: Encoded): void {
    if (this.closed) return;
    const frame = encoded.frame ?? (JSON.parse(encoded.text) as OutboundFrame);
    // Read once: frames come in many shapes, so each read of a field is a lookup (once per member of a room).
    const type = frame.type;
    // The common case first: another member's message.
    if (type === "message" || type === "dm") {
      const me = this.session.user;
      if (me && frame.from === me.name && this.requests.isOwnCopy(frame, me.name)) return;
      this.#fanout(this.ctx.renderer.fanout(encoded, frame, this.mask));
      return;
    }
    if (type === "presence" || type === "typing" || type === "edited" || type === "deleted" || type === "reaction" || type === "tags") {
      if (this.#isOwn(frame) || !this.#news(frame)) return;
      const bytes = this.ctx.renderer.fanout(encoded, frame, this.mask);
      // A deletion or reaction this client asked for answers its REDACT or TAGMSG (labeled, in command order).
      if ((type === "deleted" || type === "reaction") && this.ownChange(frame, bytes)) return;
      this.#fanout(bytes);
      return;
    }
    if (type === "topic" || type === "mode") {
      const bytes = this.ctx.renderer.fanout(encoded, frame, this.mask);
      if (!this.ownChange(frame, bytes)) this.#fanout(bytes);
      return;
    }
    this.answer(frame);
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
    if (this.closed) return;
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

  /** Its own presence or typing (a message's own copy is send's: echo-message answers at the ack). */
  #isOwn(frame: OutboundFrame): boolean {
    const me = this.session.user;
    return me !== undefined && (frame.type === "presence" || frame.type === "typing") && frame.user === me.name;
  }

  /** Peer: another member of a shared room (on any node) went away or came back, told with away-notify. */
  awayChanged(user: string, text: string | undefined): void {
    if (this.caps.has("away-notify")) this.#fanout(encoder.encode(formatLine(this.ctx.renderer.source(user), "AWAY", text === undefined ? [] : [text], true)));
  }

  /** What other users do (messages, joins): the same bytes for every IRC recipient with the same tags. */
  #fanout(bytes: Uint8Array): void {
    if (this.closed || bytes.byteLength === 0) return;
    // Between sign-in and the welcome burst (SASL before CAP END), what the chat sends waits.
    if (this.#early) {
      if (this.#early.length < MAX_EARLY) this.#early.push(bytes);
      return;
    }
    this.socket.write(bytes);
  }

  /** Registration is complete: the fan-out that waited for it goes out now, and the rest as it comes. */
  protected releaseEarly(): void {
    const early = this.#early ?? [];
    this.#early = undefined;
    if (!this.closed) for (const bytes of early) this.socket.write(bytes);
  }

  /** The connection is closing: what waited never goes out. */
  protected dropEarly(): void {
    this.#early = undefined;
  }
}
