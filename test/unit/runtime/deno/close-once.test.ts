import { describe, expect, it } from "vitest";
import { closeOnce } from "../../../../src/runtime/deno/close-once.ts";

/** A POST whose body stream records whether it was cancelled. */
function post(): { request: Request; cancelled: () => boolean } {
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    pull: () => {},
    cancel: () => {
      cancelled = true;
    },
  });
  const request = new Request("http://x/files", { method: "POST", body, duplex: "half" } as RequestInit);
  return { request, cancelled: () => cancelled };
}

const refused = () => new Response("{}", { status: 413, headers: { Connection: "close", "X-Kept": "1" } });

describe("closeOnce", () => {
  it("cancels a body the app let go, so Deno adds no close of its own, and keeps chatd's", async () => {
    const { request, cancelled } = post();
    const res = await closeOnce(request, refused());
    expect(cancelled()).toBe(true);
    expect(res.headers.get("connection")).toBe("close");
  });

  it("leaves a body a reader holds (read to its end or cancelled through it) and chatd's close alone", async () => {
    const { request, cancelled } = post();
    request.body!.getReader();
    const answer = refused();
    const res = await closeOnce(request, answer);
    expect(res).toBe(answer);
    expect(cancelled()).toBe(false);
    expect(res.headers.get("connection")).toBe("close");
  });

  it("leaves other answers and bodiless requests alone", async () => {
    const { request, cancelled } = post();
    const ok = new Response("ok");
    expect(await closeOnce(request, ok)).toBe(ok);
    expect(cancelled()).toBe(false);
    const answer = refused();
    expect(await closeOnce(new Request("http://x/"), answer)).toBe(answer);
  });
});
