import { chmod, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Logger } from "../../src/log.ts";
import { World } from "../helpers/harness.ts";
import { put } from "../helpers/files.ts";

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

  it("keeps uploaded files the same way: the file store's folders 0700 (their names are the files' ids), its files 0600", async () => {
    umask = process.umask(0o022);
    const root = await mkdtemp(join(tmpdir(), "chatd-perm-"));
    world.onCleanup(() => rm(root, { recursive: true, force: true }));
    // files.dir outside the data folder, as a cluster's shared folder is: its own modes are all that guard it.
    const filesDir = join(root, "shared");
    const d = await world.daemon({ files: { dir: filesDir } }, { dataDir: join(root, "data") });
    const { client, welcome } = await world.member(d, "alice");
    const file = await put(d.url, welcome.token, "secret", "s.txt");
    await client.request({ type: "say", room: "general", files: [file.id], ref: 1 }, "ack");
    const [owner] = await readdir(join(filesDir, "uploads"));
    const folders = [filesDir, ...["blobs", "meta", "refs", "tmp", "uploads"].map((f) => join(filesDir, f)), join(filesDir, "refs", file.id as string), join(filesDir, "uploads", owner!)];
    for (const dir of folders) expect(await modeOf(dir), dir).toBe("700");
    const [ref] = await readdir(join(filesDir, "refs", file.id as string));
    const [entry] = await readdir(join(filesDir, "uploads", owner!));
    const files = [join(filesDir, "blobs", file.id as string), join(filesDir, "meta", `${file.id}.json`), join(filesDir, "refs", file.id as string, ref!), join(filesDir, "uploads", owner!, entry!)];
    for (const f of files) expect(await modeOf(f), f).toBe("600");
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
