import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { multipart, startWithAlice, upload } from "../../helpers/files.ts";

const DAY_S = 86_400;

/**
 * Uploads `size` bytes with a Content-Length, the content in `chunk`-byte
 * writes a little apart, so the server reads it in many chunks (as a large
 * file arrives); resolves with the answer, which may come before the body ends.
 */
function uploadInChunks(port: number, token: string, size: number, chunk = 1000): Promise<{ status: number; retryAfter: string | undefined }> {
  const { type, open, close } = multipart("big.bin", Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: "/files",
      agent: false,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": type, "Content-Length": open.length + size + close.length },
    });
    req.on("response", (res) => {
      answered = true;
      res.resume();
      const retry = res.headers["retry-after"];
      resolve({ status: res.statusCode ?? 0, retryAfter: Array.isArray(retry) ? retry[0] : retry });
    });
    // The server ends the connection once it answered: a write after that may fail.
    req.on("error", (error) => (answered ? undefined : reject(error)));
    void (async () => {
      req.write(open);
      for (let sent = 0; sent < size && !answered; sent += chunk) {
        await sleep(20);
        req.write(Buffer.alloc(Math.min(chunk, size - sent), 0x61));
      }
      if (!answered) req.end(close);
    })();
  });
}

describe("the daily allowance's Retry-After", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("waits until the whole file would fit, not just the part that arrived before it passed the allowance", async () => {
    const { d, token } = await startWithAlice(world, { limits: { fileBytesPerUserPerDay: 10_000 } });
    expect((await upload(d.url, token, new Uint8Array(3000), "a.bin")).status).toBe(201);
    const aStored = Date.now();
    // Seconds apart, so the two uploads leave the 24-hour window at different seconds.
    await sleep(2500);
    const bSent = Date.now();
    expect((await upload(d.url, token, new Uint8Array(3000), "b.bin")).status).toBe(201);
    const bStored = Date.now();

    // 6000 of 10000 used: the allowance is passed once 4000 bytes of this 8000-byte file arrive.
    // 4000 would fit once a.bin is a day old; all 8000 only once b.bin is too.
    const cSent = Date.now();
    const refused = await uploadInChunks(d.port, token, 8000);
    const cAnswered = Date.now();
    expect(refused.status).toBe(429);
    const retry = Number(refused.retryAfter);
    expect(retry).toBeGreaterThanOrEqual(Math.floor((bSent + DAY_S * 1000 - cAnswered) / 1000));
    expect(retry).toBeLessThanOrEqual(Math.ceil((bStored + DAY_S * 1000 - cSent) / 1000));
    // What the part that arrived would have been told: 2.5 s sooner at least.
    expect(retry).toBeGreaterThan(Math.ceil((aStored + DAY_S * 1000 - cSent) / 1000));

    // A declared file larger than the whole allowance never fits: a day.
    const never = await uploadInChunks(d.port, token, 11_000);
    expect(never.status).toBe(429);
    expect(Number(never.retryAfter)).toBe(DAY_S);
  });
});
