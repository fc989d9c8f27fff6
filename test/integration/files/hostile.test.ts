import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { multipart, rawRequest, startWithAlice, upload } from "../../helpers/files.ts";
import type { TestDaemon } from "../../helpers/daemon.ts";

type Json = Record<string, unknown>;
const MiB = 1024 * 1024;

describe("uploads a client should not get away with", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  const stored = (d: TestDaemon, folder: string) => readdir(join(d.dataDir, "files", folder));

  it("refuses 10 MiB + 1 byte with 413 under the default limit, and keeps exactly 10 MiB", async () => {
    const { d, token } = await startWithAlice(world);
    const over = await upload(d.url, token, new Uint8Array(10 * MiB + 1), "big.bin");
    expect(over.status).toBe(413);
    expect(((await over.json()) as Json).error).toBe("too_large");
    const exact = await upload(d.url, token, new Uint8Array(10 * MiB), "big.bin");
    expect(exact.status).toBe(201);
    expect(((await exact.json()) as Json).size).toBe(10 * MiB);
    expect(await stored(d, "tmp")).toEqual([]);
  });

  it("refuses a body whose declared length is over the limit before reading it", async () => {
    const { d, token } = await startWithAlice(world, { limits: { maxFileBytes: 1024 } });
    const { type } = multipart("a.bin", Buffer.alloc(0));
    const head = `POST /files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: ${type}\r\nContent-Length: ${1024 * 1024 * 1024}\r\n\r\n`;
    const answer = await rawRequest(d.port, head, Buffer.alloc(0), 3000);
    expect(answer.text).toMatch(/^HTTP\/1\.1 413 /);
  });

  it("stops reading at the limit when the body does not declare its length", async () => {
    const { d, token } = await startWithAlice(world, { limits: { maxFileBytes: 1000 } });
    const { type, open } = multipart("a.bin", Buffer.alloc(0));
    const head = `POST /files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: ${type}\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const chunk = Buffer.concat([open, Buffer.alloc(1001)]);
    const answer = await rawRequest(d.port, head, Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]), 3000);
    expect(answer.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.text).toMatch(/connection: close/i);
    expect(await stored(d, "tmp")).toEqual([]);
  });

  it("counts a day's uploads per user: 429 with Retry-After past the allowance, others unaffected", async () => {
    const { d, token } = await startWithAlice(world, { limits: { fileBytesPerUserPerDay: 3000 } });
    expect((await upload(d.url, token, new Uint8Array(2000), "a.bin")).status).toBe(201);
    const refused = await upload(d.url, token, new Uint8Array(1001), "b.bin");
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as Json).error).toBe("quota_exceeded");
    const retry = Number(refused.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(86_000);
    expect(retry).toBeLessThanOrEqual(86_400);
    expect((await upload(d.url, token, new Uint8Array(1000), "c.bin")).status).toBe(201);
    const { welcome: bob } = await world.signIn(d, "bob");
    expect((await upload(d.url, bob.token as string, new Uint8Array(2500), "d.bin")).status).toBe(201);
    // Removing a file does not give its bytes back: the allowance counts what was uploaded.
    const list = (await (await d.http("/admin/files?user=alice", { admin: true })).json()) as { files: Json[] };
    for (const f of list.files) await d.http(`/admin/files/${f.id}`, { method: "DELETE", admin: true });
    expect((await upload(d.url, token, new Uint8Array(1), "e.bin")).status).toBe(429);
  });

  it("stores a 0-byte file and serves it empty", async () => {
    const { d, token } = await startWithAlice(world);
    const res = await upload(d.url, token, new Uint8Array(0), "empty.txt");
    expect(res.status).toBe(201);
    const file = (await res.json()) as Json;
    expect(file).toMatchObject({ size: 0, type: "application/octet-stream", name: "empty.txt" });
    const got = await fetch(`${d.url}${file.url}`);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-length")).toBe("0");
    expect(got.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(await got.text()).toBe("");
    const range = await fetch(`${d.url}${file.url}`, { headers: { Range: "bytes=0-" } });
    expect(range.status).toBe(416);
    await range.arrayBuffer();
  });

  it("serves an HTML file named x.png as an octet-stream attachment", async () => {
    const { d, token } = await startWithAlice(world);
    const form = new FormData();
    form.append("file", new Blob(["<!doctype html><script>alert(document.cookie)</script>"], { type: "image/png" }), "x.png");
    const res = await fetch(`${d.url}/files`, { method: "POST", body: form, headers: { Authorization: `Bearer ${token}` } });
    const file = (await res.json()) as Json;
    expect(file).toMatchObject({ name: "x.png", type: "application/octet-stream" });
    expect(file.width).toBeUndefined();
    const got = await fetch(`${d.url}${file.url}`);
    expect(got.headers.get("content-type")).toBe("application/octet-stream");
    expect(got.headers.get("content-disposition")).toBe(`attachment; filename="x.png"; filename*=UTF-8''x.png`);
    expect(got.headers.get("x-content-type-options")).toBe("nosniff");
    expect(got.headers.get("content-security-policy")).toBe("sandbox");
    await got.arrayBuffer();
  });

  it("serves an SVG with a script as an octet-stream attachment", async () => {
    const { d, token } = await startWithAlice(world);
    const svg = `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>`;
    const file = (await (await upload(d.url, token, svg, "logo.svg")).json()) as Json;
    // Sniffed as what it is (XML), and never as an image.
    expect(file.type).toBe("application/xml");
    const got = await fetch(`${d.url}${file.url}`);
    expect(got.headers.get("content-type")).toBe("application/octet-stream");
    expect(got.headers.get("content-disposition")).toMatch(/^attachment;/);
    await got.arrayBuffer();
  });

  it("serves a GIF/JavaScript polyglot only as an image, never as something a page could run", async () => {
    const { d, token } = await startWithAlice(world);
    const polyglot = "GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=alert(1)//;<html><script>alert(2)</script>";
    const file = (await (await upload(d.url, token, Buffer.from(polyglot, "latin1"), "cat.gif")).json()) as Json;
    expect(file.type).toBe("image/gif");
    const got = await fetch(`${d.url}${file.url}`);
    expect(got.headers.get("content-type")).toBe("image/gif");
    expect(got.headers.get("x-content-type-options")).toBe("nosniff");
    expect(got.headers.get("content-security-policy")).toBe("sandbox");
    await got.arrayBuffer();
  });

  it("does not take bytes that merely start like a PNG for an image", async () => {
    const { d, token } = await startWithAlice(world);
    const fake = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("<html><script>alert(1)</script></html>")]);
    const file = (await (await upload(d.url, token, fake, "fake.png")).json()) as Json;
    expect(file.type).toBe("application/octet-stream");
    const got = await fetch(`${d.url}${file.url}`);
    expect(got.headers.get("content-disposition")).toMatch(/^attachment;/);
    await got.arrayBuffer();
  });

  it("reduces ../../etc/passwd to its base name and writes nothing outside the file store", async () => {
    const { d, token } = await startWithAlice(world);
    for (const [given, kept] of [
      ["../../etc/passwd", "passwd"],
      ["..\\..\\windows\\win.ini", "win.ini"],
      ["..", "file"],
      ["evil\u202egnp.exe", "evilgnp.exe"],
      ["a\r\nb\tc.txt", "abc.txt"],
      [`${"n".repeat(200)}.png`, `${"n".repeat(116)}.png`],
    ]) {
      const res = await upload(d.url, token, "x", given);
      const file = (await res.json()) as Json;
      expect(file.name, JSON.stringify(given)).toBe(kept);
      expect(file.url).toBe(`/files/${file.id}/${encodeURIComponent(kept!)}`);
    }
    const blobs = await stored(d, "blobs");
    expect(blobs).toHaveLength(6);
    for (const name of blobs) expect(name).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await readdir(d.dataDir)).sort()).toEqual(expect.arrayContaining(["files"]));
    expect(await readdir(join(d.dataDir, "files"))).toEqual(expect.arrayContaining(["blobs", "meta", "refs", "tmp", "uploads"]));
  });

  it("answers 503 unavailable when the file store fails, and keeps no partial upload", async () => {
    const { d, token } = await startWithAlice(world);
    const { rm, writeFile } = await import("node:fs/promises");
    await rm(join(d.dataDir, "files", "blobs"), { recursive: true });
    await writeFile(join(d.dataDir, "files", "blobs"), "not a folder");
    const res = await upload(d.url, token, "hello", "a.txt");
    expect(res.status).toBe(503);
    expect(((await res.json()) as Json).error).toBe("unavailable");
    expect(await stored(d, "tmp")).toEqual([]);
    expect((await d.http("/healthz")).status).toBe(200);
  });

  it("times out a stalled upload, drops what it sent, and keeps serving everyone else", async () => {
    const { d, token } = await startWithAlice(world, { limits: { requestTimeoutMs: 2000, headersTimeoutMs: 2000 } });
    const { type, open } = multipart("slow.bin", Buffer.alloc(0));
    const head = `POST /files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: ${type}\r\nContent-Length: 100000\r\n\r\n`;
    const stalled = rawRequest(d.port, head, Buffer.concat([open, Buffer.alloc(5000)]), 8000);
    await new Promise((r) => setTimeout(r, 200));
    expect((await fetch(`${d.url}/healthz`)).status).toBe(200);
    expect((await upload(d.url, token, "meanwhile", "ok.txt")).status).toBe(201);
    const answer = await stalled;
    expect(answer.closed).toBe(true);
    expect(answer.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(await stored(d, "tmp")).toEqual([]);
    expect(await stored(d, "meta")).toHaveLength(1);
  });
});
