import { createHash } from "node:crypto";
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { syncDir, writeFileAtomic } from "../fs/atomic-write.ts";
import { isFileId } from "./ids.ts";
import type { FileDraft, PendingUpload, StoredFile } from "./types.ts";
import { failure } from "./fs-errors.ts";

export type UploadPaths = { tmp: string; blobs: string; meta: string };

/**
 * Starts an upload into `<tmp>/<random>.part`. The digest is computed as the
 * bytes pass, so committing never reads the file again.
 */
export async function beginUpload(paths: UploadPaths): Promise<PendingUpload> {
  const temp = join(paths.tmp, `${crypto.randomUUID()}.part`);
  const file = await failure("begin upload", () => open(temp, "wx+", 0o600));
  return new FsUpload(paths, temp, file);
}

class FsUpload implements PendingUpload {
  #size = 0;
  #hash = createHash("sha256");
  #file: FileHandle | undefined;
  #done = false;

  constructor(
    readonly paths: UploadPaths,
    readonly temp: string,
    file: FileHandle,
  ) {
    this.#file = file;
  }

  get size(): number {
    return this.#size;
  }

  async write(chunk: Uint8Array): Promise<void> {
    const file = this.#open();
    this.#hash.update(chunk);
    this.#size += chunk.byteLength;
    await failure("write upload", () => file.write(chunk));
  }

  async head(n: number): Promise<Uint8Array> {
    const file = this.#open();
    const buffer = new Uint8Array(Math.min(n, this.#size));
    if (buffer.byteLength === 0) return buffer;
    const { bytesRead } = await failure("read upload", () => file.read(buffer, 0, buffer.byteLength, 0));
    return buffer.subarray(0, bytesRead);
  }

  async commit(draft: FileDraft): Promise<StoredFile> {
    if (!isFileId(draft.id)) throw new Error(`not a file id: ${draft.id}`);
    const file = this.#open();
    const record: StoredFile = { ...draft, size: this.#size, sha256: this.#hash.digest("base64url") };
    this.#done = true;
    try {
      await failure("sync upload", () => file.sync());
      await file.close();
      this.#file = undefined;
      // Content first, record last: a record on disk always has its content.
      await failure("store upload", () => rename(this.temp, join(this.paths.blobs, draft.id)));
      await failure("store upload", () => syncDir(this.paths.blobs));
      await failure("store record", () => writeFileAtomic(join(this.paths.meta, `${draft.id}.json`), JSON.stringify(record)));
    } catch (error) {
      await this.#drop();
      await rm(join(this.paths.blobs, draft.id), { force: true }).catch(() => {});
      throw error;
    }
    return record;
  }

  async abort(): Promise<void> {
    this.#done = true;
    await this.#drop();
  }

  #open(): FileHandle {
    if (this.#done || !this.#file) throw new Error("upload already finished");
    return this.#file;
  }

  async #drop(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    await file?.close().catch(() => {});
    await rm(this.temp, { force: true }).catch(() => {});
  }
}
