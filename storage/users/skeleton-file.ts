import { readdir, readFile, truncate } from "node:fs/promises";
import { join } from "node:path";
import { skeletonsOf } from "../../src/unicode/skeleton.ts";
import { writeFileAtomic } from "../fs/atomic-write.ts";
import { mkdirPrivate, openPrivate } from "../fs/private.ts";

export const SKELETONS_FILE = "skeletons.jsonl";

/**
 * The embedded store's index of name skeletons (UTS #39, see
 * src/unicode/skeleton.ts): `<dataDir>/users/skeletons.jsonl`, one
 * `{"s":skeleton,"k":key}` a line, appended (and synced) before the account
 * it is for is created. Built once from the user files when it is missing (a
 * data folder from before it existed), so existing accounts hold their
 * skeletons too. A torn last line (a crash mid-append) is cut off, or the
 * next append would be glued to it and that claim lost at the next start.
 */
export function createSkeletonFile(root: string) {
  const path = join(root, SKELETONS_FILE);
  let index: Map<string, string> | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  async function load(): Promise<Map<string, string>> {
    if (index) return index;
    const map = new Map<string, string>();
    let text: string | undefined;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    if (text === undefined) {
      for (const { key, name } of await scanUsers(root)) for (const s of skeletonsOf(name, key)) if (!map.has(s)) map.set(s, key);
      // With no accounts yet there is nothing to keep: the first claim's append makes the file.
      if (map.size > 0) {
        await mkdirPrivate(root);
        await writeFileAtomic(path, [...map].map(([s, k]) => `${JSON.stringify({ s, k })}\n`).join(""));
      }
    } else {
      const end = text.lastIndexOf("\n") + 1;
      if (end < text.length) {
        await truncate(path, Buffer.byteLength(text.slice(0, end)));
        text = text.slice(0, end);
      }
      for (const line of text.split("\n")) {
        try {
          const { s, k } = JSON.parse(line) as { s: string; k: string };
          if (typeof s === "string" && typeof k === "string" && !map.has(s)) map.set(s, k);
        } catch {
          // Empty line, or one no chatd wrote.
        }
      }
    }
    return (index = map);
  }

  async function claim(key: string, skeletons: string[]): Promise<string | undefined> {
    const map = await load();
    for (const s of skeletons) {
      const holder = map.get(s);
      if (holder !== undefined && holder !== key) return holder;
    }
    const fresh = skeletons.filter((s) => !map.has(s));
    if (fresh.length === 0) return undefined;
    await mkdirPrivate(root);
    const file = await openPrivate(path, "a");
    try {
      await file.writeFile(fresh.map((s) => `${JSON.stringify({ s, k: key })}\n`).join(""));
      await file.datasync();
    } finally {
      await file.close();
    }
    for (const s of fresh) map.set(s, key);
    return undefined;
  }

  return {
    /** Records the skeletons as `key`'s unless one is another key's: resolves that key, or undefined once recorded. */
    claim(key: string, skeletons: string[]): Promise<string | undefined> {
      // One claim at a time: check and record in one step.
      const result = queue.then(() => claim(key, skeletons));
      queue = result.catch(() => {});
      return result;
    },
  };
}

/** Every account's key and display name, read from the user files. */
async function scanUsers(root: string): Promise<Array<{ key: string; name: string }>> {
  const users: Array<{ key: string; name: string }> = [];
  const shards = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const shard of shards) {
    if (!shard.isDirectory()) continue;
    for (const file of await readdir(join(root, shard.name)).catch(() => [] as string[])) {
      if (!file.endsWith(".json") || file.startsWith(".")) continue;
      try {
        const record = JSON.parse(await readFile(join(root, shard.name, file), "utf8")) as { key?: unknown; name?: unknown };
        if (typeof record.key === "string" && typeof record.name === "string") users.push({ key: record.key, name: record.name });
      } catch {
        // A corrupt file is reported when its user signs in; it has no skeleton here.
      }
    }
  }
  return users;
}
