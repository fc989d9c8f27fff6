import { inboundFrame, inboundTypes, MAX_REF_CHARS, type InboundFrame, type Ref } from "./inbound.ts";
import { withinChars } from "./chars.ts";
import type { OutboundFrame } from "./outbound.ts";
import { ErrorCode } from "./errors.ts";

export type Decoded =
  | { ok: true; frame: InboundFrame }
  | { ok: false; code: ErrorCode; message: string; ref?: Ref };

/**
 * Parses one inbound text frame. Never throws: every failure is a decoded error
 * that the session answers with an `error` frame.
 */
export function decode(text: string): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: ErrorCode.badFrame, message: "frame is not valid JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, code: ErrorCode.badFrame, message: "frame must be a JSON object" };
  }
  const record = value as Record<string, unknown>;
  const ref = pickRef(record);
  const type = Object.hasOwn(record, "type") ? record.type : undefined;
  if (typeof type !== "string") {
    return withRef({ ok: false, code: ErrorCode.badFrame, message: "frame needs a string `type`" }, ref);
  }
  if (!inboundTypes.has(type)) {
    return withRef({ ok: false, code: ErrorCode.unknownType, message: `unknown frame type ${JSON.stringify(type.slice(0, 32))}` }, ref);
  }
  const parsed = inboundFrame.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join(".") : type;
    return withRef({ ok: false, code: ErrorCode.badFrame, message: `${where}: ${issue?.message ?? "invalid"}` }, ref);
  }
  return { ok: true, frame: parsed.data };
}

function pickRef(record: Record<string, unknown>): Ref | undefined {
  const ref = Object.hasOwn(record, "ref") ? record.ref : undefined;
  if (typeof ref === "string" && withinChars(ref, MAX_REF_CHARS)) return ref;
  if (typeof ref === "number" && Number.isFinite(ref)) return ref;
  return undefined;
}

function withRef(d: Decoded & { ok: false }, ref: Ref | undefined): Decoded {
  return ref === undefined ? d : { ...d, ref };
}

/**
 * An outbound frame serialised once. Fan-out hands the same instance to every
 * recipient, so JSON encoding and UTF-8 conversion happen once per message, not
 * once per socket.
 */
export class Encoded {
  #text: string | undefined;
  #bytes: Uint8Array | undefined;
  /**
   * The UTF-8 bytes in pieces, in order, when the frame was encoded a piece at
   * a time (a paced history page, see src/chat/paced-encode.ts): a runtime may
   * send them as they are, without joining the whole in one go.
   */
  readonly pieces: readonly Uint8Array[] | undefined;

  /** `frame` is what `text` encodes, when at hand: a peer that speaks another protocol (IRC) reads it instead of parsing `text`. */
  constructor(
    text: string | undefined,
    readonly frame?: OutboundFrame,
    pieces?: readonly Uint8Array[],
  ) {
    this.#text = text;
    this.pieces = pieces;
  }

  /**
   * The frame's JSON text, made on first use: from the pieces, or from `frame`
   * (encode's: a frame only IRC peers get, which read `frame`, such as a join's
   * list of thousands of members, is never serialised).
   */
  get text(): string {
    return (this.#text ??= this.pieces ? decoder.decode(this.bytes) : JSON.stringify(this.frame));
  }

  /** UTF-8 bytes of `text`, computed on first use and shared afterwards. */
  get bytes(): Uint8Array {
    return (this.#bytes ??= this.pieces && this.#text === undefined ? joinPieces(this.pieces) : encoder.encode(this.text));
  }
}
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function joinPieces(pieces: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(pieces.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const piece of pieces) {
    all.set(piece, at);
    at += piece.byteLength;
  }
  return all;
}

/** The frame, serialised when a peer first asks for its text or bytes (see Encoded.text): the frame must not change after. */
export function encode(frame: OutboundFrame): Encoded {
  return new Encoded(undefined, frame);
}

type WelcomeFrame = Extract<OutboundFrame, { type: "welcome" }>;

/**
 * `encode(welcome)`, byte for byte, with its `rooms` given already encoded
 * (`JSON.stringify(rooms)`): every sign-in lists every room, and the list
 * changes far less often than people sign in, so callers keep it encoded.
 */
export function encodeWelcome(frame: Omit<WelcomeFrame, "rooms">, roomsJson: string): Encoded {
  const { user, token, motd, created, role, unread, conversations, server, limits } = frame;
  return new Encoded(
    `{"type":"welcome","user":${JSON.stringify(user)},${token === undefined ? "" : `"token":${JSON.stringify(token)},`}"motd":${JSON.stringify(motd)},` +
      `"rooms":${roomsJson},"created":${JSON.stringify(created)},"role":${JSON.stringify(role)},"unread":${JSON.stringify(unread)},` +
      `"conversations":${JSON.stringify(conversations)},"server":${JSON.stringify(server)},"limits":${JSON.stringify(limits)}}`,
  );
}

/**
 * `encode({ type: "ack", ref, id, ts })`, byte for byte, without building and
 * walking an object: one is sent for every stored message.
 */
export function encodeAck(ref: Ref | undefined, id: string, ts: number): Encoded {
  const refField = ref === undefined ? "" : `"ref":${JSON.stringify(ref)},`;
  return new Encoded(`{"type":"ack",${refField}"id":${JSON.stringify(id)},"ts":${JSON.stringify(ts)}}`);
}
