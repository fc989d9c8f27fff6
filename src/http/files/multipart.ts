import * as Multipart from "multipasta";
import { FileTooLargeError } from "../../files/errors.ts";
import { boundaryOf, HeaderControlFilter } from "./header-filter.ts";

/** Multipart framing (boundaries, part headers, small fields) allowed beyond the file itself. */
export const FRAMING_BYTES = 64 * 1024;

/** The body is not a multipart/form-data message with one `file` part. */
export class MultipartError extends Error {
  override name = "MultipartError";
}

/** The client went away (or the runtime dropped the request) before the body ended. */
export class UploadAbortedError extends MultipartError {
  override name = "UploadAbortedError";
}

/** The body did not arrive in time. */
export class UploadTimeoutError extends Error {
  override name = "UploadTimeoutError";
}

export type FilePartOptions = {
  /** The request's Content-Type (with its boundary). */
  contentType: string;
  /** The most content the `file` part may have; the body may carry FRAMING_BYTES more. */
  maxFileBytes: number;
  /** Milliseconds the whole body may take. */
  timeoutMs: number;
  /** The body's declared length (Content-Length), when it has one. */
  declaredBytes?: number;
  /**
   * Each chunk of the `file` part's content, in order; awaited before the
   * next is read. `atMost`: the most bytes the whole file can have, when the
   * body's length was declared.
   */
  onChunk: (chunk: Uint8Array, atMost: number | undefined) => Promise<void>;
};

/**
 * Streams the `file` part of a multipart/form-data body to `onChunk` as it
 * arrives, holding one network chunk at a time: the body is read only as fast
 * as the chunks are stored, never past `maxFileBytes` (+ framing), and not for
 * longer than `timeoutMs`. Web streams only, so it runs the same on every
 * runtime. Resolves with the part's file name as the client gave it.
 */
export async function streamFilePart(body: ReadableStream<Uint8Array> | null, options: FilePartOptions): Promise<{ filename: string | undefined }> {
  if (!body) throw new MultipartError("the request has no body");
  const chunks: Uint8Array[] = [];
  let filename: string | undefined;
  let parts = 0;
  let failed: string | undefined;
  let done = false;
  /** Bytes of the file's content the parser has handed over so far. */
  let content = 0;
  const parser = Multipart.make({
    headers: { "content-type": options.contentType },
    isFile: (info) => partName(info).name === "file",
    maxParts: 16,
    maxFieldSize: FRAMING_BYTES,
    onField: () => {},
    onFile: (info) => {
      parts += 1;
      if (parts > 1) failed ??= "only one part named file may be sent";
      filename = partName(info).filename;
      return (chunk) => {
        if (!chunk || parts !== 1) return;
        chunks.push(chunk);
        content += chunk.byteLength;
      };
    },
    onError: (error) => {
      failed ??= describe(error);
    },
    onDone: () => {
      done = true;
    },
  });

  const reader = body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UploadTimeoutError(`the upload took longer than ${options.timeoutMs} ms`)), options.timeoutMs);
  });
  let received = 0;
  // multipasta (0.2.8) misreads a closing delimiter split between its two
  // dashes ("--b-" | "-"): a chunk's last dashes (at most two) wait for the next.
  let carry: Uint8Array | undefined;
  const boundary = boundaryOf(options.contentType);
  const headers = boundary === undefined ? undefined : new HeaderControlFilter(boundary);
  try {
    for (;;) {
      const { done: ended, value } = await Promise.race([read(reader), timeout]);
      if (ended) break;
      received += value.byteLength;
      if (received > options.maxFileBytes + FRAMING_BYTES) throw new FileTooLargeError(options.maxFileBytes);
      const clean = headers ? headers.write(value) : value;
      const data = carry ? concat(carry, clean) : clean;
      const cut = data.byteLength - trailingDashes(data);
      carry = cut < data.byteLength ? data.slice(cut) : undefined;
      if (cut > 0) feed(() => parser.write(data.subarray(0, cut)));
      await flush();
    }
    if (carry) feed(() => parser.write(carry!));
    feed(() => parser.end());
    await flush();
  } finally {
    clearTimeout(timer);
    // A read still pending (a stalled client) is left to the runtime, which drops the connection.
    try {
      reader.releaseLock();
    } catch {
      // an older runtime refuses while a read is pending; the stream is dropped with the request anyway
    }
  }
  if (!done) throw new MultipartError(failed ?? "the multipart body ended early");
  if (parts === 0) throw new MultipartError("no part named file");
  return { filename };

  /**
   * multipasta decodes a part's `filename*` itself, as UTF-8, and throws a
   * URIError from `write` when its escapes are not: a malformed part header.
   */
  function feed(step: () => void): void {
    try {
      step();
    } catch (error) {
      if (error instanceof URIError) throw new MultipartError("malformed part header: filename* is not percent-encoded UTF-8");
      throw error;
    }
  }

  async function flush(): Promise<void> {
    if (failed) throw new MultipartError(failed);
    // What is still to come can all be content. The parser holds back less than
    // a closing delimiter (CRLF--boundary--), which is still to come too: the
    // bound is never short of the file's whole size.
    const declared = options.declaredBytes;
    const atMost = declared !== undefined && Number.isFinite(declared) ? content + Math.max(0, declared - received) : undefined;
    while (chunks.length > 0) await options.onChunk(chunks.shift()!, atMost);
  }
}

async function read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    return await reader.read();
  } catch (error) {
    throw new UploadAbortedError(`the upload was interrupted: ${(error as Error)?.message ?? error}`);
  }
}

const DASH = 0x2d;

function trailingDashes(data: Uint8Array): number {
  let n = 0;
  while (n < 2 && n < data.byteLength && data[data.byteLength - 1 - n] === DASH) n++;
  return n;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

/**
 * `name` and `filename` from a part's Content-Disposition. Parsed here, not by
 * multipasta, which drops the whole header when a name is not ASCII (as
 * browsers send UTF-8 names). `filename*=UTF-8''…` (RFC 5987) wins.
 */
export function partName(info: Multipart.PartInfo): { name: string; filename: string | undefined } {
  const raw = info.headers["content-disposition"];
  const header = Array.isArray(raw) ? (raw[0] ?? "") : (raw ?? "");
  const params = new Map<string, string>();
  const param = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const m of header.matchAll(param)) {
    const key = m[1]!.toLowerCase();
    if (!params.has(key)) params.set(key, m[2] !== undefined ? unquote(m[2]) : (m[3] ?? "").trim());
  }
  const extended = params.get("filename*");
  const decoded = extended ? decodeExtended(extended) : undefined;
  return { name: params.get("name") ?? "", filename: decoded ?? params.get("filename") };
}

/**
 * A quoted value as browsers (and curl) write it: `"`, CR and LF
 * percent-encoded (WHATWG multipart/form-data), a backslash as itself, so a
 * Windows path keeps its separators for safeName to cut at.
 */
function unquote(value: string): string {
  return value.replace(/%22/g, '"').replace(/%0D/gi, "\r").replace(/%0A/gi, "\n");
}

function decodeExtended(value: string): string | undefined {
  const m = /^utf-8'[^']*'(.*)$/i.exec(value);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
}

function describe(error: Multipart.MultipartError): string {
  switch (error._tag) {
    case "ReachedLimit":
      return `too many or too large form fields (${error.limit})`;
    case "InvalidBoundary":
      return "expected multipart/form-data with a boundary";
    case "EndNotReached":
      return "the multipart body ended early";
    default:
      return `malformed multipart body (${error._tag})`;
  }
}
