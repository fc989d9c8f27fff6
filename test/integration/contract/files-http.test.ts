// Black-box checks of docs/files.md's HTTP contract that test/integration/files/* and
// contract-files-search.test.ts do not make: real HTTP against a real daemon.
import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { put, rawRequest, startWithAlice, upload } from "../../helpers/files.ts";

type Json = Record<string, unknown>;
const SAFETY = { "x-content-type-options": "nosniff", "content-security-policy": "sandbox" };

/** A multipart body built by hand: `parts` are whole part headers (without CRLFCRLF) and contents. */
function form(parts: Array<[string, string | Buffer]>, boundary = "contractboundary") {
  const chunks: Buffer[] = [];
  for (const [head, content] of parts) chunks.push(Buffer.from(`--${boundary}\r\n${head}\r\n\r\n`, "utf8"), Buffer.from(content), Buffer.from("\r\n"));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

function post(url: string, token: string, f: { body: Buffer; type: string }) {
  return fetch(`${url}/files`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": f.type }, body: new Uint8Array(f.body) });
}

/** A lossless WebP (VP8L) header of w x h: enough for a browser and for its size to be read. */
function webp(w: number, h: number): Buffer {
  const bits = (w - 1) | ((h - 1) << 14);
  const vp8l = Buffer.concat([Buffer.from([0x2f]), Buffer.from([bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, (bits >>> 24) & 0xff]), Buffer.alloc(16)]);
  const chunk = Buffer.concat([Buffer.from("VP8L"), Buffer.from([vp8l.length, 0, 0, 0]), vp8l]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(4 + chunk.length);
  return Buffer.concat([Buffer.from("RIFF"), size, Buffer.from("WEBP"), chunk]);
}

describe("POST /files: answers and names", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("401 carries WWW-Authenticate: Bearer realm=\"chatd-files\" and an error body with a message", async () => {
    const { d } = await startWithAlice(world);
    const res = await upload(d.url, undefined, "x", "a.txt");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="chatd-files"');
    expect(res.headers.get("connection")).toBe("close");
    expect(await res.json()).toEqual({ error: "unauthorized", message: expect.any(String) });
  });

  it("400 with Connection: close for a malformed body; more than 16 parts is refused too", async () => {
    const { d, token } = await startWithAlice(world);
    const broken = await post(d.url, token, { body: Buffer.from("--contractboundary\r\nno end"), type: "multipart/form-data; boundary=contractboundary" });
    expect(broken.status).toBe(400);
    expect(broken.headers.get("connection")).toBe("close");
    expect(await broken.json()).toEqual({ error: "bad_request", message: expect.any(String) });
    const sixteen: Array<[string, string]> = Array.from({ length: 15 }, (_, i) => [`Content-Disposition: form-data; name="f${i}"`, "v"]);
    sixteen.push([`Content-Disposition: form-data; name="file"; filename="ok.txt"`, "ok"]);
    expect((await post(d.url, token, form(sixteen))).status).toBe(201);
    const seventeen: Array<[string, string]> = [[`Content-Disposition: form-data; name="extra"`, "v"], ...sixteen];
    const res = await post(d.url, token, form(seventeen));
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).error).toBe("bad_request");
  });

  it("415 unsupported_media_type for a body that is not multipart/form-data, with an error body", async () => {
    const { d, token } = await startWithAlice(world);
    const res = await fetch(`${d.url}/files`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" }, body: "abc" });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({ error: "unsupported_media_type", message: expect.any(String) });
  });

  it("NFC-normalises names, drops line/paragraph separators and bidi controls, cuts at 120 keeping a short extension", async () => {
    const { d, token } = await startWithAlice(world);
    const cases: Array<[string, string]> = [
      ["cafe\u0301.txt", "caf\u00e9.txt"],
      ["a\u2028b\u2029c\u2066d\u200fe.txt", "abcde.txt"],
      [`${"x".repeat(130)}.verylongextension1`, "x".repeat(120)],
      [`${"y".repeat(130)}.abcdefghijklmno`, `${"y".repeat(104)}.abcdefghijklmno`],
      [`${"é".repeat(125)}`, "é".repeat(120)],
    ];
    for (const [given, expected] of cases) {
      const file = await put(d.url, token, "x", given);
      expect(file.name, JSON.stringify(given)).toBe(expected);
      expect([...(file.name as string)].length).toBeLessThanOrEqual(120);
    }
  });

  it("reads filename*=UTF-8'' before filename, and a raw UTF-8 filename as is", async () => {
    const { d, token } = await startWithAlice(world);
    const star = await post(d.url, token, form([[`Content-Disposition: form-data; name="file"; filename="plain.txt"; filename*=UTF-8''%E2%82%AC%20rate.txt`, "1"]]));
    expect(((await star.json()) as Json).name).toBe("€ rate.txt");
    const utf8 = await post(d.url, token, form([[`Content-Disposition: form-data; name="file"; filename="日本語.txt"`, "1"]]));
    expect(((await utf8.json()) as Json).name).toBe("日本語.txt");
  });

  it("sniffs WebP and reports its size; serves it inline", async () => {
    const { d, token } = await startWithAlice(world);
    const file = await put(d.url, token, webp(33, 17), "pic.bin");
    expect(file).toMatchObject({ type: "image/webp", width: 33, height: 17 });
    const got = await fetch(`${d.url}${file.url}`);
    expect(got.headers.get("content-type")).toBe("image/webp");
    expect(got.headers.get("content-disposition")).toBe(`inline; filename="pic.bin"; filename*=UTF-8''pic.bin`);
    await got.arrayBuffer();
  });

  it("a 413 carries Connection: close and an error body; a declared length within the framing allowance is read", async () => {
    const { d, token } = await startWithAlice(world, { limits: { maxFileBytes: 1000 } });
    const over = await upload(d.url, token, new Uint8Array(1001), "a.bin");
    expect(over.status).toBe(413);
    expect(over.headers.get("connection")).toBe("close");
    expect(await over.json()).toEqual({ error: "too_large", message: expect.any(String) });
    // Content-Length of the limit plus 64 KiB is not refused up front: a 1000-byte file in a padded form fits.
    const padded = form([
      [`Content-Disposition: form-data; name="pad"`, "p".repeat(65536 - 400)],
      [`Content-Disposition: form-data; name="file"; filename="fits.bin"`, Buffer.alloc(1000)],
    ]);
    expect(padded.body.length).toBeLessThanOrEqual(1000 + 65536);
    const fits = await post(d.url, token, padded);
    expect(fits.status).toBe(201);
    expect(((await fits.json()) as Json).size).toBe(1000);
    const head = `POST /files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: ${1000 + 65536 + 1}\r\n\r\n`;
    const answer = await rawRequest(d.port, head, Buffer.alloc(0), 3000);
    expect(answer.text).toMatch(/^HTTP\/1\.1 413 /);
  });

  it("limits.fileBytesPerUserPerDay 0 takes only empty files; a file over the whole allowance waits a day", async () => {
    const { d, token } = await startWithAlice(world, { limits: { fileBytesPerUserPerDay: 0 } });
    expect((await upload(d.url, token, new Uint8Array(0), "empty")).status).toBe(201);
    const one = await upload(d.url, token, new Uint8Array(1), "one");
    expect(one.status).toBe(429);
    expect(one.headers.get("retry-after")).toBe("86400");
    expect(await one.json()).toEqual({ error: "quota_exceeded", message: expect.any(String) });
    const { d: d2, token: t2 } = await startWithAlice(world, { limits: { fileBytesPerUserPerDay: 100 } });
    const big = await upload(d2.url, t2, new Uint8Array(101), "big");
    expect(big.status).toBe(429);
    expect(big.headers.get("retry-after")).toBe("86400");
    await big.arrayBuffer();
  });
});

describe("GET /files/{id}/{name}: headers and ranges", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("HEAD answers GET's headers without a body, for the whole file and a range", async () => {
    const { d, token } = await startWithAlice(world);
    const file = await put(d.url, token, "0123456789", "d.txt");
    const url = `${d.url}${file.url}`;
    const get = await fetch(url);
    await get.arrayBuffer();
    const head = await fetch(url, { method: "HEAD" });
    expect(head.status).toBe(200);
    for (const h of ["content-type", "content-disposition", "etag", "cache-control", "accept-ranges", "content-length", ...Object.keys(SAFETY)]) {
      expect(head.headers.get(h), h).toBe(get.headers.get(h));
    }
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    const ranged = await fetch(url, { method: "HEAD", headers: { range: "bytes=2-4" } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe("bytes 2-4/10");
    expect(ranged.headers.get("content-length")).toBe("3");
  });

  it("clamps a range's end to the file, honours an If-Range that is the ETag, and 304 has no body", async () => {
    const { d, token } = await startWithAlice(world);
    const file = await put(d.url, token, "0123456789", "d.txt");
    const url = `${d.url}${file.url}`;
    const past = await fetch(url, { headers: { range: "bytes=7-100" } });
    expect(past.status).toBe(206);
    expect(past.headers.get("content-range")).toBe("bytes 7-9/10");
    expect(await past.text()).toBe("789");
    const longSuffix = await fetch(url, { headers: { range: "bytes=-50" } });
    expect(longSuffix.status).toBe(206);
    expect(await longSuffix.text()).toBe("0123456789");
    const etag = (await fetch(url, { method: "HEAD" })).headers.get("etag")!;
    const same = await fetch(url, { headers: { range: "bytes=0-1", "if-range": etag } });
    expect(same.status).toBe(206);
    expect(await same.text()).toBe("01");
    const listed = await fetch(url, { headers: { "if-none-match": `"nope", ${etag}` } });
    expect(listed.status).toBe(304);
    expect((await listed.arrayBuffer()).byteLength).toBe(0);
    const range416 = await fetch(url, { headers: { range: "bytes=10-20" } });
    expect(range416.status).toBe(416);
    expect(range416.headers.get("content-range")).toBe("bytes */10");
    for (const [k, v] of Object.entries(SAFETY)) expect(range416.headers.get(k)).toBe(v);
    await range416.arrayBuffer();
  });

  it("404 {error: not_found} with the safety headers for every path under /files/ that names no file", async () => {
    const { d, token } = await startWithAlice(world);
    const file = await put(d.url, token, "x", "x.txt");
    const paths = [`/files/${file.id}`, `/files/${file.id}/x.txt/more`, "/files/", "/files/AAAAAAAAAAAAAAAAAAAAAA"];
    for (const path of paths) {
      const res = await fetch(`${d.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as Json).error, path).toBe("not_found");
      for (const [k, v] of Object.entries(SAFETY)) expect(res.headers.get(k), `${path} ${k}`).toBe(v);
    }
    const removed = await put(d.url, token, "y", "y.txt");
    await d.http(`/admin/files/${removed.id}`, { method: "DELETE", admin: true });
    const gone = await fetch(`${d.url}${removed.url}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: "not_found" });
  });

  it("every answer of POST /files carries the safety headers too", async () => {
    const { d, token } = await startWithAlice(world, { limits: { maxFileBytes: 10 } });
    const answers = [
      await upload(d.url, token, "ok", "ok.txt"),
      await upload(d.url, undefined, "x", "x.txt"),
      await upload(d.url, token, new Uint8Array(11), "big"),
      await fetch(`${d.url}/files`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" }, body: "x" }),
    ];
    for (const res of answers) {
      for (const [k, v] of Object.entries(SAFETY)) expect(res.headers.get(k), `${res.status} ${k}`).toBe(v);
      await res.arrayBuffer();
    }
  });
});
