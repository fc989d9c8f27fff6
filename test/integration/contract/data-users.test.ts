// docs/data.md "Files" and "User files in memory": a corrupt user file refuses that user (and
// dms to them) until an operator repairs or removes it; a repaired file is read again.
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../../src/log.ts";
import { ask, PASSWORD, World } from "../../helpers/harness.ts";

describe("a corrupt user file", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("refuses that user's sign-in and dms to them with unavailable, until the file is repaired", async () => {
    const d = await world.daemon();
    await world.signIn(d, "alice");
    const bob = await world.signIn(d, "bob");
    const path = join(d.dataDir, "users", "a", "alice.json");
    const good = await readFile(path, "utf8");
    await writeFile(path, "{ not json");
    const client = await world.connect(d);
    expect(await client.request({ type: "hello", user: "alice", password: PASSWORD }, "welcome", "error")).toMatchObject({ code: "unavailable" });
    expect(await ask(bob.client, { type: "dm", to: "alice", text: "there?" })).toMatchObject({ type: "error", code: "unavailable" });
    // Everyone else is unaffected.
    expect((await ask(bob.client, { type: "dm", to: "bob", text: "note to self" })).type).toBe("ack");

    await writeFile(path, good);
    const again = await world.signIn(d, "alice");
    expect(again.welcome.user).toBe("alice");
    expect((await ask(bob.client, { type: "dm", to: "alice", text: "back?" })).type).toBe("ack");
  });

  it("lets the name sign in afresh once an operator removed the file", async () => {
    const d = await world.daemon();
    await world.signIn(d, "alice");
    const path = join(d.dataDir, "users", "a", "alice.json");
    await writeFile(path, "");
    const client = await world.connect(d);
    expect(await client.request({ type: "hello", user: "alice", password: "another-one" }, "welcome", "error")).toMatchObject({ code: "unavailable" });
    await rm(path);
    const fresh = await world.signIn(d, "alice", "another-one");
    expect(fresh.welcome.created).toBe(true);
  });

  it("counts a JSON file that is no account (a field missing or of the wrong type) as corrupt: logged, and unavailable", async () => {
    const lines: string[] = [];
    const d = await world.daemon({}, { logger: createLogger({ level: "info", write: (l) => lines.push(l) }) });
    await world.signIn(d, "alice");
    const bob = await world.signIn(d, "bob");
    const path = join(d.dataDir, "users", "a", "alice.json");
    const good = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    for (const broken of [{}, { ...good, passwordHash: undefined }, { ...good, key: 7 }, { ...good, tokens: "none" }]) {
      lines.length = 0;
      await writeFile(path, JSON.stringify(broken));
      const client = await world.connect(d);
      expect(await client.request({ type: "hello", user: "alice", password: PASSWORD }, "welcome", "error")).toMatchObject({ code: "unavailable" });
      expect(await ask(bob.client, { type: "dm", to: "alice", text: "there?" })).toMatchObject({ type: "error", code: "unavailable" });
      const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logged).toContainEqual(expect.objectContaining({ level: "error", msg: "corrupt user file; that user is refused", path }));
      expect(logged.filter((l) => l.msg === "request failed")).toEqual([]);
    }
    await writeFile(path, JSON.stringify(good));
    expect((await world.signIn(d, "alice")).welcome.user).toBe("alice");
  });
});
