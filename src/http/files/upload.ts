import type { Context } from "hono";
import type { Accounts } from "../../accounts/accounts.ts";
import { ClientError } from "../../message/index.ts";
import { FileTooLargeError, type FileLimits, type FileOwner, type FileService } from "../../files/index.ts";
import { FILE_SAFETY_HEADERS } from "./errors.ts";
import { drainSmallBody } from "./drain.ts";
import { FRAMING_BYTES, streamFilePart } from "./multipart.ts";

export type UploadDeps = { files: FileService; accounts: Accounts; limits: FileLimits & { requestTimeoutMs: number; headersTimeoutMs: number } };

/**
 * `POST /files`: `Authorization: Bearer <resume token>` and a
 * multipart/form-data body whose `file` part is streamed to the store.
 * Answers `201 {id, name, size, type, url, width?, height?}`. Limit and
 * storage failures are thrown for fileErrorResponse to answer.
 */
export async function upload(c: Context, deps: UploadDeps): Promise<Response> {
  const owner = await signedIn(c, deps.accounts);
  if (owner instanceof Response) {
    await drainSmallBody(c.req.raw.body, Number(c.req.header("content-length") ?? 0));
    return owner;
  }
  const contentType = c.req.header("content-type") ?? "";
  // multipart/form-data without a boundary is still that type: a malformed body (400), not another type (415).
  if (!/^multipart\/form-data\s*(?:;|$)/i.test(contentType)) {
    return c.json({ error: "unsupported_media_type", message: "send multipart/form-data with a field named file" }, 415, FILE_SAFETY_HEADERS);
  }
  const { maxFileBytes } = deps.limits;
  const declared = Number(c.req.header("content-length"));
  // Refused before a byte of the body is read when its declared length already says so.
  if (declared > maxFileBytes + FRAMING_BYTES) throw new FileTooLargeError(maxFileBytes);

  const pending = await deps.files.begin(owner);
  try {
    const { filename } = await streamFilePart(c.req.raw.body, {
      contentType,
      maxFileBytes,
      // Node ends a request at max(requestTimeoutMs, headersTimeoutMs); every runtime ends an upload there too.
      timeoutMs: Math.max(deps.limits.requestTimeoutMs, deps.limits.headersTimeoutMs),
      ...(Number.isFinite(declared) ? { declaredBytes: declared } : {}),
      onChunk: (chunk, atMost) => pending.write(chunk, atMost),
    });
    const ref = await pending.finish(filename);
    return c.json(ref, 201, { ...FILE_SAFETY_HEADERS, Location: ref.url });
  } catch (error) {
    await pending.abort();
    throw error;
  }
}

/** The uploader, from a resume token; a 401 answer when there is none or it is not valid. */
async function signedIn(c: Context, accounts: Accounts): Promise<FileOwner | Response> {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
  try {
    if (match?.[1]) {
      const { user } = await accounts.resume(match[1]);
      return { key: user.key, name: user.name };
    }
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
  }
  return c.json({ error: "unauthorized", message: "missing or invalid token: send Authorization: Bearer <token from welcome>" }, 401, {
    ...FILE_SAFETY_HEADERS,
    "WWW-Authenticate": 'Bearer realm="chatd-files"',
    Connection: "close",
  });
}
