import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// Counts the folder opens syncDir makes (one per fsync of the folder).
const opened: string[] = [];
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  return {
    ...real,
    openSync: (path: string, ...rest: unknown[]) => {
      opened.push(path);
      return (real.openSync as (...a: unknown[]) => number)(path, ...rest);
    },
  };
});

const { syncDir } = await import("../../../../storage/fs/atomic-write.ts");

describe("syncDir", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "chatd-dirsync-"));
    opened.length = 0;
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("serves the calls made during one folder fsync with a single next fsync", async () => {
    const first = syncDir(dir);
    const during = Array.from({ length: 10 }, () => syncDir(dir));
    await Promise.all([first, ...during]);
    expect(opened.filter((p) => p === dir)).toHaveLength(2);
  });

  it("starts a new fsync for a call made after the last one ended", async () => {
    await syncDir(dir);
    await syncDir(dir);
    expect(opened.filter((p) => p === dir)).toHaveLength(2);
  });

  it("keeps folders apart", async () => {
    const other = await mkdtemp(join(tmpdir(), "chatd-dirsync-"));
    try {
      await Promise.all([syncDir(dir), syncDir(other)]);
      expect(opened.filter((p) => p === dir)).toHaveLength(1);
      expect(opened.filter((p) => p === other)).toHaveLength(1);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it("resolves for a folder that cannot be opened", async () => {
    await expect(syncDir(join(dir, "missing"))).resolves.toBeUndefined();
  });
});
