import { describe, expect, it } from "vitest";
import { DRAIN_BYTES, drainSmallBody } from "../../../../src/http/files/drain.ts";

/** A body of `chunks`, recording how many were pulled and whether it was cancelled. */
function body(chunks: number[], { endless = false } = {}) {
  const seen = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.pulled < chunks.length) controller.enqueue(new Uint8Array(chunks[seen.pulled++]!));
      else if (!endless) controller.close();
    },
    cancel() {
      seen.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stream, seen };
}

describe("drainSmallBody", () => {
  it("reads a small body to its end", async () => {
    const { stream, seen } = body([100, 200]);
    await drainSmallBody(stream, 300);
    expect(seen.pulled).toBe(2);
  });

  it("leaves a body declared over the limit unread", async () => {
    const { stream, seen } = body([100]);
    await drainSmallBody(stream, DRAIN_BYTES + 1);
    expect(seen.pulled).toBe(0);
  });

  it("stops past the limit when the length was not declared, and cancels the rest", async () => {
    const { stream, seen } = body(Array.from({ length: 100 }, () => 16 * 1024));
    await drainSmallBody(stream, 0);
    expect(seen.pulled).toBeLessThanOrEqual(6);
    expect(seen.cancelled).toBe(true);
  });

  it("gives up on a body that stalls, and cancels it", async () => {
    const { stream, seen } = body([10], { endless: true });
    await drainSmallBody(stream, 100);
    expect(seen).toEqual({ pulled: 1, cancelled: true });
  });
});
