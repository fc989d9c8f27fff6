import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { World } from "../helpers/harness.ts";
import type { RuntimeName } from "../helpers/runtimes.ts";
import { PNG_2x3, multipart, rawRequest, upload, spawnWithAlice } from "../helpers/files.ts";

type Json = Record<string, unknown>;

/**
 * Uploads and downloads against the daemon as a process on each runtime: the
 * multipart stream, the sniffing libraries and the file responses must behave
 * the same on Node and on Deno.
 */
describe.each<RuntimeName>(["node", "deno"])("files on %s", (runtime) => {
  const world = new World();
  afterEach(() => world.cleanup());

  const start = (config: Record<string, unknown> = {}) => spawnWithAlice(world, runtime, config);

  it("takes an image upload and serves it back whole and in ranges", async () => {
    const { url, token } = await start();
    const res = await upload(url, token, PNG_2x3, "shot.png");
    expect(res.status).toBe(201);
    const file = (await res.json()) as Json;
    expect(file).toMatchObject({ name: "shot.png", size: PNG_2x3.length, type: "image/png", width: 2, height: 3 });
    const got = await fetch(`${url}${file.url}`);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("image/png");
    expect(got.headers.get("x-content-type-options")).toBe("nosniff");
    expect(got.headers.get("content-security-policy")).toBe("sandbox");
    expect(got.headers.get("content-length")).toBe(String(PNG_2x3.length));
    expect(Buffer.from(await got.arrayBuffer())).toEqual(PNG_2x3);
    const part = await fetch(`${url}${file.url}`, { headers: { Range: "bytes=1-3" } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(PNG_2x3.subarray(1, 4));
    const etag = got.headers.get("etag")!;
    expect((await fetch(`${url}${file.url}`, { headers: { "If-None-Match": etag } })).status).toBe(304);
  });

  it("serves HTML as an attachment and refuses a file over the limit with 413", async () => {
    const { url, token, dir } = await start({ limits: { maxFileBytes: 4096 } });
    const html = (await (await upload(url, token, "<html><script>alert(1)</script>", "x.png")).json()) as Json;
    const got = await fetch(`${url}${html.url}`);
    expect(got.headers.get("content-type")).toBe("application/octet-stream");
    expect(got.headers.get("content-disposition")).toMatch(/^attachment;/);
    await got.arrayBuffer();
    const big = await upload(url, token, new Uint8Array(4097), "big.bin");
    expect(big.status).toBe(413);
    await big.arrayBuffer();
    expect(await readdir(join(dir, "files", "tmp"))).toEqual([]);
  });

  it("times out a stalled upload", async () => {
    const { p, token } = await start({ limits: { requestTimeoutMs: 800, headersTimeoutMs: 800 } });
    const { type, open } = multipart("slow.bin", Buffer.alloc(0));
    const head = `POST /files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: ${type}\r\nContent-Length: 100000\r\n\r\n`;
    const answer = await rawRequest(p.port, head, Buffer.concat([open, Buffer.alloc(1000)]), 8000);
    expect(answer.text).toMatch(/^HTTP\/1\.1 408 /);
  });
});
