import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/index.ts";
import { CONSOLE_HELP, runConsoleCommand } from "../../../src/ops/console.ts";
import { setConfigSource } from "../../../src/ops/reload.ts";
import { startDaemon, type TestDaemon } from "../../helpers/daemon.ts";

describe("the console reload command", () => {
  let d: TestDaemon | undefined;
  afterEach(async () => {
    await d?.close();
    d = undefined;
  });

  it("is listed in help", () => {
    expect(CONSOLE_HELP).toMatch(/^ {2}reload /m);
  });

  it("reloads the config and says what changed and what needs a restart", async () => {
    d = await startDaemon({ motd: "old" });
    const dataDir = d.dataDir;
    setConfigSource(d.daemon, async () => parseConfig({ host: "127.0.0.1", port: 9, bcryptCost: 4, adminToken: d!.config.adminToken, motd: "new", dataDir }));
    expect(await runConsoleCommand(d.daemon, "reload")).toBe("reloaded: changed motd; needs a process restart: port; tls off");
    expect(await runConsoleCommand(d.daemon, "reload")).toBe("reloaded: nothing changed; needs a process restart: port; tls off");
  });

  it("answers an error and changes nothing when the file is invalid", async () => {
    d = await startDaemon({ motd: "kept" });
    setConfigSource(d.daemon, async () => parseConfig({ motd: 5 }));
    expect(await runConsoleCommand(d.daemon, "reload")).toMatch(/^error: config: invalid configuration\n {2}motd: /);
    expect(d.config.motd).toBe("kept");
  });
});
