import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { Daemon } from "../../../../src/daemon.ts";
import { startNodeConsole } from "../../../../src/runtime/node/console.ts";

describe("the Node console", () => {
  it("answers lines that arrive together in the order they came, a slow command before a fast one included", async () => {
    const ops = {
      // `users` waits; `uptime` answers at once.
      users: () => new Promise((resolve) => setTimeout(() => resolve({ online: [], registered: 7 }), 50)),
      uptime: () => ({ state: "running", uptimeSeconds: 1, startedAt: "-", connections: 0, usersOnline: 0, restarts: 0 }),
    };
    const input = new PassThrough();
    const output = new PassThrough();
    let text = "";
    output.on("data", (c: Buffer) => (text += c.toString()));
    const close = startNodeConsole({ ops } as unknown as Daemon, input, output);
    input.write("users\nuptime\n");
    await new Promise((r) => setTimeout(r, 200));
    close();
    const users = text.indexOf("7 registered");
    const uptime = text.indexOf("running, up");
    expect(users).toBeGreaterThan(0);
    expect(uptime).toBeGreaterThan(users);
  });
});
