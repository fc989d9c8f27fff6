import { existsSync } from "node:fs";
import { cp } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { World, within, writeConfig } from "../../helpers/harness.ts";
import { put } from "../../helpers/files.ts";
import { daemonCommand, type RuntimeName } from "../../helpers/runtimes.ts";

/**
 * docs/operations.md, "Backups": a copy of a stopped daemon's data folder is complete (no
 * lock in it), and a daemon started on it, on either runtime, has the accounts, the
 * history, the resume tokens and the uploads of the moment of the copy.
 */

const other = (runtime: RuntimeName): RuntimeName => (runtime === "node" ? "deno" : "node");

describe.each<RuntimeName>(["node", "deno"])("a backup made on %s", (runtime) => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("is the stopped data folder copied; restored, on this runtime or the other, it has the accounts, history, tokens and uploads", async () => {
    const dir = await world.tempDir();
    const config = await writeConfig(dir, { bcryptCost: 4 });
    const start = (dataDir: string, on: RuntimeName) =>
      world.spawn({ CHAT_CONFIG: config, CHAT_DATA_DIR: dataDir, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0" }, { command: daemonCommand(on) });

    const live = join(dir, "data");
    const first = await start(live, runtime);
    const { client, welcome } = await world.signIn(`ws://127.0.0.1:${first.port}/ws`, "alice");
    await client.request({ type: "join", room: "general" }, "joined");
    const ack = await client.request({ type: "say", room: "general", text: "before the backup", ref: 1 }, "ack");
    const stored = await put(`http://127.0.0.1:${first.port}`, welcome.token, "kept bytes", "kept.txt");
    first.child.kill("SIGTERM");
    expect((await within(5000, first.exited, "exit")).code).toBe(0);

    const copy = join(dir, "copy");
    await cp(live, copy, { recursive: true });
    expect(existsSync(join(copy, "chatd.lock"))).toBe(false);

    for (const on of [runtime, other(runtime)]) {
      const restored = await start(copy, on);
      const wsUrl = `ws://127.0.0.1:${restored.port}/ws`;
      const { client: again } = await world.signIn(wsUrl, "alice");
      const joined = await again.request({ type: "join", room: "general" }, "joined");
      expect(joined.history).toEqual([expect.objectContaining({ id: ack.id, text: "before the backup" })]);
      expect((await world.resume(wsUrl, welcome.token)).welcome.user).toBe("alice");
      const file = await fetch(`http://127.0.0.1:${restored.port}${stored.url as string}`);
      expect(await file.text()).toBe("kept bytes");
      restored.child.kill("SIGTERM");
      expect((await within(5000, restored.exited, "exit")).code).toBe(0);
    }
  });
});
