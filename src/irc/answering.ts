import { inboundFrame, type InboundFrame } from "../message/index.ts";
import { tagPrefix, type IrcMessage } from "./line.ts";
import { Reply, type ReplySink } from "./reply.ts";
import type { ReplyOrder } from "./order.ts";
import { TAG_TIME } from "./render.ts";
import type { Pending } from "./answers.ts";
import { IrcPeer } from "./delivery.ts";

const encoder = new TextEncoder();

/**
 * How an IRC client's commands are answered: each command's Reply (labeled,
 * written in command order), numerics, and the frames sent to the session
 * whose answers complete a reply later (answers.ts).
 */
export abstract class IrcAnswering extends IrcPeer implements ReplySink {
  /** Hands a frame to the session's actor (set by the gateway). */
  toSession: (event: { type: "FRAME"; frame: InboundFrame } | { type: "DISCONNECTED" }) => void = () => {};
  /** The nick: the one asked for until sign-in, the account's name after. */
  nick = "*";

  #nextBatch = 1;

  get labels(): boolean {
    return this.caps.has("labeled-response");
  }

  get batches(): boolean {
    return this.caps.has("batch");
  }

  batchId(): string {
    return `b${this.#nextBatch++}`;
  }

  // --- Output ---

  /** A line (or lines) to this client now: replies, numerics, pings. */
  write(text: string): void {
    if (!this.closed) this.socket.write(encoder.encode(text));
  }

  /** A numeric to this client: part of the reply to the command being handled, if any (else behind the replies still open). */
  numeric(code: string, ...params: string[]): void {
    const out = this.current ?? new Reply(this, undefined);
    this.num(out, code, ...params);
    if (out !== this.current) out.release();
  }

  /** Replies in command order while one waits for the session (see order.ts); undefined otherwise, the usual case. */
  protected order: ReplyOrder | undefined;

  /** ReplySink: a reply is complete; written now, or when the replies before it are. */
  replied(reply: Reply, text: string): void {
    const order = this.order;
    const out = order ? order.done(reply, text) : text;
    if (order?.empty) this.order = undefined;
    if (out !== "") this.write(out);
  }

  /**
   * The reply to the command being handled (held once more), so everything it
   * answers goes out together and labeled; a new one outside a command.
   */
  reply(msg: IrcMessage | undefined): Reply {
    if (this.current) return this.current.hold();
    return new Reply(this, this.labels ? msg?.tags.get("label") : undefined);
  }

  /** The reply of the command being handled, while its handler runs. */
  protected current: Reply | undefined;

  /** A numeric in `out`, addressed to this client. */
  num(out: Reply, code: string, ...params: string[]): void {
    out.add(this.server, code, [this.nick, ...params]);
  }

  /** FAIL (standard replies). */
  fail(out: Reply, command: string, code: string, ...params: string[]): void {
    out.add(this.server, "FAIL", [command, code, ...params]);
  }

  /** Tags for a line this client gets now (server-time when it asked). */
  nowTags(): Array<readonly [string, string]> {
    return this.mask & TAG_TIME ? [["time", new Date().toISOString()]] : [];
  }

  prefix(tags: Array<readonly [string, string]>): string {
    return tagPrefix(tags);
  }

  // --- Requests to the session ---

  /** Sends a frame (checked by the one schema) to the session, remembering what to do with its answer. */
  request(frame: Record<string, unknown>, pending: Omit<Pending, "ref">, key?: string): void {
    const ref = this.requests.nextRef();
    const parsed = inboundFrame.safeParse({ ...frame, ref });
    if (!parsed.success) {
      // Named as the WebSocket's bad_frame names it (`minutes: ...`), with the command's target.
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
      this.fail(pending.out, pending.command, "INVALID_PARAMS", ...(pending.target ? [pending.target] : []), `${where}${issue?.message ?? "invalid"}`);
      return;
    }
    pending.out.hold();
    this.requests.add({ ...pending, ref }, key);
    if (!this.closed) this.toSession({ type: "FRAME", frame: parsed.data });
  }

  /**
   * As request, but handled now, by a task of the session's queue (JOIN 0's leaves): the frames queued
   * behind that task wait for it.
   */
  async requestNow(frame: Record<string, unknown>, pending: Omit<Pending, "ref">, key?: string): Promise<void> {
    const ref = this.requests.nextRef();
    const parsed = inboundFrame.safeParse({ ...frame, ref });
    if (!parsed.success || this.closed) return;
    pending.out.hold();
    this.requests.add({ ...pending, ref }, key);
    await this.ctx.chat.handle(this.session, parsed.data);
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

  /** A frame the session answers with nothing (typing). */
  notify(frame: Record<string, unknown>): void {
    const parsed = inboundFrame.safeParse(frame);
    if (parsed.success) this.toSession({ type: "FRAME", frame: parsed.data });
  }
}
