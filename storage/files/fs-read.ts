import { open, type FileHandle } from "node:fs/promises";
import { failure } from "./fs-errors.ts";
import type { ByteRange } from "./types.ts";

const CHUNK = 64 * 1024;

/**
 * The bytes `range.start..range.end` (inclusive) of a file as a web stream,
 * read a chunk at a time as the consumer pulls: a slow client holds one chunk,
 * not the file. The handle is closed at the end, on cancel and on error.
 * Undefined when the file does not exist.
 */
export async function readRange(path: string, range: ByteRange): Promise<ReadableStream<Uint8Array> | undefined> {
  const file = await failure("open file", () => open(path, "r"), () => undefined);
  if (!file) return undefined;
  let position = range.start;
  const end = range.end + 1;
  let closed = false;
  const close = async (handle: FileHandle) => {
    if (closed) return;
    closed = true;
    await handle.close().catch(() => {});
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const want = Math.min(CHUNK, end - position);
      if (want <= 0) {
        await close(file);
        controller.close();
        return;
      }
      try {
        const buffer = new Uint8Array(want);
        const { bytesRead } = await file.read(buffer, 0, want, position);
        if (bytesRead === 0) {
          // The file is shorter than its record says (removed under us): end here rather than hang.
          await close(file);
          controller.close();
          return;
        }
        position += bytesRead;
        controller.enqueue(buffer.subarray(0, bytesRead));
      } catch (error) {
        await close(file);
        controller.error(error);
      }
    },
    async cancel() {
      await close(file);
    },
  });
}
