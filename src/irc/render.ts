import type { ChatMessage, DirectMessage, EditedFrame, Encoded, OutboundFrame, TagsNotice } from "../message/index.ts";
import { formatLine, tagPrefix } from "./line.ts";
import { toIrcTexts } from "./text.ts";
import { MAX_LINE_BYTES } from "./line.ts";
import { utf8Length } from "../message/utf8.ts";

/** Which tags a client gets (from the capabilities it enabled): a bit each, so a rendering is cached per combination. */
export const TAG_TIME = 1;
export const TAG_MSGID = 2;
export const TAG_ACCOUNT = 4;
export const TAG_TYPING = 8;
/** Not a tag: the client takes REDACT lines (draft/message-redaction). */
export const REDACTIONS = 16;

const encoder = new TextEncoder();
const NO_BYTES = new Uint8Array(0);

/**
 * chatd's fan-out frames as IRC lines. A room message is rendered once per
 * combination of tags its recipients asked for (at most a few), and the same
 * bytes go to every IRC recipient with that combination, as the same JSON
 * bytes go to every WebSocket recipient. The cache sits on the encoded frame
 * (a WeakMap): it lives as long as the fan-out that uses it.
 */
export class Renderer {
  readonly #cache = new WeakMap<Encoded, Array<Uint8Array | undefined>>();
  #lastEncoded: Encoded | undefined;
  #lastVariants: Array<Uint8Array | undefined> | undefined;
  readonly #batches = new WeakMap<readonly Encoded[], Array<Uint8Array | undefined>>();
  #lastBatch: readonly Encoded[] | undefined;
  #lastBatchVariants: Array<Uint8Array | undefined> | undefined;

  constructor(readonly host: string) {}

  /** `name!name@host`, a chatd user as an IRC source. */
  source(name: string): string {
    return `${name}!${name}@${this.host}`;
  }

  /** A presence batch's lines (see Peer.sendBatch) in one piece, made once per batch and tag bits. */
  batch(frames: readonly Encoded[], mask: number): Uint8Array {
    let variants = frames === this.#lastBatch ? this.#lastBatchVariants : this.#batches.get(frames);
    if (!variants) this.#batches.set(frames, (variants = []));
    this.#lastBatch = frames;
    this.#lastBatchVariants = variants;
    const cached = variants[mask];
    if (cached) return cached;
    const parts = frames.map((f) => this.fanout(f, f.frame!, mask));
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.byteLength;
    }
    variants[mask] = bytes;
    return bytes;
  }

  /** The bytes of a fan-out frame for a client with these tag bits; empty when the frame means nothing on IRC. */
  fanout(encoded: Encoded, frame: OutboundFrame, mask: number): Uint8Array {
    // A fan-out hands one frame to every recipient in a row: the last one is at hand without a lookup.
    let variants = encoded === this.#lastEncoded ? this.#lastVariants : this.#cache.get(encoded);
    if (!variants) this.#cache.set(encoded, (variants = []));
    this.#lastEncoded = encoded;
    this.#lastVariants = variants;
    const cached = variants[mask];
    if (cached) return cached;
    const text = this.#fanoutText(frame, mask);
    const bytes = text === "" ? NO_BYTES : encoder.encode(text);
    variants[mask] = bytes;
    return bytes;
  }

  #fanoutText(frame: OutboundFrame, mask: number): string {
    switch (frame.type) {
      case "message":
      case "dm":
        return this.record(frame, mask, []);
      case "presence":
        return this.#presence(frame);
      case "edited":
        return frame.from === undefined ? "" : this.#edit(frame, frame.from, mask);
      case "deleted":
        return mask & REDACTIONS ? formatLine(this.host, "REDACT", [changeTarget(frame), frame.id]) : "";
      case "reaction": {
        if (!(mask & TAG_MSGID)) return "";
        const tag = frame.on ? "+draft/react" : "+draft/unreact";
        return tagPrefix([[tag, frame.emoji], ["+draft/reply", frame.id]]) + formatLine(this.source(frame.user), "TAGMSG", [changeTarget(frame)]);
      }
      case "topic":
        return formatLine(this.source(frame.by), "TOPIC", [`#${frame.room}`, frame.text], true);
      case "mode":
        return formatLine(this.source(frame.by), "MODE", [`#${frame.room}`, `${frame.on ? "+" : "-"}${MODE_LETTERS[frame.mode]}`, ...(frame.user === undefined ? [] : [frame.user])]);
      case "tags":
        return this.tagmsg(frame, mask, []);
      case "typing":
        return mask & TAG_TYPING ? `@+typing=active ${formatLine(this.source(frame.user), "TAGMSG", [`#${frame.room}`])}` : "";
      default:
        return "";
    }
  }

  /**
   * A presence change: JOIN, PART (with the leave's reason), QUIT (the
   * connection closed), or NICK (a rename: the old name's leave is the NICK,
   * the new name's join says nothing more).
   */
  #presence(frame: Extract<OutboundFrame, { type: "presence" }>): string {
    const source = this.source(frame.user);
    const reason = frame.reason?.replace(/[\r\n\0]+/g, " ");
    if (frame.event === "join") return frame.renamedFrom === undefined ? formatLine(source, "JOIN", [`#${frame.room}`]) : "";
    if (frame.renamedTo !== undefined) return formatLine(source, "NICK", [frame.renamedTo]);
    if (frame.quit) return formatLine(source, "QUIT", [reason ? `Quit: ${reason}` : "Quit"], true);
    return formatLine(source, "PART", reason ? [`#${frame.room}`, reason] : [`#${frame.room}`]);
  }

  /**
   * A stored message as IRC lines (several for a multi-line message), with
   * the tags of `mask` and `extra` ones (a batch, a label), in `command`
   * (PRIVMSG, or NOTICE for a message sent as a notice).
   */
  record(frame: ChatMessage | DirectMessage, mask: number, extra: ReadonlyArray<readonly [string, string]>, command = frame.notice ? "NOTICE" : "PRIVMSG", target?: string): string {
    const to = target ?? (frame.type === "message" ? `#${frame.room}` : frame.to);
    const source = this.source(frame.from);
    const tags: Array<readonly [string, string | undefined]> = [
      ...extra,
      ["time", mask & TAG_TIME ? new Date(frame.ts).toISOString() : undefined],
      ["msgid", mask & TAG_MSGID ? frame.id : undefined],
      ["account", mask & TAG_ACCOUNT ? frame.from : undefined],
      ["+draft/reply", mask & TAG_MSGID ? frame.replyTo : undefined],
    ];
    // Client-only tags go to clients with message-tags (the same bit as msgid), never to others.
    // (A web client may have sent its own +draft/reply besides replyTo: the message's replyTo wins.)
    if (frame.tags !== undefined && mask & TAG_MSGID) for (const tag of Object.entries(frame.tags)) if (tag[0] !== "+draft/reply" || frame.replyTo === undefined) tags.push(tag);
    return lines(tagPrefix(tags), source, command, to, frame.text ?? "", frame.files);
  }

  /**
   * A web edit (IRC has no ratified edit): the new text again as a PRIVMSG
   * from the author, `* ` before it, at the time of the edit; with
   * message-tags it carries `+draft/reply` to the message it replaces and no
   * msgid of its own (CHATHISTORY gives the message under its id, edited).
   */
  #edit(frame: EditedFrame, author: string, mask: number): string {
    const tags = tagPrefix([
      ["time", mask & TAG_TIME ? new Date(frame.editedAt).toISOString() : undefined],
      ["account", mask & TAG_ACCOUNT ? author : undefined],
      ["+draft/reply", mask & TAG_MSGID ? frame.id : undefined],
    ]);
    return lines(tags, this.source(author), "PRIVMSG", changeTarget(frame), `* ${frame.text}`, undefined);
  }

  /**
   * Client tags sent on their own as a TAGMSG (with `extra` tags, to `target`:
   * the room, or the nick it was sent to); only for clients with message-tags.
   */
  tagmsg(frame: TagsNotice, mask: number, extra: ReadonlyArray<readonly [string, string]>, target?: string): string {
    if (!(mask & TAG_MSGID)) return "";
    const tags: Array<readonly [string, string | undefined]> = [
      ...extra,
      ["time", mask & TAG_TIME ? new Date(frame.ts).toISOString() : undefined],
      ["msgid", frame.id],
      ["account", mask & TAG_ACCOUNT ? frame.from : undefined],
      ...Object.entries(frame.tags),
    ];
    return tagPrefix(tags) + formatLine(this.source(frame.from), "TAGMSG", [target ?? changeTarget(frame)]);
  }
}

/** A text as IRC lines of at most 512 bytes, each with the same tags. */
function lines(prefix: string, source: string, command: string, to: string, text: string, files: ChatMessage["files"]): string {
  const room = MAX_LINE_BYTES - utf8Length(`:${source} ${command} ${to} :\r\n`);
  let out = "";
  for (const line of toIrcTexts(text, room, files)) out += prefix + formatLine(source, command, [to, line], true);
  return out;
}

/** chatd's room modes and roles as IRC channel mode letters (issue 21). */
export const MODE_LETTERS = { topicLock: "t", secret: "s", operator: "o", voice: "v" } as const;

/** The IRC target of a change to a message: its room, or (a conversation) the nick the message was sent to. */
function changeTarget(frame: { room?: string | undefined; to?: string | undefined }): string {
  return frame.room !== undefined ? `#${frame.room}` : (frame.to ?? "*");
}
