// docs/files.md says everything there works the same on Node and on Deno (docs/runtimes.md):
// the HTTP details test/e2e/files-runtimes.test.ts does not check, on the daemon as a process
// on each runtime.
import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import type { RuntimeName } from "../../helpers/runtimes.ts";
import { put, rawRequest, upload, spawnWithAlice } from "../../helpers/files.ts";

type Json = Record<string, unknown>;
const SAFETY = { "x-content-type-options": "nosniff", "content-security-policy": "sandbox" };

describe.each<RuntimeName>(["node", "deno"])("files on %s", (runtime) => {
  const world = new World();
  afterEach(() => world.cleanup());

  const start = (config: Record<string, unknown> = {}) => spawnWithAlice(world, runtime, config);

  it("answers 401 with the realm, 415, 429 with Retry-After, and the safety headers on every /files/ answer", async () => {
    const { url, token } = await start({ limits: { fileBytesPerUserPerDay: 10 } });
    const unauthorized = await upload(url, undefined, "x", "a.txt");
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("www-authenticate")).toBe('Bearer realm="chatd-files"');
    // A small body is read and dropped before the answer (a large one is not): the close is sent once either way.
    expect(unauthorized.headers.get("connection")).toBe("close");
    await unauthorized.arrayBuffer();
    const notForm = await fetch(`${url}/files`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" }, body: "x" });
    expect(notForm.status).toBe(415);
    await notForm.arrayBuffer();
    const file = await put(url, token, "0123456789", "ten.txt");
    const spent = await upload(url, token, "1", "b.txt");
    expect(spent.status).toBe(429);
    expect(Number(spent.headers.get("retry-after"))).toBeGreaterThan(86_000);
    expect(spent.headers.get("connection")).toBe("close");
    expect(((await spent.json()) as Json).error).toBe("quota_exceeded");
    for (const path of [`/files/${file.id}`, `/files/${file.id}/ten.txt/more`, "/files/AAAAAAAAAAAAAAAAAAAAAA/x"]) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(404);
      for (const [k, v] of Object.entries(SAFETY)) expect(res.headers.get(k), `${path} ${k}`).toBe(v);
      await res.arrayBuffer();
    }
    const head = await fetch(`${url}${file.url}`, { method: "HEAD", headers: { range: "bytes=-4" } });
    expect(head.status).toBe(206);
    expect(head.headers.get("content-range")).toBe("bytes 6-9/10");
    expect(head.headers.get("content-length")).toBe("4");
  });

  it("answers 304 and 416 with the file's served type, never text/plain; a 416 with Content-Length: 0", async () => {
    const { url, token } = await start();
    const file = await put(url, token, "0123456789", "ten.txt");
    const whole = await fetch(`${url}${file.url}`);
    await whole.arrayBuffer();
    const notModified = await fetch(`${url}${file.url}`, { headers: { "if-none-match": whole.headers.get("etag")! } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get("content-type")).toBe("application/octet-stream");
    expect(notModified.headers.get("content-length")).toBeNull();
    const unsatisfiable = await fetch(`${url}${file.url}`, { headers: { range: "bytes=10-" } });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers.get("content-type")).toBe("application/octet-stream");
    expect(unsatisfiable.headers.get("content-length")).toBe("0");
    expect((await unsatisfiable.arrayBuffer()).byteLength).toBe(0);
  });

  it("refuses a declared length over the limit plus 64 KiB before reading the body", async () => {
    const { p, token } = await start({ limits: { maxFileBytes: 1000 } });
    const head = `POST /files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: ${1000 + 65536 + 1}\r\n\r\n`;
    const answer = await rawRequest(p.port, head, Buffer.alloc(0), 3000);
    expect(answer.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.text).toMatch(/"error":"too_large"/);
  });

  it("lets a client still sending a large body read the 413 or 401 it was answered (no reset)", async () => {
    const { url, token } = await start();
    for (let i = 0; i < 3; i++) {
      const big = await upload(url, token, new Uint8Array(10 * 1024 * 1024 + 1), "big.bin");
      expect(big.status).toBe(413);
      // Sent once: Deno's server would add a close of its own to chatd's ("close, close").
      expect(big.headers.get("connection")).toBe("close");
      expect(((await big.json()) as Json).error).toBe("too_large");
      const anonymous = await upload(url, "not-a-token", new Uint8Array(1024 * 1024), "a.bin");
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("connection")).toBe("close");
      expect(((await anonymous.json()) as Json).error).toBe("unauthorized");
    }
  });
});
