import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFsFileStore } from "../../../../storage/files/fs-store.ts";
import { newFileId, isFileId } from "../../../../storage/files/ids.ts";
import { StorageUnavailableError } from "../../../../storage/errors.ts";
import type { FileStore, StoredFile } from "../../../../storage/files/types.ts";

async function text(stream: ReadableStream<Uint8Array> | undefined): Promise<string> {
  return stream ? new Response(stream).text() : "(none)";
}

describe("the file-system file store", () => {
  let dir: string;
  let store: FileStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "chatd-files-"));
    store = createFsFileStore(dir);
    await store.open();
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function put(content: string, owner = "alice"): Promise<StoredFile> {
    const upload = await store.begin();
    for (const ch of content.match(/.{1,3}/gs) ?? []) await upload.write(new TextEncoder().encode(ch));
    return upload.commit({ id: newFileId(), owner, ownerName: owner, name: "n.txt", type: "text/plain", created: Date.now() });
  }

  it("makes 128-bit ids that match the pattern and differ", () => {
    const ids = new Set(Array.from({ length: 1000 }, newFileId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(isFileId(id)).toBe(true);
  });

  it("commits an upload: record, size, digest, and content readable whole or in ranges", async () => {
    const f = await put("hello world");
    expect(f).toMatchObject({ size: 11, sha256: "uU0nuZNNPgilLlLX2n2r-sSE7-N6U4DukIj3rOLvzek" });
    expect(await store.get(f.id)).toEqual(f);
    expect(await text(await store.read(f.id))).toBe("hello world");
    expect(await text(await store.read(f.id, { start: 6, end: 10 }))).toBe("world");
    expect(await readdir(join(dir, "tmp"))).toEqual([]);
  });

  it("shows nothing of an upload before its commit, and nothing after an abort", async () => {
    const upload = await store.begin();
    await upload.write(new TextEncoder().encode("secret"));
    expect(await upload.head(3)).toEqual(new TextEncoder().encode("sec"));
    expect(await store.list()).toEqual([]);
    await upload.abort();
    await upload.abort();
    expect(await readdir(join(dir, "tmp"))).toEqual([]);
  });

  it("never lets an invalid id reach a path", async () => {
    await writeFile(join(dir, "secret.json"), JSON.stringify({ id: "x" }));
    for (const id of ["../secret", "..", "", "a/b", "AAAAAAAAAAAAAAAAAAAAA/", "%2e%2e"]) {
      expect(await store.get(id)).toBeUndefined();
      expect(await store.read(id)).toBeUndefined();
      expect(await store.remove(id)).toBe(false);
      expect(await store.refCount(id)).toBe(0);
    }
    await expect(store.addRef("../x", "1764100000000-000001")).rejects.toThrow();
    const f = await put("x");
    await expect(store.addRef(f.id, "../../x")).rejects.toThrow();
  });

  it("counts references per message and removes a file with everything it had", async () => {
    const f = await put("shared");
    await store.addRef(f.id, "1764100000000-000001");
    await store.addRef(f.id, "1764100000000-000001");
    await store.addRef(f.id, "1764100000000-000002");
    expect(await store.refCount(f.id)).toBe(2);
    expect(await store.removeRef(f.id, "1764100000000-000001")).toBe(1);
    expect(await store.remove(f.id)).toBe(true);
    expect(await store.get(f.id)).toBeUndefined();
    expect(await store.read(f.id)).toBeUndefined();
    expect(await store.refCount(f.id)).toBe(0);
    expect(await store.remove(f.id)).toBe(false);
  });

  it("keeps a per-owner ledger of uploads, pruned past a time", async () => {
    const a = newFileId();
    await store.countUpload("alice", a, { created: 1000, size: 5 });
    await store.countUpload("alice", newFileId(), { created: 3000, size: 7 });
    await store.countUpload("bob", newFileId(), { created: 3000, size: 9 });
    expect((await store.uploadsSince("alice", 0)).sort((x, y) => x.created - y.created)).toEqual([{ created: 1000, size: 5 }, { created: 3000, size: 7 }]);
    expect(await store.uploadsSince("alice", 2000)).toEqual([{ created: 3000, size: 7 }]);
    await store.prune(2000);
    expect(await store.uploadsSince("alice", 0)).toEqual([{ created: 3000, size: 7 }]);
    // The owner's key never becomes a path: only its digest does.
    for (const name of await readdir(join(dir, "uploads"))) expect(name).toMatch(/^[0-9a-f]{32}$/);
  });

  it("lists every stored file, skipping a damaged record", async () => {
    const f = await put("one");
    const g = await put("two", "bob");
    await writeFile(join(dir, "meta", `${newFileId()}.json`), "{not json");
    expect((await store.list()).map((r) => r.id).sort()).toEqual([f.id, g.id].sort());
  });

  it("turns a file-system failure into StorageUnavailableError", async () => {
    await rm(join(dir, "blobs"), { recursive: true });
    await writeFile(join(dir, "blobs"), "not a folder");
    const upload = await store.begin();
    await upload.write(new TextEncoder().encode("x"));
    await expect(upload.commit({ id: newFileId(), owner: "a", ownerName: "a", name: "n", type: "t", created: 1 })).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(await readdir(join(dir, "tmp"))).toEqual([]);
  });
});
