import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { World, within } from "../helpers/harness.ts";
import { ROOT } from "../helpers/process.ts";
import { denoBin } from "../helpers/runtimes.ts";

const run = promisify(execFile);

describe("the Deno tooling in deno.json", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("type-checks the Deno entry point and adapter with deno check", async () => {
    // 9 s on a quiet machine; a busy one took over 60.
    const { stderr } = await run(denoBin(), ["check", "src/main.deno.ts"], { cwd: ROOT, timeout: 150_000 });
    expect(stderr).not.toMatch(/error/i);
  }, 180_000);

  it("starts the daemon with deno task start, which serves /healthz and stops on SIGTERM with exit 0", async () => {
    const dir = await world.tempDir();
    const p = await world.spawn(
      { CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_DATA_DIR: dir, CHAT_CONFIG: "" },
      { command: { command: denoBin(), args: ["task", "start"] } },
    );
    expect(p.output()).toContain('"runtime":"deno"');
    const res = await fetch(`http://127.0.0.1:${p.port}/healthz`);
    expect(res.status).toBe(200);
    p.child.kill("SIGTERM");
    expect((await within(5000, p.exited, "exit")).code).toBe(0);
  });
});
