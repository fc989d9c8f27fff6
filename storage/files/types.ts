/**
 * One stored file. `owner` is the uploader's account key, `ownerName` the
 * display name at upload time (for the admin views). `type` is what the bytes
 * were sniffed as; `sha256` (base64url) is the content's strong validator.
 */
export type StoredFile = {
  id: string;
  owner: string;
  ownerName: string;
  name: string;
  size: number;
  type: string;
  width?: number;
  height?: number;
  created: number;
  sha256: string;
};

/** What the caller decides about a finished upload; the store adds its size and digest. */
export type FileDraft = Omit<StoredFile, "size" | "sha256">;

/** An upload in progress: bytes go to a temporary file that no reader sees until `commit`. */
export interface PendingUpload {
  /** Bytes written so far. */
  readonly size: number;
  /** Appends a chunk; resolves once it is handed to the file system (the caller's back-pressure). */
  write(chunk: Uint8Array): Promise<void>;
  /** The first `n` bytes written (fewer if the upload is shorter), for sniffing. */
  head(n: number): Promise<Uint8Array>;
  /**
   * Makes the file durable and visible: content fsynced and renamed into
   * place, then its record written atomically. Resolves once both are on disk.
   */
  commit(draft: FileDraft): Promise<StoredFile>;
  /** Drops the temporary file; safe to call twice and after a failed commit. */
  abort(): Promise<void>;
}

/** An inclusive byte range, as in `Range: bytes=start-end`. */
export type ByteRange = { start: number; end: number };

/** One upload counted against its owner's daily allowance. */
export type UploadEntry = { created: number; size: number };

/**
 * Where files live. Every method that takes an id checks it against the id
 * pattern before it is used in a path: an invalid id is simply not found.
 * Failures of the underlying store throw `StorageUnavailableError`; absence
 * is `undefined` / `false`, never an error. Safe for several processes on one
 * shared store (a cluster): every operation is a single atomic file-system
 * step or idempotent.
 */
export interface FileStore {
  open(): Promise<void>;
  close(): Promise<void>;
  begin(): Promise<PendingUpload>;
  get(id: string): Promise<StoredFile | undefined>;
  /** The content (or the range of it); undefined if there is no such file. */
  read(id: string, range?: ByteRange): Promise<ReadableStream<Uint8Array> | undefined>;
  /** Every stored file (for the admin views and the sweeper). */
  list(): Promise<StoredFile[]>;
  /** Removes the file, its record and its references; false if it was not there. */
  remove(id: string): Promise<boolean>;
  /** Records that `key` (a message id) refers to the file. Idempotent. */
  addRef(id: string, key: string): Promise<void>;
  /** Forgets one reference; resolves with how many are left. */
  removeRef(id: string, key: string): Promise<number>;
  refCount(id: string): Promise<number>;
  /** Records an upload against its owner's allowance (kept after the file is gone). */
  countUpload(owner: string, id: string, entry: UploadEntry): Promise<void>;
  /** The owner's uploads created at or after `since`. */
  uploadsSince(owner: string, since: number): Promise<UploadEntry[]>;
  /** Forgets allowance entries and abandoned temporary files older than `before`. */
  prune(before: number): Promise<void>;
}
