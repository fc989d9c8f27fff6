import { open, readdir, rename, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { openPrivate } from "../fs/private.ts";

/*
 * Size-based rotation of the chat log: when `chat.jsonl` reaches
 * `chatLog.maxBytes`, it becomes `chat.1.jsonl` (the previous `chat.1` becomes
 * `chat.2`, and so on) and a new `chat.jsonl` starts. Only `chatLog.keepFiles`
 * rotated files are kept; older ones are deleted.
 */

export const CURRENT = "chat.jsonl";
const ROTATED = /^chat\.(\d+)\.jsonl$/;

export function rotatedName(n: number): string {
  return `chat.${n}.jsonl`;
}

/** The rotated files in `dir`, oldest first (highest number first). */
export async function rotatedFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .map((name) => ({ name, n: Number(ROTATED.exec(name)?.[1]) }))
    .filter((f) => Number.isInteger(f.n) && f.n > 0)
    .sort((a, b) => b.n - a.n)
    .map((f) => join(dir, f.name));
}

/** Shifts the files one place (the current one must be closed) and deletes what is past `keepFiles`. */
export async function rotate(dir: string, keepFiles: number): Promise<void> {
  for (const path of await rotatedFiles(dir)) {
    const n = Number(ROTATED.exec(path.slice(dir.length + 1))![1]);
    if (n >= keepFiles) await rm(path, { force: true });
    else await rename(path, join(dir, rotatedName(n + 1)));
  }
  if (keepFiles > 0) await rename(join(dir, CURRENT), join(dir, rotatedName(1)));
  else await rm(join(dir, CURRENT), { force: true });
}

/**
 * When and how the current file rotates: once it reaches `maxBytes` (0:
 * never). After a failed rotation the next try waits until the file has grown
 * by another `maxBytes`, not at every write.
 */
export class Rotation {
  #rotateAt: number;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
    readonly keepFiles: number,
    readonly warn: (message: string, fields?: Record<string, unknown>) => void,
  ) {
    this.#rotateAt = maxBytes;
  }

  due(size: number): boolean {
    return this.maxBytes > 0 && size >= this.#rotateAt;
  }

  /**
   * Nothing in flight: closes `current`, shifts the files and opens a new
   * current file (the old one again if the rotation failed). `rotated`: a new
   * file was started.
   */
  async run(current: FileHandle | undefined): Promise<{ file: FileHandle; size: number; rotated: boolean }> {
    let rotated = false;
    try {
      await current?.close();
      await rotate(this.dir, this.keepFiles);
      rotated = true;
    } catch (error) {
      this.warn("chat log: rotation failed; continuing in the current file", { error: (error as Error).message });
    }
    const file = await openPrivate(join(this.dir, CURRENT), "a");
    const size = (await file.stat()).size;
    this.#rotateAt = rotated ? this.maxBytes : size + this.maxBytes;
    return { file, size, rotated };
  }
}
