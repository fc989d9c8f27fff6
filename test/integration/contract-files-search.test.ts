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

/** A minimal JPEG of w x h (one SOF0, no scan) with an EXIF orientation tag. */
function jpeg(w: number, h: number, orientation: number): Buffer {
  const tiff = Buffer.from([0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0]);
  const exif = Buffer.concat([Buffer.from("Exif\0\0", "latin1"), tiff]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (exif.length + 2) >> 8, (exif.length + 2) & 0xff]), exif]);
  const sof = Buffer.from([0xff, 0xc0, 0, 11, 8, h >> 8, h & 0xff, w >> 8, w & 0xff, 1, 1, 0x11, 0]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app1, sof, Buffer.from([0xff, 0xd9])]);
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

// Checks here are those test/integration/files/* does not make (they cover the 201 shape,
// 401, 413, 429, the hostile types, ranges, sharing, admin and lifecycle).
describe("POST /files beyond the files/* tests", () => {
  it("reduces names to a safe base name: raw and encoded control characters, dots and spaces, no name", async () => {
    const cases: Array<[string | null, string]> = [
      ["a\tb\u0085c%0Ad%0De.txt", "abcde.txt"],
      [" ..hidden. ", "hidden"],
      [null, "file"],
    ];
    for (const [given, expected] of cases) {
      const res = await upload(aliceToken, given, "x");
      expect(res.status, JSON.stringify(given)).toBe(201);
      const f = (await res.json()) as { name: string };
      expect(f.name, JSON.stringify(given)).toBe(expected);
    }
    // filename* (RFC 5987) may carry any control character encoded; they are dropped too.
    const star = multipart(null, Buffer.from("x"));
    const body = Buffer.from(star.body.toString("latin1").replace('name="file"', `name="file"; filename*=UTF-8''a%01b%7Fc%C2%9Fd%E2%80%AEe.txt`), "latin1");
    const res = await fetch(`${d.url}/files`, { method: "POST", headers: { "content-type": star.type, authorization: `Bearer ${aliceToken}` }, body });
    expect(((await res.json()) as { name: string }).name).toBe("abcde.txt");
    // Raw C0 and DEL bytes in the part header, as a browser sends them, are dropped too.
    const raw = await upload(aliceToken, "a\u0001b\u001f\u007fc\u0000.txt", "x\u0001");
    expect(raw.status).toBe(201);
    const rawFile = (await raw.json()) as { name: string; size: number; url: string };
    expect(rawFile).toMatchObject({ name: "abc.txt", size: 2 });
    expect(await (await fetch(d.url + rawFile.url)).text()).toBe("x\u0001");
  });

  it("ignores the client's Content-Type; a polyglot GIF reports its size and is served inline", async () => {
    const shot = await uploaded(aliceToken, "shot.txt", png(7, 5), "text/plain");
    expect(shot).toMatchObject({ type: "image/png", width: 7, height: 5 });
    const poly = await uploaded(aliceToken, "p.js", gifPolyglot(), "text/javascript");
    expect(poly).toMatchObject({ type: "image/gif", width: 3, height: 2 });
    const res = await fetch(d.url + poly.url);
    expect(res.headers.get("content-type")).toBe("image/gif");
    expect(res.headers.get("content-disposition")).toBe(`inline; filename="p.js"; filename*=UTF-8''p.js`);
  });

  it("reads a JPEG's size as a browser shows it: a quarter turn in EXIF swaps width and height", async () => {
    const upright = await uploaded(aliceToken, "a.jpg", jpeg(40, 30, 1));
    expect(upright).toMatchObject({ type: "image/jpeg", width: 40, height: 30 });
    const turned = await uploaded(aliceToken, "b.jpg", jpeg(40, 30, 6));
    expect(turned).toMatchObject({ type: "image/jpeg", width: 30, height: 40 });
    const res = await fetch(d.url + turned.url);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(res.headers.get("content-disposition")).toMatch(/^inline; /);
  });

  it("401 for a logged-out token and a banned user's token", async () => {
    const hank = await signIn(d.wsUrl, "hank");
    const token = hank.welcome.token as string;
    expect((await upload(token, "a.txt", "a")).status).toBe(201);
    hank.client.send({ type: "logout" });
    await hank.client.closed;
    const revoked = await upload(token, "a.txt", "a");
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get("connection")).toBe("close");
    const ivan = await signIn(d.wsUrl, "ivan");
    const itoken = ivan.welcome.token as string;
    const ban = await d.http("/admin/ban", { method: "POST", admin: true, body: JSON.stringify({ user: "ivan" }) });
    expect(ban.status).toBe(200);
    expect((await upload(itoken, "a.txt", "a")).status).toBe(401);
  });

  it("a 0-byte upload fits an exactly spent allowance; 429 past it closes the connection", async () => {
    const erin = await signIn(d.wsUrl, "erin");
    const token = erin.welcome.token as string;
    for (let i = 0; i < 3; i++) expect((await upload(token, `q${i}.bin`, new Uint8Array(MAX))).status).toBe(201);
    expect((await upload(token, "empty.bin", new Uint8Array(0))).status).toBe(201);
    const res = await upload(token, "one.bin", new Uint8Array(1));
    expect(res.status).toBe(429);
    expect(res.headers.get("connection")).toBe("close");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    await erin.client.close();
  });

  it("400 for two parts named file; another form field is ignored", async () => {
    const headers = { authorization: `Bearer ${aliceToken}` };
    const b = "----edge";
    const two = Buffer.from(
      `--${b}\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nx\r\n--${b}\r\nContent-Disposition: form-data; name="file"; filename="b"\r\n\r\ny\r\n--${b}--\r\n`,
    );
    const res2 = await fetch(`${d.url}/files`, { method: "POST", headers: { ...headers, "content-type": `multipart/form-data; boundary=${b}` }, body: two });
    expect(res2.status).toBe(400);
    expect(await res2.json()).toMatchObject({ error: "bad_request" });
    const extra = Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--${b}\r\nContent-Disposition: form-data; name="file"; filename="c.txt"\r\n\r\nzz\r\n--${b}--\r\n`);
    const res3 = await fetch(`${d.url}/files`, { method: "POST", headers: { ...headers, "content-type": `multipart/form-data; boundary=${b}` }, body: extra });
    expect(res3.status).toBe(201);
    expect(await res3.json()).toMatchObject({ name: "c.txt", size: 2 });
  });
});

describe("GET /files/{id}/{name} beyond the files/* tests", () => {
  it("ETag is the sha-256 of the content; any name segment; 416 for a 0-byte file; several ranges or If-None-Match * ", async () => {
    const content = Buffer.from("0123456789abcdef");
    const f = await uploaded(aliceToken, "r.txt", content);
    const etag = `"${createHash("sha256").update(content).digest("base64url")}"`;
    const res = await fetch(`${d.url}/files/${f.id}/any-name-at-all`);
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe(etag);
    expect(await res.text()).toBe(content.toString());
    const multi = await fetch(d.url + f.url, { headers: { range: "bytes=0-1,3-4" } });
    expect(multi.status).toBe(200);
    expect(await multi.text()).toBe(content.toString());
    const other = await fetch(d.url + f.url, { headers: { range: "items=0-1" } });
    expect(other.status).toBe(200);
    await other.arrayBuffer();
    expect((await fetch(d.url + f.url, { headers: { "if-none-match": "*" } })).status).toBe(304);
    const empty = await uploaded(aliceToken, "e", new Uint8Array(0));
    const r = await fetch(d.url + empty.url, { headers: { range: "bytes=0-0" } });
    expect(r.status).toBe(416);
    expect(r.headers.get("content-range")).toBe("bytes */0");
    const quoted = await uploaded(aliceToken, 'say %22hi%22 ☕.txt', "q");
    expect(quoted.name).toBe('say "hi" ☕.txt');
    const qres = await fetch(d.url + quoted.url);
    expect(qres.headers.get("content-disposition")).toBe(`attachment; filename="say _hi_ _.txt"; filename*=UTF-8''say%20%22hi%22%20%E2%98%95.txt`);
    await qres.arrayBuffer();
    const missing = await fetch(`${d.url}/files/AAAAAAAAAAAAAAAAAAAAAA/x`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-security-policy")).toBe("sandbox");
  });
});

describe("sharing files beyond the files/* tests", () => {
  it("takes exactly 10 different files; a repeated id is listed once but counts against the 10", async () => {
    const ten: string[] = [];
    for (let i = 0; i < 10; i++) ten.push((await uploaded(aliceToken, `f${i}.txt`, `${i}`)).id);
    expect((await say(alice, "general", "ten", ten)).type).toBe("ack");
    expect(await say(alice, "general", "eleven", [...ten, ten[0]!])).toMatchObject({ type: "error", code: "bad_frame" });
    const ack = await say(alice, "general", "repeats", [ten[1]!, ten[0]!, ten[1]!]);
    expect(ack.type).toBe("ack");
    const h = await alice.request({ type: "history", room: "general", limit: 2 }, "history");
    const [tenMsg, repeats] = h.messages as Frame[];
    expect((tenMsg!.files as Frame[]).map((f) => f.id)).toEqual(ten);
    expect(repeats!.id).toBe(ack.id);
    expect((repeats!.files as Frame[]).map((f) => f.id)).toEqual([ten[1], ten[0]]);
  });

  it("edit keeps a message's files and may empty its text", async () => {
    const f = await uploaded(aliceToken, "kept.txt", "k");
    const ack = await say(alice, "general", "with a file", [f.id]);
    expect((await change(alice, { type: "edit", id: ack.id, text: "" })).type).toBe("ack");
    const h = await alice.request({ type: "history", room: "general", limit: 3 }, "history");
    const m = (h.messages as Frame[]).find((x) => x.id === ack.id)!;
    expect(m.text).toBe("");
    expect((m.files as Frame[]).map((x) => x.id)).toEqual([f.id]);
    expect((await fetch(d.url + f.url)).status).toBe(200);
  });

  it("keeps a file shared through a real say past files.unsharedTtlMs, sweeps the unshared one", async () => {
    const short = await startDaemon({ files: { unsharedTtlMs: 300 } });
    try {
      const a = await signIn(short.wsUrl, "alice");
      await a.client.request({ type: "join", room: "general" }, "joined");
      const token = a.welcome.token as string;
      const post = async (name: string, content: string) => {
        const m = multipart(name, Buffer.from(content));
        const res = await fetch(`${short.url}/files`, { method: "POST", headers: { "content-type": m.type, authorization: `Bearer ${token}` }, body: m.body });
        return (await res.json()) as { id: string; url: string };
      };
      const loose = await post("loose.txt", "1234");
      const shared = await post("shared.txt", "5678");
      expect((await say(a.client, "general", undefined, [shared.id])).type).toBe("ack");
      const deadline = Date.now() + 5000;
      while ((await fetch(short.url + loose.url)).status !== 404) {
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 400));
      expect((await fetch(short.url + shared.url)).status).toBe(200);
      await a.client.close();
    } finally {
      await short.close();
    }
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

  it("refuses a limit that is not a whole number from 1", async () => {
    for (const limit of [0, -1, 2.5]) expect(await search(alice, { q: "yak", limit })).toMatchObject({ type: "error", code: "bad_frame" });
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
    expect(ids(await search(alice, { q: "zebra in:general" }))).toEqual([]);
    expect(ids(await search(bob, { q: "zebra from:alice" }))).toEqual([seeded.alicebob]);
    expect(ids(await search(bob, { q: "zebra from:bob" }))).toEqual([seeded.bobcarol]);
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

  it("marks the text's matches of a message found by text and file name together", async () => {
    const both = await search(bob, { q: "quarterly attached" });
    expect(ids(both)).toEqual([seeded.file]);
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

describe("search details", () => {
  it("UTF-16 highlights (astral characters, ligatures), merged overlaps, phrases across punctuation, echoes", async () => {
    const emoji = await say(alice, "ops", "😀 Kangaroo, court: jumps");
    const lig = await say(alice, "ops", "the ﬁnal kangaroo");
    const hit = await search(alice, { q: "kang kangaroo", room: "OPS" });
    expect(ids(hit)).toEqual([lig.id, emoji.id]);
    const [l, e] = hit.messages as Frame[];
    expect(e!.highlights).toEqual([[3, 11]]);
    expect(l!.highlights).toEqual([[9, 17]]);
    const fin = await search(alice, { q: "FINAL" });
    expect((fin.messages as Frame[]).map((m) => [m.id, m.highlights])).toEqual([[lig.id, [[4, 8]]]]);
    const phrase = await search(alice, { q: '"kangaroo court"' });
    expect((phrase.messages as Frame[]).map((m) => [m.id, m.highlights])).toEqual([[emoji.id, [[3, 18]]]]);
    const accented = await search(alice, { q: "KÄNGÁROO" });
    expect(accented).toMatchObject({ type: "results", q: "KÄNGÁROO" });
    expect(ids(accented)).toEqual([lig.id, emoji.id]);
    expect(await search(alice, { q: "x", with: "bad name!" })).toMatchObject({ type: "error", code: "bad_name" });
    expect(await search(alice, { q: "kangaroo", with: "nobody-here" })).toMatchObject({ type: "results", messages: [], complete: true });
    expect(ids(await search(alice, { q: "kangaroo from:nobody" }))).toEqual([]);
  });

  it("a dm found by search carries its files", async () => {
    const f = await uploaded(aliceToken, "walrus-plan.txt", "w");
    const ack = await dm(alice, "bob", "the plan", [f.id]);
    const hit = await search(bob, { q: "walrus", with: "ALICE" });
    expect(hit.messages).toEqual([
      { type: "dm", id: ack.id, from: "alice", to: "bob", text: "the plan", ts: ack.ts, files: [f], highlights: [] },
    ]);
  });
});

describe("after a restart", () => {
  it("finds a message by a file's name after the index is rebuilt, and still serves the file", async () => {
    const first = await startDaemon({});
    const a = await signIn(first.wsUrl, "alice");
    await a.client.request({ type: "join", room: "general" }, "joined");
    const m = multipart("lemur-report.txt", Buffer.from("hi"));
    const up = await fetch(`${first.url}/files`, { method: "POST", headers: { "content-type": m.type, authorization: `Bearer ${a.welcome.token}` }, body: m.body });
    const file = (await up.json()) as { id: string; url: string };
    const kept = await say(a.client, "general", "heron keeps", [file.id]);
    await a.client.close();
    await first.close({ keepData: true });

    const second = await startDaemon({}, { dataDir: first.dataDir });
    try {
      const again = await signIn(second.wsUrl, "alice");
      expect(ids(await search(again.client, { q: "lemur report" }))).toEqual([kept.id]);
      expect((await fetch(second.url + file.url)).status).toBe(200);
      await again.client.close();
    } finally {
      await second.close();
    }
  });
});
