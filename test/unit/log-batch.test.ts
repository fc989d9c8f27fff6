import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { batchLines } from "../../src/log-batch.ts";

function harness() {
  const writes: string[] = [];
  const schedules: Array<() => void> = [];
  const batch = batchLines(
    (text) => writes.push(text),
    (flush) => schedules.push(flush),
  );
  const due = () => schedules.splice(0).forEach((flush) => flush());
  return { writes, schedules, batch, due };
}

describe("batchLines", () => {
  it("writes the lines logged before the scheduled flush with one write, in order, each ending in a newline", () => {
    const { writes, schedules, batch, due } = harness();
    batch.line("a");
    batch.line("b");
    batch.line("c");
    expect(writes).toEqual([]);
    expect(schedules).toHaveLength(1);
    due();
    expect(writes).toEqual(["a\nb\nc\n"]);
  });

  it("schedules again for the next line, and writes nothing when nothing was logged", () => {
    const { writes, schedules, batch, due } = harness();
    batch.line("a");
    due();
    due();
    batch.line("b");
    expect(schedules).toHaveLength(1);
    due();
    expect(writes).toEqual(["a\n", "b\n"]);
  });

  it("flush writes what is pending at once, and the scheduled flush then writes nothing twice", () => {
    const { writes, batch, due } = harness();
    batch.line("a");
    batch.flush();
    expect(writes).toEqual(["a\n"]);
    batch.line("b");
    due();
    expect(writes).toEqual(["a\n", "b\n"]);
  });

  it("writes without waiting for the schedule once 64 KiB are pending, keeping the order", () => {
    const { writes, batch, due } = harness();
    const long = "x".repeat(1000);
    for (let i = 0; i < 100; i++) batch.line(`${i} ${long}`);
    expect(writes.length).toBeGreaterThan(0);
    due();
    const lines = writes.join("").split("\n").slice(0, -1);
    expect(lines.map((l) => Number(l.split(" ")[0]))).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(writes.every((w) => w.length <= 64 * 1024 + 1010)).toBe(true);
  });
});

describe("stdout log lines of the Node runtime", () => {
  // The built module (test/helpers/global-setup.ts builds dist/): a child Node 20 runs no TypeScript.
  const module = fileURLToPath(new URL("../../dist/src/runtime/node/stdout-lines.js", import.meta.url));

  it("reach a pipe in order and whole, also when the process exits in the turn that logged them", () => {
    const script = `
      import { stdoutLine } from ${JSON.stringify(module)};
      for (let i = 0; i < 5000; i++) stdoutLine(JSON.stringify({ msg: "line", i }));
      setImmediate(() => {
        stdoutLine("last of the turn");
        process.exit(0);
      });
    `;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.pop()).toBe("last of the turn");
    expect(lines.map((l) => JSON.parse(l).i)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it("writes what is logged during exit, and what was pending when an uncaught error ends the process", () => {
    const script = `
      import { stdoutLine } from ${JSON.stringify(module)};
      stdoutLine("first");
      process.on("exit", () => stdoutLine("logged while exiting"));
      setImmediate(() => {
        stdoutLine("pending at the crash");
        throw new Error("boom");
      });
    `;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("first\npending at the crash\nlogged while exiting\n");
  });

  it("writes a line logged after a quiet spell by the end of its turn, and every line once, in order", () => {
    const script = `
      import { stdoutLine } from ${JSON.stringify(module)};
      const writes = [];
      const log = console.log;
      console.log = (text) => { writes.push(text); log(text); };
      stdoutLine("first");
      setImmediate(() => {
        log(writes.length === 1 ? "written by the end of its turn" : "not written yet");
        let i = 0;
        const more = () => { stdoutLine("more " + i); if (++i < 50) setImmediate(more); };
        more();
      });
    `;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n").slice(0, -1);
    expect(lines.slice(0, 2)).toEqual(["first", "written by the end of its turn"]);
    expect(lines.slice(2)).toEqual(Array.from({ length: 50 }, (_, i) => `more ${i}`));
  });
});
