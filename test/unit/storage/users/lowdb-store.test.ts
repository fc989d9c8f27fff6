import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLowdbUserStore } from "../../../../storage/users/lowdb-store.ts";
import type { UserRecord, UserStore } from "../../../../storage/users/types.ts";
import { AtomicJsonFile } from "../../../../storage/users/json-file-adapter.ts";
import { StorageUnavailableError } from "../../../../storage/errors.ts";

let dataDir: string;
let store: UserStore;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "chatd-users-"));
  store = createLowdbUserStore(dataDir);
});
afterEach(async () => {
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
});

function user(key: string, fields: Partial<UserRecord> = {}): UserRecord {
  return { name: key, key, passwordHash: "$2b$04$hash", role: "user", createdAt: 1, lastSeenAt: 1, tokens: [], ...fields };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe("createLowdbUserStore", () => {
  describe("create", () => {
    it("writes the record to <data>/users/<first letter>/<key>.json", async () => {
      const record = user("bob", { name: "Bob" });
      expect(await store.create(record)).toBe(true);
      const path = join(dataDir, "users", "b", "bob.json");
      expect(JSON.parse(await readFile(path, "utf8"))).toEqual(record);
    });

    it("shards by a lower-cased first letter", async () => {
      await store.create(user("Zed"));
      expect(await readdir(join(dataDir, "users"))).toEqual(["z"]);
      expect(await exists(join(dataDir, "users", "z", "Zed.json"))).toBe(true);
    });

    it("shards by the first character, not the first UTF-16 code unit", async () => {
      await store.create(user("\u{10330}x"));
      await store.create(user("émile"));
      const shards = (await readdir(join(dataDir, "users"))).sort();
      expect(shards).toEqual(["é", "\u{10330}"].sort());
    });

    it("returns true once and false after, keeping the first record", async () => {
      expect(await store.create(user("carol", { passwordHash: "first" }))).toBe(true);
      expect(await store.create(user("carol", { passwordHash: "second" }))).toBe(false);
      expect((await store.get("carol"))?.passwordHash).toBe("first");
    });

    it("creates exactly one account from 20 concurrent calls for the same key", async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.create(user("dave", { passwordHash: `hash-${i}` }))),
      );
      expect(results.filter((r) => r === true)).toHaveLength(1);
      expect(results.filter((r) => r === false)).toHaveLength(19);
      const winner = results.indexOf(true);
      expect((await store.get("dave"))?.passwordHash).toBe(`hash-${winner}`);
      expect(await store.count()).toBe(1);
      expect(await readdir(join(dataDir, "users", "d"))).toEqual(["dave.json"]);
    });

    it("creates different keys concurrently", async () => {
      const keys = ["ann", "amy", "ben", "cat", "abe"];
      const results = await Promise.all(keys.map((k) => store.create(user(k))));
      expect(results).toEqual(keys.map(() => true));
      expect(await store.count()).toBe(keys.length);
    });

    it("sees accounts made by another store instance on the same folder", async () => {
      await store.create(user("erin"));
      const other = createLowdbUserStore(dataDir);
      expect(await other.create(user("erin"))).toBe(false);
      expect((await other.get("erin"))?.key).toBe("erin");
    });
  });

  describe("get", () => {
    it("returns undefined for an unknown key", async () => {
      expect(await store.get("nobody")).toBeUndefined();
    });

    it("does not create a file or folder for an unknown key", async () => {
      await store.get("nobody");
      expect(await exists(join(dataDir, "users", "n"))).toBe(false);
    });

    it("returns the stored record", async () => {
      const record = user("fay", { tokens: [{ hash: "ab", createdAt: 1, expiresAt: 2 }] });
      await store.create(record);
      expect(await store.get("fay")).toEqual(record);
    });

    it("returns a copy: changing what it returned changes neither the file nor the next get", async () => {
      await store.create(user("fay"));
      const first = await store.get("fay");
      first!.role = "admin";
      first!.tokens.push({ hash: "cd", createdAt: 1, expiresAt: 2 });
      expect(await store.get("fay")).toEqual(user("fay"));
    });

    it("sees a file an operator rewrote in place after it was read, even at the same size", async () => {
      const path = join(dataDir, "users", "h", "hal.json");
      await store.create(user("hal", { role: "user" }));
      expect((await store.get("hal"))?.role).toBe("user");
      // Past the file system's timestamp granularity, as any edit by hand is.
      await new Promise((r) => setTimeout(r, 30));
      const text = await readFile(path, "utf8");
      await writeFile(path, text.replace('"role": "user"', '"role": "xxxx"'));
      expect((await store.get("hal"))?.role).toBe("xxxx");
    });

    it("sees a file replaced, corrupted or removed after it was read", async () => {
      const path = join(dataDir, "users", "i", "ida.json");
      await store.create(user("ida"));
      await store.get("ida");
      await writeFile(`${path}.new`, JSON.stringify(user("ida", { role: "moderator" })));
      await rename(`${path}.new`, path);
      expect((await store.get("ida"))?.role).toBe("moderator");
      await writeFile(path, '{"name":"ida","pass');
      await expect(store.get("ida")).rejects.toBeInstanceOf(StorageUnavailableError);
      await rm(path);
      expect(await store.get("ida")).toBeUndefined();
    });

    it("sees an update made through another store instance on the same folder", async () => {
      await store.create(user("jo"));
      await store.get("jo");
      await createLowdbUserStore(dataDir).update("jo", (u) => {
        u.banned = { at: 5, reason: "spam" };
      });
      expect((await store.get("jo"))?.banned).toEqual({ at: 5, reason: "spam" });
    });

    it("reads the file every time with cacheSize 0", async () => {
      const uncached = createLowdbUserStore(dataDir, () => {}, { cacheSize: 0 });
      await uncached.create(user("kim"));
      expect(await uncached.get("kim")).toEqual(user("kim"));
      expect(await uncached.get("kim")).toEqual(user("kim"));
    });
  });

  describe("update", () => {
    it("applies the change, saves it and returns the new record", async () => {
      await store.create(user("gus"));
      const updated = await store.update("gus", (u) => {
        u.lastSeenAt = 99;
      });
      expect(updated?.lastSeenAt).toBe(99);
      expect((await store.get("gus"))?.lastSeenAt).toBe(99);
      const onDisk = JSON.parse(await readFile(join(dataDir, "users", "g", "gus.json"), "utf8")) as UserRecord;
      expect(onDisk.lastSeenAt).toBe(99);
    });

    it("returns undefined and writes nothing for an unknown key", async () => {
      let called = false;
      const result = await store.update("nobody", () => {
        called = true;
      });
      expect(result).toBeUndefined();
      expect(called).toBe(false);
      expect(await exists(join(dataDir, "users", "n", "nobody.json"))).toBe(false);
    });

    it("serialises concurrent updates of one key so none is lost", async () => {
      await store.create(user("hal"));
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.update("hal", (u) => {
            u.tokens.push({ hash: `t${i}`, createdAt: i, expiresAt: i });
          }),
        ),
      );
      const tokens = (await store.get("hal"))!.tokens.map((t) => t.hash);
      expect(tokens).toEqual(Array.from({ length: 50 }, (_, i) => `t${i}`));
    });

    it("serialises updates with a concurrent create of the same key", async () => {
      const created = store.create(user("ivy"));
      const updated = store.update("ivy", (u) => {
        u.lastSeenAt = 5;
      });
      expect(await created).toBe(true);
      expect((await updated)?.lastSeenAt).toBe(5);
    });

    it("keeps serving a key after a change function throws", async () => {
      await store.create(user("jay"));
      await expect(
        store.update("jay", () => {
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect((await store.update("jay", (u) => void (u.lastSeenAt = 7)))?.lastSeenAt).toBe(7);
    });
  });

  describe("a disk that cannot be written (full)", () => {
    const full = () => Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });

    it("fails create and update with a storage error, changing nothing", async () => {
      await store.create(user("kim"));
      const write = AtomicJsonFile.prototype.write;
      AtomicJsonFile.prototype.write = async () => {
        throw full();
      };
      try {
        await expect(store.update("kim", (u) => void (u.role = "admin"))).rejects.toBeInstanceOf(StorageUnavailableError);
        await expect(store.create(user("lee"))).rejects.toBeInstanceOf(StorageUnavailableError);
      } finally {
        AtomicJsonFile.prototype.write = write;
      }
      expect((await store.get("kim"))?.role).toBe("user");
      expect(await store.get("lee")).toBeUndefined();
    });
  });

  describe("keys that escape the users folder", () => {
    it.each([
      ["a parent path", "../evil"],
      ["a nested path", "a/b"],
      ["a deep traversal", "a/../../../etc/passwd"],
      ["a backslash", "a\\b"],
      ["a leading dot", ".hidden"],
      ["'..'", ".."],
      ["'.'", "."],
      ["an absolute path", "/etc/passwd"],
      ["the empty key", ""],
    ])("throws for %s on get, create and update", async (_name, key) => {
      await expect(store.get(key)).rejects.toThrow();
      await expect(store.create(user(key))).rejects.toThrow();
      await expect(store.update(key, () => {})).rejects.toThrow();
      expect(await exists(join(dataDir, "evil.json"))).toBe(false);
      expect(await exists(join(dataDir, "users", "evil.json"))).toBe(false);
    });
  });

  describe("count", () => {
    it("is 0 when the users folder does not exist", async () => {
      expect(await store.count()).toBe(0);
    });

    it("counts accounts across shards", async () => {
      for (const k of ["ann", "abe", "bob", "cy"]) await store.create(user(k));
      expect(await store.count()).toBe(4);
    });

    it("ignores temp files, hidden files and other files", async () => {
      await store.create(user("kim"));
      const shard = join(dataDir, "users", "k");
      await writeFile(join(shard, ".x.json.tmp"), "{}");
      await writeFile(join(shard, ".kim.json.tmp"), "{}");
      await writeFile(join(shard, ".hidden.json"), "{}");
      await writeFile(join(shard, "notes.txt"), "x");
      await mkdir(join(dataDir, "users", "empty"), { recursive: true });
      expect(await store.count()).toBe(1);
    });

    it("ignores stray files at the top of the users folder", async () => {
      await store.create(user("lee"));
      await writeFile(join(dataDir, "users", "README.json"), "{}");
      expect(await store.count()).toBe(1);
    });
  });

  it("leaves no temp file behind after writes", async () => {
    await store.create(user("max"));
    await Promise.all(Array.from({ length: 10 }, () => store.update("max", (u) => void (u.lastSeenAt += 1))));
    expect(await readdir(join(dataDir, "users", "m"))).toEqual(["max.json"]);
    expect((await store.get("max"))?.lastSeenAt).toBe(11);
  });
});
