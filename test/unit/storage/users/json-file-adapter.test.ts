import { mkdtemp, rm, stat, writeFile, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AtomicJsonFile, CorruptFileError } from "../../../../storage/users/json-file-adapter.ts";
import { stampOf } from "../../../../storage/users/record-cache.ts";

describe("AtomicJsonFile", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "chatd-adapter-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("reads a missing file as null (no such user)", async () => {
    expect(await new AtomicJsonFile(join(dir, "nobody.json")).read()).toBeNull();
  });

  it("stamps the version it read with its inode, size and modification time, and a missing file not at all", async () => {
    const path = join(dir, "alice.json");
    const file = new AtomicJsonFile<{ name: string }>(path);
    await file.write({ name: "alice" });
    await file.read();
    expect(file.stamp).toBe(stampOf(await stat(path, { bigint: true })));
    await rm(path);
    expect(await file.read()).toBeNull();
    expect(file.stamp).toBeUndefined();
  });

  it("round-trips what it writes", async () => {
    const file = new AtomicJsonFile<{ name: string }>(join(dir, "alice.json"));
    await file.write({ name: "alice" });
    expect(await file.read()).toEqual({ name: "alice" });
    expect(JSON.parse(await readFile(join(dir, "alice.json"), "utf8"))).toEqual({ name: "alice" });
  });

  it.each([
    ["empty", ""],
    ["whitespace only", "  \n"],
    ["truncated", '{"name":"al'],
    ["not an object", "[1,2]"],
    ["null", "null"],
  ])("reports a %s file as corrupt", async (_what, content) => {
    const path = join(dir, "bad.json");
    await writeFile(path, content);
    await expect(new AtomicJsonFile(path).read()).rejects.toBeInstanceOf(CorruptFileError);
  });
});
