import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { World, ask, eventually, say, within, writeConfig } from "../../helpers/harness.ts";

/**
 * docs/operations.md, "Console", over the process's stdin and stdout (CHAT_CONSOLE=on on a
 * pipe): the commands contract-process.test.ts leaves out — uptime, users, rooms, log with
 * edited, deleted and multi-line messages, and restart.
 */

describe("the console, over stdin and stdout", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("answers uptime, users, rooms and log as documented, and restart serves again on the same port", async () => {
    const dir = await world.tempDir();
    const p = await world.spawn({ CHAT_CONFIG: await writeConfig(dir, { bcryptCost: 4 }), CHAT_DATA_DIR: join(dir, "data"), CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_CONSOLE: "on" });
    /** Sends a command; resolves the output that follows it once `until` matches it. */
    const run = async (line: string, until: RegExp): Promise<string> => {
      const from = p.output().length;
      p.child.stdin!.write(`${line}\n`);
      await eventually(() => until.test(p.output().slice(from)), { what: `the answer to ${line}: ${until}` });
      return p.output().slice(from);
    };
    const wsUrl = `ws://127.0.0.1:${p.port}/ws`;
    const { client: alice } = await world.signIn(wsUrl, "alice");
    await alice.request({ type: "join", room: "general" }, "joined");
    await world.signIn(wsUrl, "alice");

    expect(await run("uptime", /restarts/)).toMatch(/running.*1 users? online.*0 restarts/s);
    const users = await run("users", /registered[\s\S]*alice/);
    expect(users).toMatch(/1 online, 1 registered/);
    expect(users).toMatch(/alice\s+2 session\(s\)\s+rooms: general\s+from 127\.0\.0\.1/);
    expect(await run("rooms", /general/)).toMatch(/general\s+1 member\(s\): alice/);

    const [, edited, gone] = await say(alice, "general", ["line one\nline two", "before", "doomed"]);
    expect(await ask(alice, { type: "edit", id: edited, text: "after" })).toMatchObject({ type: "ack" });
    expect(await ask(alice, { type: "delete", id: gone })).toMatchObject({ type: "ack" });
    const log = (await run("log 10", /\(deleted\)/)).split("\n").filter((l) => /#general/.test(l));
    expect(log.map((l) => l.replace(/^(chatd> )?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /, ""))).toEqual([
      "#general <alice> line one",
      "#general <alice> line two",
      "#general <alice> after",
      "#general <alice> (deleted)",
    ]);
    expect(await run("log 0", /usage/)).toMatch(/1 to 1000/);
    expect(await run("log 1001", /usage/)).toMatch(/1 to 1000/);

    await run("restart", /restarting/);
    expect(await alice.closed).toMatchObject({ code: 1012 });
    await eventually(async () => (await fetch(`http://127.0.0.1:${p.port}/healthz`)).ok, { what: "the same port serving again" });
    expect(await run("uptime", /restarts/)).toMatch(/1 restarts?/);
    p.child.stdin!.write("stop\n");
    expect(await within(5000, p.exited, "exit")).toEqual({ code: 0, signal: null });
  });
});
