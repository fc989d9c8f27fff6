import { ClientError, ErrorCode, type FileRef } from "../message/index.ts";
import { isMessage, type ChatRecord, type MessageRecord } from "../../storage/chatlog/types.ts";
import { checkText, textTooLong } from "./checks.ts";

/**
 * What the chat needs of the file service (src/files/service.ts), wired in
 * src/daemon.ts: the chat never imports a file store or http.
 */
export type Attachments = {
  /** The sender's own files by id; `not_found` for any other (see FileService.resolveShared). */
  resolveShared(ownerKey: string, ids: readonly string[]): Promise<FileRef[]>;
  /** Message `messageId` refers to these files: the sweeper keeps them. */
  attach(messageId: string, ids: readonly string[]): Promise<void>;
  /** Message `messageId` no longer refers to them; files nothing refers to are removed. */
  release(messageId: string, ids: readonly string[]): Promise<string[]>;
};

/** Without a file service (unit tests): every id is `not_found`. */
export const noAttachments: Attachments = {
  async resolveShared(_owner, ids) {
    if (ids.length > 0) throw new ClientError(ErrorCode.notFound, `no such file: ${ids[0]}`);
    return [];
  },
  async attach() {},
  async release() {
    return [];
  },
};

/**
 * The text of a `say` or `dm`: not too long, and not blank unless the
 * message shares files (the schema reads a missing text as "").
 */
export function checkContent(text: string | undefined, fileIds: readonly string[] | undefined, maxTextLength: number): string {
  const body = text ?? "";
  if ((fileIds?.length ?? 0) === 0) return checkText(body, maxTextLength);
  if (body.length > maxTextLength) throw textTooLong(maxTextLength);
  return body;
}

/** The files a message shares, checked to be the sender's; undefined when it shares none. */
export async function sharedFiles(attachments: Attachments, ownerKey: string, ids: readonly string[] | undefined): Promise<FileRef[] | undefined> {
  if (ids === undefined || ids.length === 0) return undefined;
  return attachments.resolveShared(ownerKey, ids);
}

/**
 * Records the stored message's references to its files. Runs after the
 * append resolves and before the ack: a crash between ack and reference would
 * let the sweeper delete a file an acknowledged message shares.
 */
export async function attachFilesOf(attachments: Attachments, record: ChatRecord): Promise<void> {
  if (isMessage(record) && record.files !== undefined && record.files.length > 0) await attachments.attach(record.id, record.files.map((f) => f.id));
}

/**
 * A deleted message lets go of its files: each one no other message shares is
 * removed. Call once the deletion is stored.
 */
export async function releaseFilesOf(attachments: Attachments, record: MessageRecord): Promise<string[]> {
  if (record.files === undefined || record.files.length === 0) return [];
  return attachments.release(record.id, record.files.map((f) => f.id));
}
