// docs/files.md, checked from outside against a real daemon: what a file's
// name becomes (cut names, `filename*`), what `filename=` offers browsers,
// and the headers of 304 and 416, which are the same on Node as on Deno.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { put, startWithAlice } from "../../helpers/files.ts";

type Json = Record<string, unknown>;

/** An upload whose part header is `disposition`, built by hand: fetch's FormData cannot send `filename*`. */
function postDisposition(url: string, token: string, disposition: string): Promise<Response> {
  const body = Buffer.from(`--nb\r\nContent-Disposition: ${disposition}\r\n\r\nhello\r\n--nb--\r\n`, "utf8");
  return fetch(`${url}/files`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "multipart/form-data; boundary=nb" },
    body: new Uint8Array(body),
  });
}

describe("file names as docs/files.md reduces them", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("a name cut at 120 characters keeps no trailing dot or space", async () => {
    const { d, token } = await startWithAlice(world);
    // No extension kept (it is over 16 characters): the cut falls just after a dot, or a space.
    for (const name of [`${"a".repeat(119)}.${"b".repeat(30)}`, `${"a".repeat(119)} ${"b".repeat(30)}`, `${"a".repeat(118)} .${"b".repeat(30)}`]) {
      const file = await put(d.url, token, "x", name);
      expect(file.name, name).toBe("a".repeat(name.startsWith("a".repeat(119)) ? 119 : 118));
    }
  });

  it("answers 400 bad_request, not a server error, to a filename* whose escapes are not UTF-8, and keeps nothing", async () => {
    const { d, token } = await startWithAlice(world);
    for (const disposition of [`form-data; name="file"; filename*=UTF-8''%E2%82.txt`, `form-data; name="file"; filename="x.txt"; filename*=iso-8859-1''caf%E9.txt`]) {
      const res = await postDisposition(d.url, token, disposition);
      expect(res.status, disposition).toBe(400);
      expect(((await res.json()) as Json).error).toBe("bad_request");
      expect(res.headers.get("connection")).toBe("close");
    }
    expect(await readdir(join(d.dataDir, "files", "tmp"))).toEqual([]);
    expect(await readdir(join(d.dataDir, "files", "blobs"))).toEqual([]);
    // A well-formed one still works after them.
    const ok = await postDisposition(d.url, token, `form-data; name="file"; filename*=UTF-8''%E2%82%AC.txt`);
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as Json).name).toBe("€.txt");
  });

  it("filename= holds one _ for each non-ASCII character, an emoji beyond U+FFFF included", async () => {
    const { d, token } = await startWithAlice(world);
    const file = await put(d.url, token, "x", "😀 é.txt");
    const res = await fetch(`${d.url}${file.url}`);
    await res.arrayBuffer();
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="_ _.txt"; filename*=UTF-8''%F0%9F%98%80%20%C3%A9.txt`);
  });
});

describe("304 and 416 as a file's other responses", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("carry no text/plain type; a 416 says Content-Length: 0 and has no body", async () => {
    const { d, token } = await startWithAlice(world);
    const file = await put(d.url, token, "0123456789", "d.txt");
    const url = `${d.url}${file.url}`;
    const whole = await fetch(url);
    await whole.arrayBuffer();
    const etag = whole.headers.get("etag")!;

    const notModified = await fetch(url, { headers: { "if-none-match": etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get("content-type") ?? "").not.toMatch(/text\/plain/);
    expect(notModified.headers.get("etag")).toBe(etag);

    const unsatisfiable = await fetch(url, { headers: { range: "bytes=10-" } });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers.get("content-range")).toBe("bytes */10");
    expect(unsatisfiable.headers.get("content-length")).toBe("0");
    expect(unsatisfiable.headers.get("transfer-encoding")).toBeNull();
    expect(unsatisfiable.headers.get("content-type") ?? "").not.toMatch(/text\/plain/);
    for (const h of ["etag", "cache-control", "accept-ranges"]) expect(unsatisfiable.headers.get(h), h).toBe(whole.headers.get(h));
    expect((await unsatisfiable.arrayBuffer()).byteLength).toBe(0);
  });
});
