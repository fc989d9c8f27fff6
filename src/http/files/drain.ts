/** The most of a refused body read before answering, so a small one does not end in a reset. */
export const DRAIN_BYTES = 64 * 1024;
/** How long a refused body is waited for at most. */
const DRAIN_MS = 1000;

/**
 * Reads and drops a request body the server is refusing (401) when it is
 * small: Node closes a `Connection: close` socket with unread bytes in it with
 * a reset, which a client still writing its (small) body sees as a failed
 * request instead of the answer. A body declared larger than DRAIN_BYTES, or
 * that does not end within DRAIN_BYTES or a second, is left unread: the answer
 * goes out at once and the connection is closed.
 */
export async function drainSmallBody(body: ReadableStream<Uint8Array> | null, declared: number): Promise<void> {
  if (!body || declared > DRAIN_BYTES) return;
  const reader = body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), DRAIN_MS);
  });
  let read = 0;
  try {
    while (read <= DRAIN_BYTES) {
      const next = await Promise.race([reader.read(), late]);
      if (next === "late" || next.done) return;
      read += next.value.byteLength;
    }
  } catch {
    // the client went away: nothing left to answer politely
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => {});
  }
}
