import { ClientError, ErrorCode, type FileRef } from "../message/index.ts";
import { normalizeName, isNameError } from "../message/names.ts";
import type { Logger } from "../log.ts";
import type { ByteRange, FileStore, PendingUpload, StoredFile, UploadEntry } from "../../storage/files/types.ts";
import { isFileId, newFileId } from "../../storage/files/ids.ts";
import { MAX_FILES_PER_MESSAGE } from "../message/inbound.ts";
import { FileQuotaError, FileTooLargeError } from "./errors.ts";
import { fileUrl, safeName } from "./names.ts";
import { SNIFF_BYTES, sniff } from "./sniff.ts";
import { DAY_MS, countRetryAfterMs, retryAfterMs, wholeUploadBytes } from "./quota.ts";

/** Read at every use: a config reload changes them at once. */
export type FileLimits = { maxFileBytes: number; fileBytesPerUserPerDay: number; filesPerUserPerDay: number };
export type FileOwner = { key: string; name: string };
export type FileServiceOptions = { store: FileStore; limits: FileLimits; logger: Logger; now?: () => number };

export type UserUsage = { user: string; files: number; bytes: number };
export type FileListing = FileRef & { owner: string; created: string; refs: number };

/**
 * Files as the chat sees them: uploads checked against the size limit and the
 * owner's daily allowance, typed by their content, shared in messages by id,
 * and counted by the messages that refer to them. Knows nothing of HTTP or of
 * the file system.
 */
export class FileService {
  readonly store: FileStore;
  readonly #limits: FileLimits;
  readonly #logger: Logger;
  readonly #now: () => number;
  /** Bytes of uploads still arriving, by owner key: they count against the allowance too. */
  readonly #arriving = new Map<string, number>();
  /** Uploads still arriving, by owner key: they count against the number allowed a day. */
  readonly #started = new Map<string, number>();

  constructor({ store, limits, logger, now = Date.now }: FileServiceOptions) {
    this.store = store;
    this.#limits = limits;
    this.#logger = logger;
    this.#now = now;
  }

  /**
   * Starts an upload for `owner`; its `write`s throw once it passes a limit.
   * Throws FileQuotaError at once when the owner's uploads of the last 24
   * hours (those still arriving included) already number
   * `filesPerUserPerDay`: empty files cost no bytes, yet each is a record.
   */
  async begin(owner: FileOwner): Promise<Upload> {
    const entries = await this.store.uploadsSince(owner.key, this.#now() - DAY_MS);
    const count = entries.length + (this.#started.get(owner.key) ?? 0);
    const limit = this.#limits.filesPerUserPerDay;
    if (count >= limit) throw new FileQuotaError(`more than ${limit} uploads in 24 hours`, countRetryAfterMs(entries, count, limit, this.#now()));
    this.started(owner.key, 1);
    try {
      const pending = await this.store.begin();
      return new Upload(this, owner, pending, entries, { ...this.#limits });
    } catch (error) {
      this.started(owner.key, -1);
      throw error;
    }
  }

  get(id: string): Promise<StoredFile | undefined> {
    return this.store.get(id);
  }

  read(id: string, range?: ByteRange): Promise<ReadableStream<Uint8Array> | undefined> {
    return this.store.read(id, range);
  }

  /**
   * The files a `say` or `dm` shares: each must be one `ownerKey` uploaded.
   * Throws `not_found` (the same for a missing file and another user's, so ids
   * cannot be probed) and `StorageUnavailableError` when the store fails.
   * Repeated ids count once.
   */
  async resolveShared(ownerKey: string, ids: readonly string[]): Promise<FileRef[]> {
    const unique = [...new Set(ids)];
    if (unique.length > MAX_FILES_PER_MESSAGE) throw new ClientError(ErrorCode.badFrame, `files: at most ${MAX_FILES_PER_MESSAGE}`);
    const records = await Promise.all(unique.map((id) => (isFileId(id) ? this.store.get(id) : undefined)));
    return records.map((record, i) => {
      if (!record || record.owner !== ownerKey) throw new ClientError(ErrorCode.notFound, `no such file: ${unique[i]}`);
      return toRef(record);
    });
  }

  /**
   * Records that message `messageId` shares these files, which keeps them from
   * the sweeper. Call once the message is stored, before it is acknowledged.
   */
  async attach(messageId: string, ids: readonly string[]): Promise<void> {
    for (const id of new Set(ids)) await this.store.addRef(id, messageId);
  }

  /**
   * Message `messageId` no longer refers to these files (it was deleted):
   * each file no message refers to any more is removed. Resolves with the ids
   * removed.
   */
  async release(messageId: string, ids: readonly string[]): Promise<string[]> {
    const removed: string[] = [];
    for (const id of new Set(ids)) {
      if ((await this.store.removeRef(id, messageId)) === 0 && (await this.store.remove(id))) removed.push(id);
    }
    return removed;
  }

  remove(id: string): Promise<boolean> {
    return this.store.remove(id);
  }

  /** Stored files and bytes per uploader, the largest first. */
  async usage(): Promise<{ users: UserUsage[]; files: number; bytes: number }> {
    const byOwner = new Map<string, UserUsage>();
    let bytes = 0;
    const all = await this.store.list();
    for (const f of all) {
      const u = byOwner.get(f.owner) ?? { user: f.ownerName, files: 0, bytes: 0 };
      u.files += 1;
      u.bytes += f.size;
      bytes += f.size;
      byOwner.set(f.owner, u);
    }
    const users = [...byOwner.values()].sort((a, b) => b.bytes - a.bytes || a.user.localeCompare(b.user));
    return { users, files: all.length, bytes };
  }

  /** One user's files, the newest first (none for a name no account could have). */
  async filesOf(user: string): Promise<FileListing[]> {
    const n = normalizeName(user);
    if (isNameError(n)) return [];
    const mine = (await this.store.list()).filter((f) => f.owner === n.key).sort((a, b) => b.created - a.created);
    return Promise.all(
      mine.map(async (f) => ({ ...toRef(f), owner: f.ownerName, created: new Date(f.created).toISOString(), refs: await this.store.refCount(f.id) })),
    );
  }

  /**
   * Removes every file no message refers to that is older than `ttlMs`, and
   * forgets allowance entries past the 24-hour window. Resolves with how many
   * files went.
   */
  async sweep(ttlMs: number): Promise<number> {
    const now = this.#now();
    let removed = 0;
    for (const f of await this.store.list()) {
      if (f.created > now - ttlMs) continue;
      if ((await this.store.refCount(f.id)) > 0) continue;
      if (await this.store.remove(f.id)) removed += 1;
    }
    await this.store.prune(now - DAY_MS);
    if (removed > 0) this.#logger.info("files: removed unshared uploads", { removed });
    return removed;
  }

  /** @internal Upload's share of the bookkeeping. */
  arriving(owner: string, delta: number): number {
    const n = (this.#arriving.get(owner) ?? 0) + delta;
    if (n <= 0) this.#arriving.delete(owner);
    else this.#arriving.set(owner, n);
    return n;
  }

  /** @internal Upload's share of the count of uploads in progress. */
  started(owner: string, delta: number): void {
    const n = (this.#started.get(owner) ?? 0) + delta;
    if (n <= 0) this.#started.delete(owner);
    else this.#started.set(owner, n);
  }

  /** @internal */
  now(): number {
    return this.#now();
  }
}

/**
 * One upload in progress. `write` each chunk of the content in order, then
 * `finish` with the client's file name; `abort` on any failure.
 */
export class Upload {
  #finished = false;
  readonly #counted: number;

  constructor(
    readonly files: FileService,
    readonly owner: FileOwner,
    readonly pending: PendingUpload,
    readonly entries: UploadEntry[],
    readonly limits: FileLimits,
  ) {
    this.#counted = entries.reduce((n, e) => n + e.size, 0);
  }

  get size(): number {
    return this.pending.size;
  }

  /**
   * Throws FileTooLargeError or FileQuotaError before writing a chunk that
   * would pass a limit. `atMost`: the most bytes the whole file can have, when
   * known; a FileQuotaError's wait is for that much to fit.
   */
  async write(chunk: Uint8Array, atMost?: number): Promise<void> {
    const size = this.pending.size + chunk.byteLength;
    if (size > this.limits.maxFileBytes) throw new FileTooLargeError(this.limits.maxFileBytes);
    const limit = this.limits.fileBytesPerUserPerDay;
    const others = this.files.arriving(this.owner.key, 0) - this.pending.size;
    if (this.#counted + others + size > limit) {
      const wanted = wholeUploadBytes(size, atMost, this.limits.maxFileBytes);
      throw new FileQuotaError(`uploads over ${limit} bytes in 24 hours`, retryAfterMs(this.entries, this.#counted + others, wanted, limit, this.files.now()));
    }
    this.files.arriving(this.owner.key, chunk.byteLength);
    await this.pending.write(chunk);
  }

  /** Sniffs, stores and counts the file; resolves with what the client is told. */
  async finish(clientName: string | undefined): Promise<FileRef> {
    try {
      const size = this.pending.size;
      const head = await this.pending.head(SNIFF_BYTES);
      const kind = await sniff(head, size, () => this.pending.head(size));
      const draft = { id: newFileId(), owner: this.owner.key, ownerName: this.owner.name, name: safeName(clientName), created: this.files.now(), ...kind };
      const record = await this.pending.commit(draft);
      await this.files.store.countUpload(this.owner.key, record.id, { created: record.created, size: record.size });
      return toRef(record);
    } finally {
      this.#release();
    }
  }

  async abort(): Promise<void> {
    this.#release();
    await this.pending.abort();
  }

  #release(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.files.arriving(this.owner.key, -this.pending.size);
    this.files.started(this.owner.key, -1);
  }
}

/** What a client is told about a file. */
export function toRef(f: StoredFile): FileRef {
  const ref: FileRef = { id: f.id, name: f.name, size: f.size, type: f.type, url: fileUrl(f.id, f.name) };
  if (f.width !== undefined && f.height !== undefined) {
    ref.width = f.width;
    ref.height = f.height;
  }
  return ref;
}
