import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Daemon } from "../../../../src/daemon.ts";
import { startNodeConsole } from "../../../../src/runtime/node/console.ts";
import { stdoutLine } from "../../../../src/runtime/node/stdout-lines.ts";
import { Screen } from "../../../helpers/screen.ts";

/** A console on a pretend terminal: keys in, a screen out. */
function onTerminal(ops: object, columns = 80) {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  const output = Object.assign(new PassThrough(), { isTTY: true, columns });
  const screen = new Screen(columns);
  output.on("data", (c: Buffer) => screen.write(c.toString()));
  const interrupts: number[] = [];
  const close = startNodeConsole({ ops } as unknown as Daemon, input, output, () => interrupts.push(1));
  const settle = () => new Promise((r) => setTimeout(r, 20));
  return { input, screen, close, settle, interrupts };
}

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

  describe("on a terminal", () => {
    // A capable terminal: with TERM=dumb (as a CI runner may set) Node's readline neither moves the cursor nor redraws.
    const term = process.env.TERM;
    beforeEach(() => {
      process.env.TERM = "xterm-256color";
    });
    afterEach(() => {
      if (term === undefined) delete process.env.TERM;
      else process.env.TERM = term;
    });
    const ops = { uptime: () => ({ state: "running", uptimeSeconds: 1, startedAt: "-", connections: 0, usersOnline: 0, restarts: 0 }) };

    it("prints a log line above the prompt, and keeps the prompt and the typed text below it", async () => {
      const t = onTerminal(ops);
      try {
        t.input.write("upt");
        await t.settle();
        stdoutLine("12:00:00.000 INFO  signed in user=alice");
        await t.settle();
        expect(t.screen.lines()).toEqual(["chatd console: type help for commands", "12:00:00.000 INFO  signed in user=alice", "chatd> upt"]);
        // The typed text is still the line being edited: finishing it runs the command.
        t.input.write("ime\r");
        await t.settle();
        expect(t.screen.lines().slice(2)).toEqual(["chatd> uptime", expect.stringMatching(/^running, up 1s/), "chatd>"]);
      } finally {
        t.close();
      }
    });

    it("keeps a typed text that wraps over several rows whole below a log line", async () => {
      const t = onTerminal(ops, 20);
      try {
        const typed = "say " + "x".repeat(30);
        // Key by key, as a person types (readline redraws when the text wraps), then a paste.
        for (const key of typed.slice(0, 20)) t.input.write(key);
        await t.settle();
        t.input.write(typed.slice(20));
        await t.settle();
        stdoutLine("first log line");
        stdoutLine("second log line");
        await t.settle();
        const shown = "chatd> " + typed;
        expect(t.screen.lines().slice(-5)).toEqual(["first log line", "second log line", shown.slice(0, 20), shown.slice(20, 40), shown.slice(40)]);
      } finally {
        t.close();
      }
    });

    it("passes Ctrl-C on as an interrupt (the daemon stops as on SIGINT), and Ctrl-D only closes the console", async () => {
      const t = onTerminal(ops);
      t.input.write("\x03");
      await t.settle();
      expect(t.interrupts).toHaveLength(1);
      t.input.write("\x04");
      await t.settle();
      expect(t.interrupts).toHaveLength(1);
      t.close();
    });

    it("prints log lines as they come while a command runs, and stops taking them when closed", async () => {
      let release = () => {};
      const slow = { ...ops, users: () => new Promise((resolve) => (release = () => resolve({ online: [], registered: 1 }))) };
      const t = onTerminal(slow);
      t.input.write("users\r");
      await t.settle();
      stdoutLine("logged while users runs");
      release();
      await t.settle();
      expect(t.screen.lines().slice(1)).toEqual(["chatd> users", "logged while users runs", "0 online, 1 registered", "chatd>"]);
      t.close();
      const before = t.screen.lines();
      stdoutLine("after close (to stdout)");
      expect(t.screen.lines()).toEqual(before);
    });
  });
});
