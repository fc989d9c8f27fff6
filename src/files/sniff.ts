import { fileTypeFromBuffer } from "file-type/core";
import { imageSize } from "image-size";

/** The image types served inline; every other type is served as a download. */
export const INLINE_TYPES: ReadonlySet<string> = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
export const OCTET_STREAM = "application/octet-stream";
/** Enough bytes for every signature file-type knows and for most images' sizes. */
export const SNIFF_BYTES = 256 * 1024;

export type Sniffed = { type: string; width?: number; height?: number };

/**
 * What the bytes are, ignoring the client's name and Content-Type. An image is
 * only taken for one when its size can be read as well, so a file that merely
 * starts with an image signature is not served inline as one. Text formats
 * (HTML, SVG, scripts) have no signature and come out as octet-stream.
 * `all` reads the whole file, for a JPEG whose size comes after a large header.
 */
export async function sniff(head: Uint8Array, total: number, all: () => Promise<Uint8Array>): Promise<Sniffed> {
  const found = head.byteLength === 0 ? undefined : await fileTypeFromBuffer(head);
  if (!found) return { type: OCTET_STREAM };
  // An animated PNG is a PNG to every browser.
  const type = found.mime === "image/apng" ? "image/png" : found.mime;
  if (!INLINE_TYPES.has(type)) return { type };
  const size = dimensions(head) ?? (total > head.byteLength ? dimensions(await all()) : undefined);
  return size ? { type, ...size } : { type: OCTET_STREAM };
}

function dimensions(bytes: Uint8Array): { width: number; height: number } | undefined {
  try {
    const { width, height, orientation } = imageSize(bytes);
    if (!(width > 0 && height > 0)) return undefined;
    // EXIF orientations 5 to 8 are turned a quarter: browsers show them the other way round.
    return orientation !== undefined && orientation >= 5 ? { width: height, height: width } : { width, height };
  } catch {
    return undefined;
  }
}
