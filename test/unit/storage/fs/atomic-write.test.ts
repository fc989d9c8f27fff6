import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../../../storage/fs/atomic-write.ts";

describe("writeFileAtomic", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "chatd-atomic-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("creates a file, then replaces it whole, leaving no temp file", async () => {
    const path = join(dir, "alice.json");
    await writeFileAtomic(path, "first");
    await writeFileAtomic(path, "second");
    expect(await readFile(path, "utf8")).toBe("second");
    expect(await readdir(dir)).toEqual(["alice.json"]);
  });

  it("removes its temp file and rejects when the rename fails", async () => {
    // A non-empty folder where the file should go makes the rename fail after the temp file was written.
    const path = join(dir, "target.json");
    await mkdir(path);
    await writeFile(join(path, "inside"), "old");
    await expect(writeFileAtomic(path, "new")).rejects.toThrow();
    expect(await readFile(join(path, "inside"), "utf8")).toBe("old");
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
