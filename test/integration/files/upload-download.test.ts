import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { PNG_2x3, startWithAlice, upload } from "../../helpers/files.ts";

type Json = Record<string, unknown>;

describe("POST /files and GET /files/{id}/{name}", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("stores an image and serves it inline with its type, size and every safety header", async () => {
    const { d, token } = await startWithAlice(world);
    const res = await upload(d.url, token, PNG_2x3, "shot.png");
    expect(res.status).toBe(201);
    const file = (await res.json()) as Json;
    expect(file).toEqual({ id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), name: "shot.png", size: PNG_2x3.length, type: "image/png", url: `/files/${file.id}/shot.png`, width: 2, height: 3 });
    expect(res.headers.get("location")).toBe(file.url);

    const got = await fetch(`${d.url}${file.url}`);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("image/png");
    expect(got.headers.get("content-disposition")).toBe(`inline; filename="shot.png"; filename*=UTF-8''shot.png`);
    expect(got.headers.get("x-content-type-options")).toBe("nosniff");
    expect(got.headers.get("content-security-policy")).toBe("sandbox");
    expect(got.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    expect(got.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(got.headers.get("accept-ranges")).toBe("bytes");
    expect(got.headers.get("content-length")).toBe(String(PNG_2x3.length));
    expect(Buffer.from(await got.arrayBuffer())).toEqual(PNG_2x3);
  });

  it("gives every upload its own unguessable id, even for the same bytes", async () => {
    const { d, token } = await startWithAlice(world);
    const a = (await (await upload(d.url, token, "same", "a.txt")).json()) as Json;
    const b = (await (await upload(d.url, token, "same", "a.txt")).json()) as Json;
    expect(a.id).not.toBe(b.id);
  });

  it("answers ranges with 206, an unsatisfiable one with 416, and If-None-Match with 304", async () => {
    const { d, token } = await startWithAlice(world);
    const text = "0123456789";
    const file = (await (await upload(d.url, token, text, "digits.txt")).json()) as Json;
    const url = `${d.url}${file.url}`;
    const first = await fetch(url, { headers: { Range: "bytes=2-5" } });
    expect(first.status).toBe(206);
    expect(first.headers.get("content-range")).toBe("bytes 2-5/10");
    expect(first.headers.get("content-length")).toBe("4");
    expect(await first.text()).toBe("2345");
    expect(await (await fetch(url, { headers: { Range: "bytes=7-" } })).text()).toBe("789");
    expect(await (await fetch(url, { headers: { Range: "bytes=-3" } })).text()).toBe("789");
    const beyond = await fetch(url, { headers: { Range: "bytes=10-" } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("content-range")).toBe("bytes */10");
    await beyond.arrayBuffer();

    const etag = (await fetch(url)).headers.get("etag")!;
    const cached = await fetch(url, { headers: { "If-None-Match": etag } });
    expect(cached.status).toBe(304);
    expect(cached.headers.get("etag")).toBe(etag);
    expect(cached.headers.get("x-content-type-options")).toBe("nosniff");
    expect((await fetch(url, { headers: { "If-None-Match": '"other"' } })).status).toBe(200);
    // A Range under a stale If-Range gets the whole, current file.
    const stale = await fetch(url, { headers: { Range: "bytes=0-1", "If-Range": '"old"' } });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe(text);
    const head = await fetch(url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("10");
  });

  it("answers 404 for an unknown or malformed id, with the safety headers", async () => {
    const { d } = await startWithAlice(world);
    for (const path of ["/files/AAAAAAAAAAAAAAAAAAAAAA/x.png", "/files/..%2F..%2Fetc/passwd", "/files/short/x"]) {
      const res = await fetch(`${d.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      await res.arrayBuffer();
    }
  });

  it("refuses an upload without a valid resume token with 401 and stores nothing", async () => {
    const { d, token } = await startWithAlice(world);
    for (const auth of [undefined, "nonsense", `${token}x`, "alice:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]) {
      const res = await upload(d.url, auth, "hello", "a.txt");
      expect(res.status, String(auth)).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(((await res.json()) as Json).error).toBe("unauthorized");
    }
    const basic = await fetch(`${d.url}/files`, { method: "POST", headers: { Authorization: `Basic ${token}` }, body: new FormData() });
    expect(basic.status).toBe(401);
    await basic.arrayBuffer();
    expect(await readdir(join(d.dataDir, "files", "meta"))).toEqual([]);
  });

  it("files an upload under the user whose token it carries; only that user may share it", async () => {
    const { d, token } = await startWithAlice(world);
    const { welcome: bob } = await world.signIn(d, "bob");
    const mine = (await (await upload(d.url, bob.token as string, "bob's", "b.txt")).json()) as Json;
    const files = d.daemon.files!;
    expect(await files.resolveShared("bob", [mine.id as string])).toEqual([mine]);
    await expect(files.resolveShared("alice", [mine.id as string])).rejects.toMatchObject({ code: "not_found" });
    const usage = (await (await d.http("/admin/files?user=bob", { admin: true })).json()) as Json;
    expect(usage.files).toEqual([expect.objectContaining({ id: mine.id, owner: "bob" })]);
    expect(token).not.toBe(bob.token);
  });

  it("refuses a body that is not multipart, or has no part named file", async () => {
    const { d, token } = await startWithAlice(world);
    const json = await fetch(`${d.url}/files`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{}" });
    expect(json.status).toBe(415);
    expect(((await json.json()) as Json).error).toBe("unsupported_media_type");
    const wrongField = await upload(d.url, token, "hello", "a.txt", "attachment");
    expect(wrongField.status).toBe(400);
    expect(((await wrongField.json()) as Json).error).toBe("bad_request");
  });

  it("answers 400, not 415, to a multipart/form-data body without a boundary; 415 to another multipart type", async () => {
    const { d, token } = await startWithAlice(world);
    const body = '--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhi\r\n--b--\r\n';
    const post = (type: string) => fetch(`${d.url}/files`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "content-type": type }, body });
    const noBoundary = await post("multipart/form-data");
    expect(noBoundary.status).toBe(400);
    expect(((await noBoundary.json()) as Json).error).toBe("bad_request");
    const mixed = await post("multipart/mixed; boundary=b");
    expect(mixed.status).toBe(415);
    await mixed.arrayBuffer();
    const ok = await post("Multipart/Form-Data; boundary=b");
    expect(ok.status).toBe(201);
    await ok.arrayBuffer();
  });

  it("keeps a UTF-8 name and offers it to browsers in both filename forms", async () => {
    const { d, token } = await startWithAlice(world);
    const file = (await (await upload(d.url, token, "x", "café ☕ (1).txt")).json()) as Json;
    expect(file.name).toBe("café ☕ (1).txt");
    expect(file.url).toBe(`/files/${file.id}/caf%C3%A9%20%E2%98%95%20(1).txt`);
    const got = await fetch(`${d.url}${file.url}`);
    expect(got.headers.get("content-disposition")).toBe(`attachment; filename="caf_ _ (1).txt"; filename*=UTF-8''caf%C3%A9%20%E2%98%95%20%281%29.txt`);
    await got.arrayBuffer();
  });
});
