// Black-box checks of docs/files.md's storage, allowance, sweep, reload and admin claims
// that the other file tests do not make.
import { mkdir, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ask, eventually, runToExit, World } from "../../helpers/harness.ts";
import { ADMIN_TOKEN } from "../../helpers/daemon.ts";
import { multipart, PNG_2x3, put, startWithAlice, upload } from "../../helpers/files.ts";

type Json = Record<string, unknown>;

describe("the file store on disk", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("keeps blobs/<id>, meta/<id>.json, refs/<id>/<message id> and the ledger uploads/<digest>/<created>-<size>-<id>", async () => {
    const d = await world.daemon();
    const alice = await world.member(d, "alice");
    const file = await put(d.url, alice.welcome.token, PNG_2x3, "../shot.png");
    const dir = join(d.dataDir, "files");
    expect(await readdir(join(dir, "blobs"))).toEqual([file.id]);
    expect(await readFile(join(dir, "blobs", file.id as string))).toEqual(PNG_2x3);
    const meta = JSON.parse(await readFile(join(dir, "meta", `${file.id}.json`), "utf8")) as Json;
    expect(meta).toMatchObject({ id: file.id, owner: "alice", ownerName: "alice", name: "shot.png", size: PNG_2x3.length, type: "image/png", width: 2, height: 3 });
    expect(typeof meta.created).toBe("number");
    expect(meta.sha256).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [owner] = await readdir(join(dir, "uploads"));
    expect(owner).toMatch(/^[0-9a-f]+$/);
    expect(await readdir(join(dir, "uploads", owner!))).toEqual([`${meta.created}-${PNG_2x3.length}-${file.id}`]);
    expect(await readdir(join(dir, "tmp"))).toEqual([]);
    const ack = await ask(alice.client, { type: "say", room: "general", text: "see", files: [file.id] });
    expect(ack.type).toBe("ack");
    expect(await readdir(join(dir, "refs", file.id as string))).toEqual([ack.id]);
    expect(await readFile(join(dir, "refs", file.id as string, ack.id as string), "utf8")).toBe("");
  });

  it("counts an upload still arriving against the allowance of the same user", async () => {
    const { d, token } = await startWithAlice(world, { limits: { fileBytesPerUserPerDay: 3000 } });
    const { type, open, close } = multipart("slow.bin", Buffer.alloc(0));
    const content = Buffer.alloc(2000, 1);
    const socket = connect(d.port, "127.0.0.1");
    let answer = "";
    socket.on("data", (c) => (answer += c.toString("latin1")));
    const length = open.length + content.length + close.length;
    socket.write(`POST /files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\n\r\n`);
    socket.write(Buffer.concat([open, content]));
    // Wait until the server holds the 2000 bytes in tmp/.
    await eventually(async () => {
      const parts = await readdir(join(d.dataDir, "files", "tmp"));
      return parts.length === 1;
    }, { what: "the upload in progress" });
    await new Promise((r) => setTimeout(r, 200));
    const second = await upload(d.url, token, new Uint8Array(1500), "second.bin");
    expect(second.status).toBe(429);
    await second.arrayBuffer();
    socket.write(close);
    await eventually(() => /^HTTP\/1\.1 201 /.test(answer), { what: "the first upload's 201" });
    socket.destroy();
    expect((await upload(d.url, token, new Uint8Array(1000), "third.bin")).status).toBe(201);
  });

  it("admin file endpoints answer 503 unavailable when the file store fails; both are in the OpenAPI document", async () => {
    const { d, token } = await startWithAlice(world);
    const file = await put(d.url, token, "x", "x.txt");
    const dir = join(d.dataDir, "files");
    await rm(join(dir, "meta"), { recursive: true });
    await writeFile(join(dir, "meta"), "not a folder");
    const list = await d.http("/admin/files", { admin: true });
    expect(list.status).toBe(503);
    expect(await list.json()).toMatchObject({ error: "unavailable" });
    const del = await d.http(`/admin/files/${file.id}`, { method: "DELETE", admin: true });
    expect(del.status).toBe(503);
    expect(await del.json()).toMatchObject({ error: "unavailable" });
    const doc = (await (await d.http("/admin/openapi.json")).json()) as { servers: Json[]; paths: Record<string, Json> };
    expect(doc.servers).toEqual([{ url: "/admin" }]);
    expect(Object.keys(doc.paths["/files"] ?? {})).toContain("get");
    expect(Object.keys(doc.paths["/files/{id}"] ?? {})).toContain("delete");
  });
});

describe("a file shared in a direct message", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("counts in refs while the dm shares it, and goes with the dm's deletion; a refused upload leaves nothing", async () => {
    const d = await world.daemon({ limits: { fileBytesPerUserPerDay: 100 } });
    const alice = await world.signIn(d, "alice");
    await world.signIn(d, "bob");
    const file = await put(d.url, alice.welcome.token, "for bob", "b.txt");
    const ack = await ask(alice.client, { type: "dm", to: "bob", text: "here", files: [file.id] });
    expect(ack.type).toBe("ack");
    const listed = (await (await d.http("/admin/files?user=alice", { admin: true })).json()) as { files: Json[] };
    expect(listed.files).toEqual([expect.objectContaining({ id: file.id, refs: 1 })]);
    expect((await ask(alice.client, { type: "delete", id: ack.id })).type).toBe("ack");
    expect((await fetch(`${d.url}${file.url}`)).status).toBe(404);
    const dir = join(d.dataDir, "files");
    const refused = await upload(d.url, alice.welcome.token as string, new Uint8Array(200), "big.bin");
    expect(refused.status).toBe(429);
    await refused.arrayBuffer();
    expect(await readdir(join(dir, "tmp"))).toEqual([]);
    expect(await readdir(join(dir, "meta"))).toEqual([]);
    expect(await readdir(join(dir, "blobs"))).toEqual([]);
  });
});

describe("a daemon process with a config file", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("keeps files in CHAT_FILES_DIR relative to its working directory, sweeps and logs, takes new limits on reload", async () => {
    const cwd = await world.tempDir();
    const config = (limits: Json, unsharedTtlMs = 400) =>
      writeFile(join(cwd, "server.json"), JSON.stringify({ bcryptCost: 4, host: "127.0.0.1", files: { unsharedTtlMs }, limits }));
    await config({ maxFileBytes: 100 });
    const filesDir = join(cwd, "shared-files");
    // A temporary file left by a crash a day ago.
    await mkdir(join(filesDir, "tmp"), { recursive: true });
    const stale = join(filesDir, "tmp", "0f8fad5b-d9cb-469f-a165-70867728950e.part");
    await writeFile(stale, "half an upload");
    const old = new Date(Date.now() - 25 * 3_600_000);
    await utimes(stale, old, old);
    const p = await world.spawn({
      CHAT_CONFIG: join(cwd, "server.json"),
      CHAT_PORT: "0",
      CHAT_DATA_DIR: join(cwd, "data"),
      CHAT_FILES_DIR: "shared-files",
      CHAT_ADMIN_TOKEN: ADMIN_TOKEN,
    }, { cwd });
    const url = `http://127.0.0.1:${p.port}`;
    const { welcome } = await world.signIn(`ws://127.0.0.1:${p.port}/ws`, "alice");
    const token = welcome.token as string;
    expect((await upload(url, token, new Uint8Array(150), "a.bin")).status).toBe(413);
    const file = await put(url, token, "swept soon", "s.txt");
    expect(await readdir(join(filesDir, "blobs"))).toEqual([file.id]);
    await eventually(async () => (await fetch(`${url}${file.url}`)).status === 404, { what: "the unshared upload swept" });
    await eventually(() => /"msg":"files: removed unshared uploads".*"removed":1/.test(p.output()), { what: "the sweep's log line" });
    await eventually(async () => !(await readdir(join(filesDir, "tmp"))).includes("0f8fad5b-d9cb-469f-a165-70867728950e.part"), { what: "the stale part removed" });
    await config({ maxFileBytes: 200 }, 60_000);
    const reload = await fetch(`${url}/admin/reload`, { method: "POST", headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(reload.status).toBe(200);
    const answer = (await reload.json()) as Json;
    expect(answer.changed).toContain("limits.maxFileBytes");
    expect(answer.restartRequired).toEqual(["files"]);
    expect((await upload(url, token, new Uint8Array(150), "b.bin")).status).toBe(201);
  });

  it("refuses to start with files.unsharedTtlMs under 100 (exit code 2, naming the field)", async () => {
    const dir = await world.tempDir();
    await writeFile(join(dir, "server.json"), JSON.stringify({ files: { unsharedTtlMs: 99 } }));
    const run = await runToExit({ CHAT_CONFIG: join(dir, "server.json"), CHAT_PORT: "0", CHAT_DATA_DIR: join(dir, "data") });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("files.unsharedTtlMs");
  });
});
