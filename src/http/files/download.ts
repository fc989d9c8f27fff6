import type { Context } from "hono";
import type { StoredFile } from "../../../storage/files/types.ts";
import { isFileId } from "../../../storage/files/ids.ts";
import { INLINE_TYPES, OCTET_STREAM, type FileService } from "../../files/index.ts";
import { FILE_SAFETY_HEADERS } from "./errors.ts";
import { noneMatch, parseRange } from "./range.ts";

/** A file never changes under its id: caches may keep it for a year. */
const CACHE = "private, max-age=31536000, immutable";

/**
 * `GET /files/{id}/{name}`: the id is the capability; the name is only for
 * the person saving the file. PNG, JPEG, GIF and WebP are shown inline with
 * their type; everything else is a download of `application/octet-stream`.
 * Supports `If-None-Match` (304) and single `Range`s (206, 416).
 */
export async function download(c: Context, files: FileService): Promise<Response> {
  const id = c.req.param("id") ?? "";
  const record = isFileId(id) ? await files.get(id) : undefined;
  if (!record) return c.json({ error: "not_found", message: "no such file" }, 404, FILE_SAFETY_HEADERS);
  const etag = `"${record.sha256}"`;
  const { "Content-Type": type, "Content-Disposition": disposition } = describe(record);
  // The served type on 304 and 416 too: without one, Node's adapter would add
  // text/plain (Deno adds none), and a cache updates a stored file's headers from a 304.
  const common = { ...FILE_SAFETY_HEADERS, ETag: etag, "Cache-Control": CACHE, "Accept-Ranges": "bytes", "Content-Type": type };
  if (noneMatch(c.req.header("if-none-match"), etag)) return new Response(null, { status: 304, headers: common });

  const ifRange = c.req.header("if-range");
  const range = ifRange === undefined || ifRange.trim() === etag ? parseRange(c.req.header("range"), record.size) : undefined;
  if (range === "unsatisfiable") {
    // An explicit empty length: Node would otherwise send an empty chunked body.
    return new Response(null, { status: 416, headers: { ...common, "Content-Range": `bytes */${record.size}`, "Content-Length": "0" } });
  }
  const headers: Record<string, string> = { ...common, "Content-Disposition": disposition };
  const length = range ? range.end - range.start + 1 : record.size;
  headers["Content-Length"] = String(length);
  if (range) headers["Content-Range"] = `bytes ${range.start}-${range.end}/${record.size}`;
  const status = range ? 206 : 200;
  if (c.req.method === "HEAD" || length === 0) return new Response(null, { status, headers });
  const body = await files.read(id, range);
  if (!body) return c.json({ error: "not_found", message: "no such file" }, 404, FILE_SAFETY_HEADERS);
  return new Response(body, { status, headers });
}

/** Content-Type and Content-Disposition: inline only for the four image types. */
function describe(record: StoredFile): { "Content-Type": string; "Content-Disposition": string } {
  const inline = INLINE_TYPES.has(record.type);
  return {
    "Content-Type": inline ? record.type : OCTET_STREAM,
    "Content-Disposition": `${inline ? "inline" : "attachment"}; ${dispositionName(record.name)}`,
  };
}

/** `filename="ascii"; filename*=UTF-8''utf-8` (RFC 6266): every browser gets a usable name. */
export function dispositionName(name: string): string {
  // Per code point (the `u` flag): an emoji beyond U+FFFF is one `_`, not two.
  const ascii = name.replace(/[^\x20-\x7e]/gu, "_").replace(/["\\]/g, "_");
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
