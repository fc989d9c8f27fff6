import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { skeleton } from "../../../../src/unicode/skeleton.ts";
import { createSkeletonFile, SKELETONS_FILE } from "../../../../storage/users/skeleton-file.ts";

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "chatd-skeletons-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("createSkeletonFile", () => {
  it("cuts off a torn last line, so the next claim is a line of its own and holds after a restart", async () => {
    // A crash in the middle of a claim's append left half a line (no newline).
    await writeFile(join(root, SKELETONS_FILE), `${JSON.stringify({ s: "alice", k: "alice" })}\n{"s":"gho`);
    expect(await createSkeletonFile(root).claim("torn", [skeleton("torn")])).toBeUndefined();

    const lines = (await readFile(join(root, SKELETONS_FILE), "utf8")).split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { s: "alice", k: "alice" },
      { s: skeleton("torn"), k: "torn" },
    ]);
    // After a restart, "tom" (whose skeleton is "torn"'s) is still taken.
    expect(skeleton("tom")).toBe(skeleton("torn"));
    expect(await createSkeletonFile(root).claim("tom", [skeleton("tom")])).toBe("torn");
  });
});
