import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../../src/config/index.ts";
import { filesDir } from "../../../src/files/create.ts";

describe("file settings", () => {
  let dir: string | undefined;
  afterEach(async () => dir && rm(dir, { recursive: true, force: true }));

  it("defaults to 10 MiB a file, 200 MiB a user a day, <dataDir>/files, and 24 hours for an unshared upload", () => {
    const config = parseConfig({ dataDir: "/srv/chat" });
    expect(config.limits.maxFileBytes).toBe(10 * 1024 * 1024);
    expect(config.limits.fileBytesPerUserPerDay).toBe(200 * 1024 * 1024);
    expect(config.files).toEqual({ dir: "", unsharedTtlMs: 86_400_000 });
    expect(filesDir(config)).toBe(join("/srv/chat", "files"));
  });

  it("takes files.dir from CHAT_FILES_DIR, resolved against the working directory", async () => {
    dir = await mkdtemp(join(tmpdir(), "chatd-config-"));
    const config = await loadConfig({ CHAT_CONFIG: "", CHAT_FILES_DIR: "shared/files" }, dir);
    expect(config.files.dir).toBe(join(dir, "shared/files"));
    expect(filesDir(config)).toBe(join(dir, "shared/files"));
  });

  it("refuses unknown fields and impossible limits", () => {
    expect(() => parseConfig({ files: { folder: "x" } })).toThrow(/files/);
    expect(() => parseConfig({ limits: { maxFileBytes: 0 } })).toThrow(/limits.maxFileBytes/);
    expect(() => parseConfig({ limits: { fileBytesPerUserPerDay: -1 } })).toThrow(/limits.fileBytesPerUserPerDay/);
  });
});
