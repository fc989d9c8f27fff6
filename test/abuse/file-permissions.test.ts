import { chmod, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Logger } from "../../src/log.ts";
import { World } from "../helpers/harness.ts";

const modeOf = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

function recordingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const none = () => {};
  return { logger: { debug: none, info: none, warn: (msg: string) => void warnings.push(msg), error: none } as unknown as Logger, warnings };
}

describe("data file permissions", () => {
  const world = new World();
  let umask: number | undefined;
  afterEach(async () => {
    await world.cleanup();
    if (umask !== undefined) process.umask(umask);
  });

  it("creates folders 0700 and files 0600 under a umask of 022, and does not warn about them", async () => {
    umask = process.umask(0o022);
    const root = await mkdtemp(join(tmpdir(), "chatd-perm-"));
    world.onCleanup(() => rm(root, { recursive: true, force: true }));
    const dataDir = join(root, "data", "chatd");
    const { logger, warnings } = recordingLogger();
    const d = await world.daemon({}, { dataDir, logger });
    const { client } = await world.member(d, "alice");
    await world.signIn(d, "bob");
    await client.request({ type: "dm", to: "bob", text: "secret", ref: 1 }, "ack");
    for (const dir of [join(root, "data"), dataDir, join(dataDir, "chat"), join(dataDir, "users"), join(dataDir, "users", "a")]) expect(await modeOf(dir), dir).toBe("700");
    const files = [join(dataDir, "chat", "chat.jsonl"), join(dataDir, "chatd.lock"), join(dataDir, "users", "a", "alice.json"), join(dataDir, "users", "b", "bob.json")];
    for (const file of files) expect(await modeOf(file), file).toBe("600");
    expect(warnings.filter((w) => w.includes("read by other users"))).toEqual([]);
  });

  it("warns at start when an existing data folder is open to other users", async () => {
    umask = process.umask(0o022);
    const dataDir = await world.tempDir();
    await chmod(dataDir, 0o755);
    const { logger, warnings } = recordingLogger();
    await world.daemon({}, { dataDir, logger });
    expect(warnings.some((w) => w.includes("the data folder can be read by other users"))).toBe(true);
  });
});
