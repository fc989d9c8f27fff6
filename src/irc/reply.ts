import { formatLine, tagPrefix } from "./line.ts";

type Line = { tags: Array<readonly [string, string]>; text: string };

/** Where a finished reply goes (the connection). */
export type ReplySink = {
  readonly labels: boolean;
  readonly batches: boolean;
  readonly server: string;
  write(text: string): void;
  /** The reply is complete: its text goes out in command order (behind earlier replies still open). */
  replied(reply: Reply, text: string): void;
  batchId(): string;
};

/**
 * The answer to one command, gathered until the command is done, then
 * written at once: so labeled-response can label it (one line: the label on
 * it; several: a labeled batch; none: ACK). A command answered later (its
 * frame went through the session) holds the reply open until its answer comes,
 * and the replies of the commands after it wait behind it (see IrcAnswering.replied, answering.ts).
 */
export class Reply {
  readonly #lines: Line[] = [];
  #holds = 1;

  constructor(
    private readonly sink: ReplySink,
    readonly label: string | undefined,
  ) {}

  /** A line with tags (already chosen by the caller) and the rest formatted. */
  add(source: string | undefined, command: string, params: readonly string[], tags: Array<readonly [string, string]> = [], trailing = false): void {
    this.#lines.push({ tags, text: formatLine(source, command, params, trailing) });
  }

  /** Preformatted lines (each with its CR LF, and maybe its own tags). */
  raw(text: string): void {
    for (const line of text.split("\r\n")) if (line !== "") this.#lines.push({ tags: [], text: `${line}\r\n` });
  }

  /** Writes what is gathered so far, unlabeled (the connection is closing). */
  drain(): void {
    for (const l of this.#lines.splice(0)) this.sink.write(tagged(l.tags, l.text));
  }

  /** Keeps the reply open for one more answer. */
  hold(): this {
    this.#holds++;
    return this;
  }

  /** How many lines are gathered so far. */
  get size(): number {
    return this.#lines.length;
  }

  /** Still waiting for an answer (a request to the session) after its command was handled. */
  get open(): boolean {
    return this.#holds > 0;
  }

  /** One answer is in; the last one hands the reply's text to the connection. */
  release(): void {
    if (--this.#holds !== 0) return;
    this.sink.replied(this, this.#text());
  }

  #text(): string {
    const { sink, label } = this;
    const lines = this.#lines;
    let out = "";
    if (label === undefined || !sink.labels) {
      for (const l of lines) out += tagged(l.tags, l.text);
      return out;
    }
    if (lines.length === 0) return `${tagPrefix([["label", label]])}${formatLine(sink.server, "ACK", [])}`;
    if (lines.length === 1 || !sink.batches) {
      const [first, ...rest] = lines;
      out = tagged([["label", label], ...first!.tags], first!.text);
      for (const l of rest) out += tagged(l.tags, l.text);
      return out;
    }
    const id = sink.batchId();
    out = `${tagPrefix([["label", label]])}${formatLine(sink.server, "BATCH", [`+${id}`, "labeled-response"])}`;
    for (const l of lines) out += tagged(l.tags.some(([k]) => k === "batch") || l.text.startsWith("@batch=") ? l.tags : [["batch", id], ...l.tags], l.text);
    return out + formatLine(sink.server, "BATCH", [`-${id}`]);
  }
}

/** A line with more tags: merged into the tags it has already, if any. */
function tagged(tags: ReadonlyArray<readonly [string, string]>, text: string): string {
  const prefix = tagPrefix(tags);
  if (prefix === "") return text;
  return text.startsWith("@") ? `${prefix.slice(0, -1)};${text.slice(1)}` : prefix + text;
}
