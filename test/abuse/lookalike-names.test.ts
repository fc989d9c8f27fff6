import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { afterEach, describe, expect, it } from "vitest";
import { PASSWORD, World } from "../helpers/harness.ts";

const INVISIBLE = ["alice\u034f", "alice\ufe0f", "alice\ufe00", "alice\u180b", "alice\u{e0100}", "alice\u3164", "alice\u115f", "alice\u17b4", "ali\u034fce"];
const LOOKALIKES = ["\u0430lice", "aIice", "al\u0131ce", "AIice"];

describe("names that look like another's", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  async function hello(d: { wsUrl: string }, user: string) {
    const client = await world.connect(d);
    return client.request({ type: "hello", user, password: PASSWORD }, "welcome", "error");
  }

  it("refuses new accounts holding invisible characters, and look-alikes of an existing name", async () => {
    const d = await world.daemon();
    await world.signIn(d, "alice");
    for (const name of INVISIBLE) expect(await hello(d, name), JSON.stringify(name)).toMatchObject({ type: "error", code: "bad_name", message: "user name may not hold invisible characters" });
    for (const name of LOOKALIKES) expect(await hello(d, name), JSON.stringify(name)).toMatchObject({ type: "error", code: "bad_name" });
    expect(await hello(d, "aIice")).toMatchObject({ message: "user name looks like an existing user's name" });
    // The members list shows one alice.
    const { client } = await world.member(d, "bob");
    expect((await client.request({ type: "join", room: "general" }, "joined")).members).toEqual(["bob"]);
    // A name nobody has that looks like nothing taken is fine, in any one script.
    for (const name of ["alicia", "\u0438\u0432\u0430\u043d", "M\u00fcller", "\u65e5\u672c\u8a9e"]) expect(await hello(d, name), name).toMatchObject({ type: "welcome" });
  });

  it("refuses a new name mixing Latin with Cyrillic or Greek, and looks-alike of each other both ways", async () => {
    const d = await world.daemon();
    expect(await hello(d, "bob\u0436\u0443\u043a")).toMatchObject({ type: "error", code: "bad_name", message: expect.stringContaining("mixes scripts") });
    expect(await hello(d, "abc\u03b1\u03b2")).toMatchObject({ type: "error", code: "bad_name" });
    // Latin with one other recommended script (not Cyrillic or Greek) is moderately restrictive: allowed.
    expect(await hello(d, "abc\u65e5\u672c")).toMatchObject({ type: "welcome" });
    // The first of two look-alikes wins, whichever it is.
    expect(await hello(d, "aIex")).toMatchObject({ type: "welcome" });
    expect(await hello(d, "alex")).toMatchObject({ type: "error", code: "bad_name" });
  });

  it("keeps accounts that exist working, and counts them when it builds the index", async () => {
    const dataDir = await world.tempDir();
    // An account made before this rule: Cyrillic а, and an invisible character.
    const old = [
      { name: "\u0430lice", key: "\u0430lice" },
      { name: "bob\u034f", key: "bob\u034f" },
    ];
    for (const { name, key } of old) {
      const dir = join(dataDir, "users", [...key][0]!);
      await mkdir(dir, { recursive: true });
      const record = { name, key, passwordHash: bcrypt.hashSync(PASSWORD, 4), role: "user", createdAt: 1, lastSeenAt: 1, tokens: [] };
      await writeFile(join(dir, `${key}.json`), JSON.stringify(record));
    }
    const d = await world.daemon({}, { dataDir });
    for (const { name } of old) expect(await hello(d, name), name).toMatchObject({ type: "welcome", user: name, created: false });
    // The Latin "alice" now looks like the older account: refused.
    expect(await hello(d, "alice")).toMatchObject({ type: "error", code: "bad_name", message: "user name looks like an existing user's name" });
    expect(await hello(d, "bob")).toMatchObject({ type: "welcome", created: true });
  });

  it("refuses a new room that looks like an existing one or mixes scripts, and joins existing rooms as before", async () => {
    const d = await world.daemon({ rooms: ["general"] });
    const { client } = await world.signIn(d, "carol");
    expect(await client.request({ type: "join", room: "g\u0435neral", ref: 1 }, "joined", "error")).toMatchObject({ type: "error", code: "bad_name" });
    expect(await client.request({ type: "join", room: "GENERAL", ref: 2 }, "joined", "error")).toMatchObject({ type: "joined", room: "general" });
    expect(await client.request({ type: "join", room: "random", ref: 3 }, "joined", "error")).toMatchObject({ type: "joined" });
    expect(await client.request({ type: "join", room: "rand0m", ref: 4 }, "joined", "error")).toMatchObject({ type: "error", code: "bad_name", message: "room name looks like an existing room's name" });
    expect(await client.request({ type: "join", room: "room\u034f", ref: 5 }, "joined", "error")).toMatchObject({ type: "error", code: "bad_name" });
    expect(await client.request({ type: "join", room: "caf\u0435\u0439", ref: 6 }, "joined", "error")).toMatchObject({ type: "error", code: "bad_name" });
  });
});
