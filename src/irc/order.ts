import type { Reply } from "./reply.ts";

/**
 * The replies of a connection's commands in command order, while one of them
 * still waits for the session (an echo waiting for its ack, a JOIN for its
 * burst): the replies finished after it wait behind it, so a client reads the
 * answers in the order it sent the commands (a PING sent behind a PRIVMSG gets
 * its PONG after the echo). Made only while a reply is open: an idle
 * connection, or one whose replies are all written at once, has none.
 */
export class ReplyOrder {
  readonly #entries: Array<{ reply: Reply; text: string | undefined }> = [];

  /** A command's reply is still open after its handler: what later commands answer waits behind it. */
  open(reply: Reply): void {
    this.#entries.push({ reply, text: undefined });
  }

  /** A reply is complete: the text that can go out now (the finished replies at the head, in order). */
  done(reply: Reply, text: string): string {
    const entries = this.#entries;
    // Answers mostly come in order: the reply is usually the first.
    const entry = entries.find((e) => e.reply === reply);
    if (entry) entry.text = text;
    else entries.push({ reply, text });
    let n = 0;
    let out = "";
    while (n < entries.length && entries[n]!.text !== undefined) out += entries[n++]!.text;
    entries.splice(0, n);
    return out;
  }

  /** Nothing waits any more. */
  get empty(): boolean {
    return this.#entries.length === 0;
  }

  /** The connection closes: the finished replies go out (those still open never will). */
  finished(): string {
    let out = "";
    for (const e of this.#entries.splice(0)) out += e.text ?? "";
    return out;
  }
}
