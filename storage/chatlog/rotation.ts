import { readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";

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
