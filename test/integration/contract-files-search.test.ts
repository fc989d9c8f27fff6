// Black-box contract tests for issue #20 (files and search), written from README.md,
// docs/protocol.md, docs/files.md and docs/operations.md only: real HTTP and WebSocket
// clients against a real daemon.
import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, type Frame, type TestClient } from "../helpers/client.ts";
import { startDaemon, type TestDaemon } from "../helpers/daemon.ts";

const MAX = 4096;
const QUOTA = 3 * MAX;

let d: TestDaemon;
let alice: TestClient;
let bob: TestClient;
let carol: TestClient;
let aliceToken: string;
let bobToken: string;

/** A hand-built multipart body, so the file name reaches the server byte for byte. */
function multipart(name: string | null, content: Uint8Array, contentType = "application/octet-stream") {
  const boundary = "----contract" + Math.random().toString(36).slice(2);
  const disposition = name === null ? `form-data; name="file"` : `form-data; name="file"; filename="${name}"`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${contentType}\r\n\r\n`, "utf8");
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, Buffer.from(content), tail]), type: `multipart/form-data; boundary=${boundary}` };
}

async function upload(token: string | null, name: string | null, content: Uint8Array | string, contentType?: string) {
  const bytes = typeof content === "string" ? Buffer.from(content) : content;
  const { body, type } = multipart(name, bytes, contentType);
  const headers: Record<string, string> = { "content-type": type };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return fetch(`${d.url}/files`, { method: "POST", headers, body });
}

async function uploaded(token: string, name: string, content: Uint8Array | string, contentType?: string) {
  const res = await upload(token, name, content, contentType);
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; name: string; size: number; type: string; url: string; width?: number; height?: number };
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

/** A valid PNG of w x h grey pixels. */
function png(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((w + 1) * h, 0x80);
  for (let y = 0; y < h; y++) raw[y * (w + 1)] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A GIF header (3 x 2) that is also JavaScript after its first bytes: a polyglot. */
function gifPolyglot(): Buffer {
  return Buffer.concat([
    Buffer.from("GIF89a", "ascii"),
    Buffer.from([3, 0, 2, 0, 0, 0, 0]),
    Buffer.from("=1;alert(document.cookie);//", "ascii"),
    Buffer.from([0x2c, 0, 0, 0, 0, 3, 0, 2, 0, 0, 2, 2, 0x44, 0x01, 0, 0x3b]),
  ]);
}

/** Sends `search` until the index is built (while it is, `unavailable` with retryAfterMs). */
async function search(client: TestClient, frame: Record<string, unknown>): Promise<Frame> {
  for (let i = 0; i < 100; i++) {
    const ref = `s${Math.random().toString(36).slice(2, 10)}`;
    client.send({ type: "search", ...frame, ref });
    for (;;) {
      const f = await client.next();
      if ((f.type === "results" || f.type === "error") && f.ref === ref) {
        if (f.type === "error" && f.code === "unavailable") {
          await new Promise((r) => setTimeout(r, Math.min(Number(f.retryAfterMs) || 50, 200)));
          break;
        }
        return f;
      }
    }
  }
  throw new Error("search index never became available");
}

async function say(client: TestClient, room: string, text: string | undefined, files?: string[]): Promise<Frame> {
  const ref = `m${Math.random().toString(36).slice(2, 10)}`;
  const frame: Record<string, unknown> = { type: "say", room, ref };
  if (text !== undefined) frame.text = text;
  if (files) frame.files = files;
  client.send(frame);
  for (;;) {
    const f = await client.next();
    if ((f.type === "ack" || f.type === "error") && f.ref === ref) return f;
  }
}

async function dm(client: TestClient, to: string, text: string | undefined, files?: string[]): Promise<Frame> {
  const ref = `d${Math.random().toString(36).slice(2, 10)}`;
  const frame: Record<string, unknown> = { type: "dm", to, ref };
  if (text !== undefined) frame.text = text;
  if (files) frame.files = files;
  client.send(frame);
  for (;;) {
    const f = await client.next();
    if ((f.type === "ack" || f.type === "error") && f.ref === ref) return f;
  }
}

async function change(client: TestClient, frame: Record<string, unknown>): Promise<Frame> {
  const ref = `c${Math.random().toString(36).slice(2, 10)}`;
  client.send({ ...frame, ref });
  for (;;) {
    const f = await client.next();
    if ((f.type === "ack" || f.type === "error") && f.ref === ref) return f;
  }
}

const ids = (r: Frame) => (r.messages as Frame[]).map((m) => m.id as string);
const texts = (r: Frame) => (r.messages as Frame[]).map((m) => m.text as string);

beforeAll(async () => {
  d = await startDaemon({
    limits: {
      maxFileBytes: MAX,
      fileBytesPerUserPerDay: QUOTA,
      messageBurst: 1000,
      messagesPerSecond: 1000,
      ipMessageBurst: 10000,
      ipMessagesPerSecond: 10000,
      searchBurst: 1000,
      searchesPerSecond: 1000,
    },
  });
  const a = await signIn(d.wsUrl, "alice");
  const b = await signIn(d.wsUrl, "bob");
  const c = await signIn(d.wsUrl, "carol");
  alice = a.client;
  bob = b.client;
  carol = c.client;
  aliceToken = a.welcome.token as string;
  bobToken = b.welcome.token as string;
  for (const [client, room] of [
    [alice, "general"],
    [bob, "general"],
    [alice, "ops"],
    [carol, "secret"],
    [bob, "bulk"],
  ] as const) {
    expect((await client.request({ type: "join", room }, "joined", "error")).type).toBe("joined");
  }
});

afterAll(async () => {
  for (const c of [alice, bob, carol]) await c?.close();
  await d?.close();
});

describe("POST /files", () => {
  it("answers 201 {id, name, size, type, url} with Location, a fresh 128-bit id per upload", async () => {
    const bytes = png(7, 5);
    const first = await upload(aliceToken, "shot.png", bytes, "text/plain");
    expect(first.status).toBe(201);
    const body = (await first.json()) as Record<string, unknown>;
    expect(body.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(body).toEqual({ id: body.id, name: "shot.png", size: bytes.length, type: "image/png", url: `/files/${body.id}/shot.png`, width: 7, height: 5 });
    expect(first.headers.get("location")).toBe(body.url);
    const again = await uploaded(aliceToken, "shot.png", bytes);
    expect(again.id).not.toBe(body.id);
  });

  it("accepts a 0-byte file and percent-encodes the name in the url", async () => {
    const f = await uploaded(aliceToken, "empty file é.txt", new Uint8Array(0));
    expect(f.size).toBe(0);
    expect(f.type).toBe("application/octet-stream");
    expect(f.name).toBe("empty file é.txt");
    expect(f.url).toBe(`/files/${f.id}/${encodeURIComponent("empty file é.txt")}`);
    const got = await fetch(d.url + f.url);
    expect(got.status).toBe(200);
    expect((await got.arrayBuffer()).byteLength).toBe(0);
  });

  it("refuses with 401 without a token, with a bad one, and with a revoked-looking forgery", async () => {
    for (const token of [null, "nope", `${aliceToken}x`]) {
      const res = await upload(token, "a.txt", "hi");
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="chatd-files"');
      expect(await res.json()).toMatchObject({ error: "unauthorized" });
    }
  });

  it("takes exactly maxFileBytes and answers 413 at maxFileBytes + 1 (nothing stored)", async () => {
    const dave = await signIn(d.wsUrl, "dave");
    const token = dave.welcome.token as string;
    expect((await upload(token, "full.bin", new Uint8Array(MAX))).status).toBe(201);
    const over = await upload(token, "over.bin", new Uint8Array(MAX + 1));
    expect(over.status).toBe(413);
    expect(await over.json()).toMatchObject({ error: "too_large" });
    const usage = (await (await d.http("/admin/files?user=dave", { admin: true })).json()) as { users: Array<{ files: number; bytes: number }> };
    expect(usage.users).toEqual([{ user: "dave", files: 1, bytes: MAX }]);
    await dave.client.close();
  });

  it("answers 429 with Retry-After once the daily quota would be passed", async () => {
    const erin = await signIn(d.wsUrl, "erin");
    const token = erin.welcome.token as string;
    for (let i = 0; i < 3; i++) expect((await upload(token, `q${i}.bin`, new Uint8Array(MAX))).status).toBe(201);
    expect((await upload(token, "empty.bin", new Uint8Array(0))).status).toBe(201);
    const res = await upload(token, "one.bin", new Uint8Array(1));
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ error: "quota_exceeded" });
    const retry = Number(res.headers.get("retry-after"));
    expect(Number.isInteger(retry)).toBe(true);
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(86400);
    await erin.client.close();
  });

  it("reduces names to a safe base name", async () => {
    const long = "n".repeat(200) + ".txt";
    const cases: Array<[string | null, string]> = [
      ["../../etc/passwd", "passwd"],
      ["..\\..\\windows\\win.ini", "win.ini"],
      ["a\tb\u0085c%0Ad%0De.txt", "abcde.txt"],
      ["invoice\u202Eexe.pdf", "invoiceexe.pdf"],
      [" ..hidden. ", "hidden"],
      ["../..", "file"],
      [null, "file"],
      [long, "n".repeat(116) + ".txt"],
    ];
    for (const [given, expected] of cases) {
      const res = await upload(aliceToken, given, "x");
      expect(res.status, JSON.stringify(given)).toBe(201);
      const f = (await res.json()) as { name: string };
      expect(f.name, JSON.stringify(given)).toBe(expected);
      expect(f.name.length).toBeLessThanOrEqual(120);
    }
    // filename* (RFC 5987) may carry any control character encoded; they are dropped too.
    const star = multipart(null, Buffer.from("x"));
    const body = Buffer.from(star.body.toString("latin1").replace('name="file"', `name="file"; filename*=UTF-8''a%01b%7Fc%C2%9Fd%E2%80%AEe.txt`), "latin1");
    const res = await fetch(`${d.url}/files`, { method: "POST", headers: { "content-type": star.type, authorization: `Bearer ${aliceToken}` }, body });
    expect(((await res.json()) as { name: string }).name).toBe("abcde.txt");
    // A raw C0 byte in the part header makes it malformed: 400, nothing stored.
    const raw = await upload(aliceToken, "a\u0001b.txt", "x");
    expect(raw.status).toBe(400);
    expect(raw.headers.get("connection")).toBe("close");
    expect(await raw.json()).toMatchObject({ error: "bad_request" });
  });

  it("sniffs the type from the bytes: HTML named x.png and SVG with script are attachments", async () => {
    const html = await uploaded(aliceToken, "x.png", "<!doctype html><script>alert(1)</script>", "image/png");
    expect(html.type).toBe("application/octet-stream");
    expect(html.width).toBeUndefined();
    const svg = await uploaded(aliceToken, "x.svg", '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml");
    for (const f of [html, svg]) {
      const res = await fetch(d.url + f.url);
      expect(res.headers.get("content-type")).toBe("application/octet-stream");
      expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="/);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("content-security-policy")).toBe("sandbox");
    }
    const poly = await uploaded(aliceToken, "p.js", gifPolyglot(), "text/javascript");
    expect(poly).toMatchObject({ type: "image/gif", width: 3, height: 2 });
    const res = await fetch(d.url + poly.url);
    expect(res.headers.get("content-type")).toBe("image/gif");
    expect(res.headers.get("content-disposition")).toMatch(/^inline; filename="p\.js"; filename\*=UTF-8''p\.js$/);
  });
});

describe("GET /files/{id}/{name}", () => {
  it("serves with nosniff, CSP sandbox, a strong sha-256 ETag, immutable caching and ranges", async () => {
    const content = Buffer.from("0123456789abcdef");
    const f = await uploaded(aliceToken, "r.txt", content);
    const etag = `"${createHash("sha256").update(content).digest("base64url")}"`;
    const res = await fetch(`${d.url}/files/${f.id}/any-name-at-all`);
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe(etag);
    expect(res.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("content-length")).toBe("16");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toBe("sandbox");
    expect(Buffer.from(await res.arrayBuffer()).equals(content)).toBe(true);

    const part = await fetch(d.url + f.url, { headers: { range: "bytes=2-5" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe("bytes 2-5/16");
    expect(await part.text()).toBe("2345");
    const suffix = await fetch(d.url + f.url, { headers: { range: "bytes=-3" } });
    expect(suffix.status).toBe(206);
    expect(await suffix.text()).toBe("def");
    const open = await fetch(d.url + f.url, { headers: { range: "bytes=14-" } });
    expect(open.headers.get("content-range")).toBe("bytes 14-15/16");
    const past = await fetch(d.url + f.url, { headers: { range: "bytes=16-" } });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe("bytes */16");
    const stale = await fetch(d.url + f.url, { headers: { range: "bytes=0-1", "if-range": '"other"' } });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe(content.toString());
    const cached = await fetch(d.url + f.url, { headers: { "if-none-match": etag } });
    expect(cached.status).toBe(304);
    const head = await fetch(d.url + f.url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("etag")).toBe(etag);

    const missing = await fetch(`${d.url}/files/AAAAAAAAAAAAAAAAAAAAAA/x`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-content-type-options")).toBe("nosniff");
    expect(missing.headers.get("content-security-policy")).toBe("sandbox");
  });
});

describe("sharing files in say and dm", () => {
  it("refuses another user's file with not_found and more than 10 files with bad_frame", async () => {
    const bobs = await uploaded(bobToken, "bob.txt", "b");
    const err = await say(alice, "general", "steal", [bobs.id]);
    expect(err).toMatchObject({ type: "error", code: "not_found" });
    expect((await dm(alice, "bob", "steal", [bobs.id])).code).toBe("not_found");
    const many: string[] = [];
    for (let i = 0; i < 11; i++) many.push((await uploaded(aliceToken, `f${i}.txt`, `${i}`)).id);
    expect(await say(alice, "general", "many", many)).toMatchObject({ type: "error", code: "bad_frame" });
    expect((await say(alice, "general", "ten", many.slice(0, 10))).type).toBe("ack");
  });

  it("carries files in message, dm and history; a message may have files and no text", async () => {
    const img = await uploaded(aliceToken, "pic.png", png(4, 3));
    const ack = await say(alice, "general", undefined, [img.id]);
    expect(ack.type).toBe("ack");
    const msg = (await bob.next("message")) as Frame;
    // skip to the message with this id
    let m = msg;
    while (m.id !== ack.id) m = await bob.next("message");
    expect(m.text).toBe("");
    expect(m.files).toEqual([{ id: img.id, name: "pic.png", size: img.size, type: "image/png", url: img.url, width: 4, height: 3 }]);
    const h = await bob.request({ type: "history", room: "general", limit: 5 }, "history");
    const inHistory = (h.messages as Frame[]).find((x) => x.id === ack.id);
    expect(inHistory?.files).toEqual(m.files);

    const doc = await uploaded(aliceToken, "doc.txt", "text");
    const dack = await dm(alice, "bob", "", [doc.id]);
    expect(dack.type).toBe("ack");
    let dmf = await bob.next("dm");
    while (dmf.id !== dack.id) dmf = await bob.next("dm");
    expect(dmf.text).toBe("");
    expect(dmf.files).toEqual([{ id: doc.id, name: "doc.txt", size: 4, type: "application/octet-stream", url: doc.url }]);
  });

  it("deleting the only message sharing a file removes the file", async () => {
    const f = await uploaded(aliceToken, "gone.txt", "bye");
    const ack = await say(alice, "general", "temporary", [f.id]);
    expect((await fetch(d.url + f.url)).status).toBe(200);
    expect((await change(alice, { type: "delete", id: ack.id })).type).toBe("ack");
    expect((await fetch(d.url + f.url)).status).toBe(404);
  });
});

describe("admin files", () => {
  it("lists usage per user, the most bytes first, and one user's files; DELETE removes one", async () => {
    const frank = await signIn(d.wsUrl, "Frank");
    const token = frank.welcome.token as string;
    const one = await uploaded(token, "one.txt", "12345");
    await new Promise((r) => setTimeout(r, 5));
    const two = await uploaded(token, "two.txt", "12");
    const all = (await (await d.http("/admin/files", { admin: true })).json()) as {
      users: Array<{ user: string; files: number; bytes: number }>;
      total: { files: number; bytes: number };
    };
    expect(all.users.find((u) => u.user === "Frank")).toEqual({ user: "Frank", files: 2, bytes: 7 });
    const bytes = all.users.map((u) => u.bytes);
    expect(bytes).toEqual([...bytes].sort((a, b) => b - a));
    expect(all.total.files).toBe(all.users.reduce((s, u) => s + u.files, 0));
    expect(all.total.bytes).toBe(all.users.reduce((s, u) => s + u.bytes, 0));

    const mine = (await (await d.http("/admin/files?user=FRANK", { admin: true })).json()) as { users: unknown[]; files: Array<Record<string, unknown>> };
    expect(mine.users).toEqual([{ user: "Frank", files: 2, bytes: 7 }]);
    expect(mine.files.map((f) => f.id)).toEqual([two.id, one.id]);
    expect(mine.files[1]).toMatchObject({ id: one.id, name: "one.txt", size: 5, type: "application/octet-stream", url: one.url, owner: "Frank", refs: 0 });
    expect(new Date(mine.files[1]!.created as string).toISOString()).toBe(mine.files[1]!.created);
    const nobody = await (await d.http("/admin/files?user=nobody", { admin: true })).json();
    expect(nobody).toMatchObject({ users: [], files: [] });
    expect((await d.http("/admin/files")).status).toBe(401);

    const del = await d.http(`/admin/files/${one.id}`, { method: "DELETE", admin: true });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ deleted: one.id });
    expect((await fetch(d.url + one.url)).status).toBe(404);
    const again = await d.http(`/admin/files/${one.id}`, { method: "DELETE", admin: true });
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ error: "not_found" });
    await frank.client.close();
  });
});

describe("search", () => {
  // Seeded once: general (alice, bob), ops (alice), secret (carol only), bulk (bob only).
  const seeded: Record<string, string> = {};
  beforeAll(async () => {
    const put = async (key: string, p: Promise<Frame>) => {
      const ack = await p;
      expect(ack.type, JSON.stringify(ack)).toBe("ack");
      seeded[key] = ack.id as string;
    };
    await put("cafe", say(bob, "general", "Meet at the Café at noon"));
    await put("deploy", say(alice, "ops", "Deploy the release tonight"));
    await put("redeploy", say(alice, "ops", "we must redeploy tomorrow"));
    await put("phrase", say(alice, "general", "read the release notes first"));
    await put("reversed", say(bob, "general", "notes about the release"));
    await put("secret", say(carol, "secret", "zebra secret plans"));
    await put("bobcarol", dm(bob, "carol", "zebra between us"));
    await put("alicebob", dm(alice, "bob", "zebra invoice for you"));
    await put("deleted", say(alice, "general", "quokka gone soon"));
    expect((await change(alice, { type: "delete", id: seeded.deleted })).type).toBe("ack");
    await put("edited", say(alice, "general", "platypus original wording"));
    expect((await change(alice, { type: "edit", id: seeded.edited, text: "wombat replacement wording" })).type).toBe("ack");
    const f = await uploaded(aliceToken, "quarterly-budget.xlsx", "numbers");
    await put("file", say(alice, "general", "see attached", [f.id]));
    await put("ligature", say(bob, "general", "the ﬁle is ready"));
    for (let i = 0; i < 25; i++) await put(`n${i}`, say(alice, "general", `numbered yak ${i}`));
  });

  it("answers results {q, messages, complete} newest first, 20 by default, paging with before", async () => {
    const first = await search(alice, { q: "yak" });
    expect(first.type).toBe("results");
    expect(first.q).toBe("yak");
    expect(first.messages as Frame[]).toHaveLength(20);
    expect(ids(first)).toEqual(Array.from({ length: 20 }, (_, i) => seeded[`n${24 - i}`]));
    expect(first.complete).toBe(false);
    const second = await search(alice, { q: "yak", before: ids(first).at(-1) });
    expect(ids(second)).toEqual(Array.from({ length: 5 }, (_, i) => seeded[`n${4 - i}`]));
    expect(second.complete).toBe(true);
    const m = (first.messages as Frame[])[0]!;
    expect(m).toMatchObject({ type: "message", id: seeded.n24, room: "general", from: "alice", text: "numbered yak 24" });
    expect(typeof m.ts).toBe("number");
    const limited = await search(alice, { q: "yak", limit: 3 });
    expect(ids(limited)).toEqual([seeded.n24, seeded.n23, seeded.n22]);
  });

  it("caps a limit over 100 instead of refusing it; refuses a limit of 0", async () => {
    const big = await search(alice, { q: "yak", limit: 1000 });
    expect(big.type).toBe("results");
    expect(big.messages as Frame[]).toHaveLength(25);
    expect(big.complete).toBe(true);
    const zero = await search(alice, { q: "yak", limit: 0 });
    expect(zero).toMatchObject({ type: "error", code: "bad_frame" });
    const badBefore = await search(alice, { q: "yak", before: "not-an-id" });
    expect(badBefore).toMatchObject({ type: "error", code: "bad_frame" });
  });

  it("searches only the user's rooms and own conversations", async () => {
    const zebra = await search(alice, { q: "zebra" });
    expect(ids(zebra)).toEqual([seeded.alicebob]);
    expect((zebra.messages as Frame[])[0]).toMatchObject({ type: "dm", from: "alice", to: "bob", text: "zebra invoice for you" });
    expect(ids(await search(alice, { q: "zebra", room: "secret" }))).toEqual([]);
    expect(ids(await search(alice, { q: "zebra", with: "carol" }))).toEqual([]);
    expect(ids(await search(carol, { q: "zebra" }))).toEqual([seeded.bobcarol, seeded.secret]);
    expect(ids(await search(bob, { q: "zebra", with: "alice", room: "secret" }))).toEqual([seeded.alicebob]);
    expect(await search(alice, { q: "zebra", room: "no such room!" })).toMatchObject({ type: "error", code: "bad_name" });
  });

  it("never finds a deleted message; finds an edited one by its new text only", async () => {
    expect(ids(await search(alice, { q: "quokka" }))).toEqual([]);
    expect(ids(await search(alice, { q: "platypus" }))).toEqual([]);
    const hit = await search(bob, { q: "wombat" });
    expect(ids(hit)).toEqual([seeded.edited]);
    expect((hit.messages as Frame[])[0]).toMatchObject({ text: "wombat replacement wording", highlights: [[0, 6]] });
    expect(typeof (hit.messages as Frame[])[0]!.editedAt).toBe("number");
  });

  it("matches every word, case- and accent-insensitive, as word prefixes, with highlights on the text", async () => {
    const cafe = await search(bob, { q: "CAFE noon" });
    expect(ids(cafe)).toEqual([seeded.cafe]);
    const m = (cafe.messages as Frame[])[0]!;
    expect(m.highlights).toEqual([[12, 16], [20, 24]]);
    const hl = m.highlights as Array<[number, number]>;
    expect(hl.map(([s, e]) => (m.text as string).slice(s, e))).toEqual(["Café", "noon"]);
    expect(ids(await search(bob, { q: "cafe dinner" }))).toEqual([]);
    const deplo = await search(alice, { q: "deplo" });
    expect(ids(deplo)).toEqual([seeded.deploy]);
    expect((deplo.messages as Frame[])[0]!.highlights).toEqual([[0, 5]]);
    expect(ids(await search(bob, { q: "file" }))).toEqual([seeded.ligature]);
  });

  it("matches quoted phrases in order, filters from: and in:", async () => {
    const phrase = await search(bob, { q: '"release notes"' });
    expect(ids(phrase)).toEqual([seeded.phrase]);
    expect((phrase.messages as Frame[])[0]!.highlights).toEqual([[9, 22]]);
    expect(ids(await search(bob, { q: "release notes" }))).toEqual([seeded.reversed, seeded.phrase]);
    expect(ids(await search(bob, { q: "release from:alice" }))).toEqual([seeded.phrase]);
    expect(ids(await search(bob, { q: "release from:BOB" }))).toEqual([seeded.reversed]);
    expect(ids(await search(alice, { q: "release in:ops" }))).toEqual([seeded.deploy]);
    expect(ids(await search(alice, { q: "release in:#general" }))).toEqual([seeded.reversed, seeded.phrase]);
    expect(ids(await search(alice, { q: "release", room: "ops" }))).toEqual([seeded.deploy]);
    const none = await search(alice, { q: "  !!  " });
    expect(none).toMatchObject({ type: "results", messages: [], complete: true });
  });

  it("finds a message by a file name, with no highlight for that match", async () => {
    const hit = await search(bob, { q: "budget" });
    expect(ids(hit)).toEqual([seeded.file]);
    const m = (hit.messages as Frame[])[0]!;
    expect(m.highlights).toEqual([]);
    expect((m.files as Frame[])[0]).toMatchObject({ name: "quarterly-budget.xlsx" });
    const both = await search(bob, { q: "quarterly attached" });
    expect((both.messages as Frame[])[0]!.highlights).toEqual([[4, 12]]);
  });
});

describe("search scope over time, limits and words", () => {
  it("caps limit at 100 when more match", async () => {
    for (let i = 0; i < 105; i++) expect((await say(bob, "bulk", `gnu herd ${i}`)).type).toBe("ack");
    const r = await search(bob, { q: "gnu", limit: 500 });
    expect(r.messages as Frame[]).toHaveLength(100);
    expect(r.complete).toBe(false);
    expect((r.messages as Frame[])[0]!.text).toBe("gnu herd 104");
    const rest = await search(bob, { q: "gnu", limit: 500, before: ids(r).at(-1) });
    expect(texts(rest)).toEqual(["gnu herd 4", "gnu herd 3", "gnu herd 2", "gnu herd 1", "gnu herd 0"]);
    expect(rest.complete).toBe(true);
  });

  it("searches a room's earlier messages once the user joins it, and stops after leave", async () => {
    const gina = await signIn(d.wsUrl, "gina");
    expect(ids(await search(gina.client, { q: "deploy" }))).toEqual([]);
    await gina.client.request({ type: "join", room: "ops" }, "joined");
    expect(texts(await search(gina.client, { q: "deploy" }))).toEqual(["Deploy the release tonight"]);
    await gina.client.request({ type: "leave", room: "ops" }, "left");
    expect(ids(await search(gina.client, { q: "deploy" }))).toEqual([]);
    expect(ids(await search(gina.client, { q: "deploy", room: "ops" }))).toEqual([]);
    await gina.client.close();
  });

  it("matches a phrase's last word as a prefix, ignores words past the 12th, refuses q over 500 characters", async () => {
    expect(texts(await search(bob, { q: '"release not"' }))).toEqual(["read the release notes first"]);
    expect(texts(await search(bob, { q: '"the release not"' }))).toEqual(["read the release notes first"]);
    const twelve = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima";
    const ack = await say(bob, "general", twelve.toUpperCase());
    expect(ids(await search(bob, { q: `${twelve} zzzznotthere` }))).toEqual([ack.id]);
    expect(ids(await search(bob, { q: `alpha alpha alpha alpha alpha alpha alpha alpha alpha alpha alpha alpha zzzznotthere` }))).toEqual([]);
    expect(ids(await search(bob, { q: `"alpha bravo" charlie delta echo foxtrot golf hotel india juliet kilo lima zzzznotthere` }))).toEqual([ack.id]);
    expect(await search(bob, { q: "x".repeat(501) })).toMatchObject({ type: "error", code: "bad_frame" });
    expect((await search(bob, { q: "x".repeat(500) })).type).toBe("results");
  });
});

describe("after a restart", () => {
  it("rebuilds the index from the chat log: edits, deletes and files still count; files are still served", async () => {
    const first = await startDaemon({});
    const a = await signIn(first.wsUrl, "alice");
    const token = a.welcome.token as string;
    await a.client.request({ type: "join", room: "general" }, "joined");
    const boundary = "----restart";
    const body = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="lemur.txt"\r\n\r\nhi\r\n--${boundary}--\r\n`);
    const up = await fetch(`${first.url}/files`, { method: "POST", headers: { "content-type": `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${token}` }, body });
    const file = (await up.json()) as { id: string; url: string };
    const kept = await say(a.client, "general", "heron keeps", [file.id]);
    const edited = await say(a.client, "general", "heron before");
    await change(a.client, { type: "edit", id: edited.id, text: "egret after" });
    const gone = await say(a.client, "general", "heron gone");
    await change(a.client, { type: "delete", id: gone.id });
    await a.client.close();
    await first.close({ keepData: true });

    const second = await startDaemon({}, { dataDir: first.dataDir });
    try {
      const again = await signIn(second.wsUrl, "alice");
      expect(ids(await search(again.client, { q: "heron" }))).toEqual([kept.id]);
      expect(ids(await search(again.client, { q: "egret" }))).toEqual([edited.id]);
      expect(ids(await search(again.client, { q: "lemur" }))).toEqual([kept.id]);
      expect((await fetch(second.url + file.url)).status).toBe(200);
      await again.client.close();
    } finally {
      await second.close();
    }
  });
});

describe("upload edge cases", () => {
  it("401 for a logged-out token and a banned user's token", async () => {
    const hank = await signIn(d.wsUrl, "hank");
    const token = hank.welcome.token as string;
    expect((await upload(token, "a.txt", "a")).status).toBe(201);
    hank.client.send({ type: "logout" });
    await hank.client.closed;
    expect((await upload(token, "a.txt", "a")).status).toBe(401);
    const ivan = await signIn(d.wsUrl, "ivan");
    const itoken = ivan.welcome.token as string;
    const ban = await d.http("/admin/ban", { method: "POST", admin: true, body: JSON.stringify({ user: "ivan" }) });
    expect(ban.status).toBe(200);
    expect((await upload(itoken, "a.txt", "a")).status).toBe(401);
  });

  it("415 for a body that is not multipart; 400 for no file part or two; 413 up front from Content-Length", async () => {
    const headers = { authorization: `Bearer ${aliceToken}` };
    const plain = await fetch(`${d.url}/files`, { method: "POST", headers: { ...headers, "content-type": "text/plain" }, body: "hi" });
    expect(plain.status).toBe(415);
    expect(await plain.json()).toMatchObject({ error: "unsupported_media_type" });
    const b = "----edge";
    const noFile = Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="other"\r\n\r\nx\r\n--${b}--\r\n`);
    const res1 = await fetch(`${d.url}/files`, { method: "POST", headers: { ...headers, "content-type": `multipart/form-data; boundary=${b}` }, body: noFile });
    expect(res1.status).toBe(400);
    expect(await res1.json()).toMatchObject({ error: "bad_request" });
    const two = Buffer.from(
      `--${b}\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nx\r\n--${b}\r\nContent-Disposition: form-data; name="file"; filename="b"\r\n\r\ny\r\n--${b}--\r\n`,
    );
    const res2 = await fetch(`${d.url}/files`, { method: "POST", headers: { ...headers, "content-type": `multipart/form-data; boundary=${b}` }, body: two });
    expect(res2.status).toBe(400);
    // Another form field beside `file` is ignored.
    const extra = Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--${b}\r\nContent-Disposition: form-data; name="file"; filename="c.txt"\r\n\r\nzz\r\n--${b}--\r\n`);
    const res3 = await fetch(`${d.url}/files`, { method: "POST", headers: { ...headers, "content-type": `multipart/form-data; boundary=${b}` }, body: extra });
    expect(res3.status).toBe(201);
    expect(await res3.json()).toMatchObject({ name: "c.txt", size: 2 });
    const big = multipart("big.bin", new Uint8Array(MAX + 64 * 1024 + 10));
    const res4 = await fetch(`${d.url}/files`, { method: "POST", headers: { ...headers, "content-type": big.type }, body: big.body });
    expect(res4.status).toBe(413);
    expect(res4.headers.get("connection")).toBe("close");
  });

  it("an image signature without a readable size is not an image; 416 for any range of a 0-byte file; several ranges give the whole file", async () => {
    const fake = await uploaded(aliceToken, "fake.png", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2]));
    expect(fake.type).toBe("application/octet-stream");
    expect(fake.width).toBeUndefined();
    const empty = await uploaded(aliceToken, "e", new Uint8Array(0));
    const r = await fetch(d.url + empty.url, { headers: { range: "bytes=0-0" } });
    expect(r.status).toBe(416);
    expect(r.headers.get("content-range")).toBe("bytes */0");
    const f = await uploaded(aliceToken, "m.txt", "abcdef");
    const multi = await fetch(d.url + f.url, { headers: { range: "bytes=0-1,3-4" } });
    expect(multi.status).toBe(200);
    expect(await multi.text()).toBe("abcdef");
    const star = await fetch(d.url + f.url, { headers: { "if-none-match": "*" } });
    expect(star.status).toBe(304);
  });

  it("edit keeps a message's files and may empty its text; dm_history carries files", async () => {
    const f = await uploaded(aliceToken, "kept.txt", "k");
    const ack = await say(alice, "general", "with a file", [f.id]);
    expect((await change(alice, { type: "edit", id: ack.id, text: "" })).type).toBe("ack");
    const h = await alice.request({ type: "history", room: "general", limit: 3 }, "history");
    const m = (h.messages as Frame[]).find((x) => x.id === ack.id)!;
    expect(m.text).toBe("");
    expect((m.files as Frame[]).map((x) => x.id)).toEqual([f.id]);
    expect((await fetch(d.url + f.url)).status).toBe(200);
    const g = await uploaded(aliceToken, "dmfile.txt", "g");
    const dack = await dm(alice, "bob", "for you", [g.id, g.id]);
    const dh = await bob.request({ type: "dm_history", with: "alice", limit: 5 }, "dm_history");
    const dmsg = (dh.messages as Frame[]).find((x) => x.id === dack.id)!;
    expect((dmsg.files as Frame[]).map((x) => x.id)).toEqual([g.id]);
  });
});

describe("lifecycle and quota over time", () => {
  it("removes an unshared upload after files.unsharedTtlMs, keeps a shared one, and counts removed files against the quota", async () => {
    const short = await startDaemon({ files: { unsharedTtlMs: 300 }, limits: { fileBytesPerUserPerDay: 10 } });
    try {
      const a = await signIn(short.wsUrl, "alice");
      await a.client.request({ type: "join", room: "general" }, "joined");
      const token = a.welcome.token as string;
      const post = async (name: string, content: string) => {
        const m = multipart(name, Buffer.from(content));
        return fetch(`${short.url}/files`, { method: "POST", headers: { "content-type": m.type, authorization: `Bearer ${token}` }, body: m.body });
      };
      const loose = (await (await post("loose.txt", "1234")).json()) as { id: string; url: string };
      const shared = (await (await post("shared.txt", "5678")).json()) as { id: string; url: string };
      expect((await say(a.client, "general", undefined, [shared.id])).type).toBe("ack");
      const deadline = Date.now() + 5000;
      while ((await fetch(short.url + loose.url)).status !== 404) {
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await fetch(short.url + shared.url)).status).toBe(200);
      // 8 of 10 bytes used in the last 24 h, the removed upload included.
      expect((await post("three.txt", "abc")).status).toBe(429);
      expect((await post("two.txt", "ab")).status).toBe(201);
      await a.client.close();
    } finally {
      await short.close();
    }
  });
});
