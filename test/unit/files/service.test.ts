import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileService, FileQuotaError, FileTooLargeError } from "../../../src/files/index.ts";
import { createFsFileStore } from "../../../storage/files/fs-store.ts";
import { silentLogger } from "../../../src/log.ts";
import { PNG_2x3 } from "../../helpers/files.ts";

const alice = { key: "alice", name: "Alice" };
const bytes = (n: number) => new Uint8Array(n);

describe("FileService", () => {
  let dir: string;
  let files: FileService;
  let now = 1_000_000_000;
  const limits = { maxFileBytes: 1000, fileBytesPerUserPerDay: 2500, filesPerUserPerDay: 1000 };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "chatd-fileservice-"));
    const store = createFsFileStore(dir);
    await store.open();
    files = new FileService({ store, limits, logger: silentLogger, now: () => now });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function put(content: Uint8Array, name = "f.bin", owner = alice) {
    const upload = await files.begin(owner);
    await upload.write(content);
    return upload.finish(name);
  }

  it("types an upload from its bytes and tells the client its id, name, size, type, url and size in pixels", async () => {
    const ref = await put(new Uint8Array(PNG_2x3), "../shot.txt");
    expect(ref).toEqual({ id: ref.id, name: "shot.txt", size: PNG_2x3.length, type: "image/png", url: `/files/${ref.id}/shot.txt`, width: 2, height: 3 });
  });

  it("refuses a chunk that would take the file past maxFileBytes", async () => {
    const upload = await files.begin(alice);
    await upload.write(bytes(600));
    await expect(upload.write(bytes(401))).rejects.toBeInstanceOf(FileTooLargeError);
    await upload.abort();
  });

  it("counts uploads still arriving against the allowance, so two at once cannot pass it", async () => {
    await put(bytes(1000));
    const a = await files.begin(alice);
    const b = await files.begin(alice);
    await a.write(bytes(800));
    await expect(b.write(bytes(800))).rejects.toBeInstanceOf(FileQuotaError);
    await b.abort();
    await a.finish("a");
    // Aborted bytes are given back; finished ones stay counted for 24 hours.
    await expect(put(bytes(701))).rejects.toBeInstanceOf(FileQuotaError);
    await put(bytes(700));
    now += 24 * 3_600_000 + 1;
    await put(bytes(1000));
  });

  it("refuses a chunk past the allowance with a wait long enough for the whole file, not the part that arrived", async () => {
    const start = now;
    await put(bytes(300));
    now = start + 3_600_000;
    await put(bytes(700));
    now = start + 7_200_000;
    await put(bytes(1000));
    now = start + 10_800_000;
    // 2000 of 2500 used; a 900-byte file arrives in 300-byte chunks and passes the allowance at 600.
    const upload = await files.begin(alice);
    await upload.write(bytes(300), 900);
    const refused = await upload.write(bytes(300), 900).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FileQuotaError);
    // 600 would fit once the 300-byte upload is a day old; 900 needs the 700-byte one gone too.
    expect((refused as FileQuotaError).retryAfterMs).toBe(start + 3_600_000 + 24 * 3_600_000 - now);
    await upload.abort();
  });

  it("refuses an upload past filesPerUserPerDay before any byte, counting empty files and uploads still arriving, until the oldest is a day old", async () => {
    limits.filesPerUserPerDay = 3;
    try {
      const start = now;
      await put(bytes(0));
      now = start + 3_600_000;
      await put(bytes(0));
      const arriving = await files.begin(alice);
      const refused = await files.begin(alice).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(FileQuotaError);
      expect((refused as FileQuotaError).retryAfterMs).toBe(start + 24 * 3_600_000 - now);
      // Another user is not held back; an aborted upload is given back.
      await put(bytes(0), "b", { key: "bob", name: "bob" });
      await arriving.abort();
      await put(bytes(0));
      await expect(files.begin(alice)).rejects.toBeInstanceOf(FileQuotaError);
      now = start + 24 * 3_600_000 + 1;
      await put(bytes(0));
    } finally {
      limits.filesPerUserPerDay = 1000;
    }
  });

  it("resolves the sender's own files for a message and answers not_found for anything else", async () => {
    const mine = await put(bytes(1), "mine");
    const bobs = await put(bytes(1), "bobs", { key: "bob", name: "bob" });
    expect(await files.resolveShared("alice", [mine.id, mine.id])).toEqual([mine]);
    for (const ids of [[bobs.id], [mine.id, "AAAAAAAAAAAAAAAAAAAAAA"], ["../../etc/passwd"], [""]]) {
      await expect(files.resolveShared("alice", ids)).rejects.toMatchObject({ name: "ClientError", code: "not_found" });
    }
    const eleven = await Promise.all(Array.from({ length: 11 }, (_, i) => put(bytes(0), `f${i}`)));
    await expect(files.resolveShared("alice", eleven.map((f) => f.id))).rejects.toMatchObject({ code: "bad_frame" });
    expect(await files.resolveShared("alice", [])).toEqual([]);
  });

  it("keeps a file while a message refers to it and removes it with the last reference", async () => {
    const f = await put(bytes(3));
    await files.attach("1-1", [f.id]);
    await files.attach("1-2", [f.id]);
    expect(await files.release("1-1", [f.id])).toEqual([]);
    expect(await files.get(f.id)).toBeDefined();
    expect(await files.release("1-2", [f.id])).toEqual([f.id]);
    expect(await files.get(f.id)).toBeUndefined();
  });

  it("sweeps only unreferenced files older than the time given", async () => {
    const old = await put(bytes(1), "old");
    const kept = await put(bytes(1), "kept");
    await files.attach("1-1", [kept.id]);
    now += 1000;
    const young = await put(bytes(1), "young");
    expect(await files.sweep(500)).toBe(1);
    expect(await files.get(old.id)).toBeUndefined();
    expect(await files.get(kept.id)).toBeDefined();
    expect(await files.get(young.id)).toBeDefined();
  });
});
