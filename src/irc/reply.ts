import { formatLine, tagPrefix } from "./line.ts";

type Line = { tags: Array<readonly [string, string]>; text: string };

/** Where a finished reply goes (the connection). */
export type ReplySink = {
  readonly labels: boolean;
  readonly batches: boolean;
  readonly server: string;
  write(text: string): void;
  batchId(): string;
};

/**
 * The answer to one command, gathered until the command is done, then
 * written at once: so labeled-response can label it (one line: the label on
 * it; several: a labeled batch; none: ACK). A command answered later (its
 * frame went through the session) holds the reply open until its answer comes.
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
    const lines = this.#lines.splice(0);
    if (lines.length > 0) this.sink.write(joined(lines));
  }

  /** Keeps the reply open for one more answer. */
  hold(): this {
    this.#holds++;
    return this;
  }

  /** One answer is in; the last one writes the reply. */
  release(): void {
    if (--this.#holds !== 0) return;
    const { sink, label } = this;
    const lines = this.#lines;
    // One write per reply, however many lines: a JOIN's NAMES in a big channel is dozens.
    if (label === undefined || !sink.labels) {
      if (lines.length > 0) sink.write(joined(lines));
      return;
    }
    if (lines.length === 0) return sink.write(`${tagPrefix([["label", label]])}${formatLine(sink.server, "ACK", [])}`);
    if (lines.length === 1 || !sink.batches) {
      const first = lines[0]!;
      return sink.write(tagged([["label", label], ...first.tags], first.text) + joined(lines, 1));
    }
    const id = sink.batchId();
    let out = `${tagPrefix([["label", label]])}${formatLine(sink.server, "BATCH", [`+${id}`, "labeled-response"])}`;
    for (const l of lines) out += tagged(l.tags.some(([k]) => k === "batch") || l.text.startsWith("@batch=") ? l.tags : [["batch", id], ...l.tags], l.text);
    sink.write(out + formatLine(sink.server, "BATCH", [`-${id}`]));
  }
}

/** The lines from `from` on, each with its tags, as one text. */
function joined(lines: readonly Line[], from = 0): string {
  let out = "";
  for (let i = from; i < lines.length; i++) out += tagged(lines[i]!.tags, lines[i]!.text);
  return out;
}

/** A line with more tags: merged into the tags it has already, if any. */
function tagged(tags: ReadonlyArray<readonly [string, string]>, text: string): string {
  const prefix = tagPrefix(tags);
  if (prefix === "") return text;
  return text.startsWith("@") ? `${prefix.slice(0, -1)};${text.slice(1)}` : prefix + text;
}
