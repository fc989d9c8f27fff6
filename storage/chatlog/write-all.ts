import { write, writeSync } from "node:fs";

/* A whole buffer to the end of the chat log's file: a write may be short, so each loops until all of it is written. */

/** Writes all of `bytes` at the end of the file (looping on a short write), now; the error, if any. */
export function writeAllSync(fd: number, bytes: Buffer): Error | null {
  try {
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    return null;
  } catch (error) {
    return error as Error;
  }
}

/** Writes all of `bytes` at the end of the file (looping on a short write), in the thread pool. */
export function writeAll(fd: number, bytes: Buffer, done: (error: Error | null) => void): void {
  let offset = 0;
  const written = (error: Error | null, n: number) => {
    if (error) return done(error);
    offset += n;
    if (offset < bytes.length) write(fd, bytes, offset, bytes.length - offset, null, written);
    else done(null);
  };
  write(fd, bytes, 0, bytes.length, null, written);
}
