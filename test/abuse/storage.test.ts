import { spawnSync } from "node:child_process";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.ts";
import { World, PASSWORD } from "../helpers/harness.ts";
import { AtomicJsonFile } from "../../storage/users/json-file-adapter.ts";

/** A PID that certainly belongs to no running process: one that just exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);
}

describe("storage faults", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  describe("the data directory lock", () => {
    it("refuses a second daemon on the same data directory, and allows one after the first stopped", async () => {
      const first = await world.daemon();
      await expect(world.daemon({}, { dataDir: first.dataDir })).rejects.toThrow(/data directory .* is in use by another chatd \(pid \d+\)/);
      await first.close({ keepData: true });
      const second = await world.daemon({}, { dataDir: first.dataDir });
      await world.signIn(second, "alice");
    });

    it("makes a second daemon process exit 1 with a clear message", async () => {
      const dataDir = await world.tempDir();
      const env = { CHAT_PORT: "0", CHAT_HOST: "127.0.0.1", CHAT_DATA_DIR: dataDir, CHAT_CONFIG: join(dataDir, "none.json") };
      await writeFile(join(dataDir, "none.json"), "{}");
      await world.spawn(env);
      const second = await world.spawn(env, { waitListening: false });
      expect(await second.exited).toEqual({ code: 1, signal: null });
      expect(second.output()).toMatch(/chatd: cannot start: data directory .* is in use by another chatd/);
    });

    it("takes over a stale lock whose PID is no longer running", async () => {
      const dataDir = await world.tempDir();
      await writeFile(join(dataDir, "chatd.lock"), `${deadPid()}\n`);
      const d = await world.daemon({}, { dataDir });
      await world.signIn(d, "alice");
    });
  });

  describe("user files", () => {
    it("refuses only the user whose file is corrupt (unavailable), logs it, and serves everyone else", async () => {
      const lines: string[] = [];
      const d = await world.daemon({}, { logger: createLogger({ write: (l) => lines.push(l) }) });
      await world.signIn(d, "alice");
      await world.signIn(d, "bob");
      await writeFile(join(d.dataDir, "users", "a", "alice.json"), '{"name":"alice","passw');
      const client = await world.connect(d);
      expect(await client.request({ type: "hello", user: "alice", password: PASSWORD }, "welcome", "error")).toMatchObject({ code: "unavailable" });
      expect(lines.some((l) => l.includes('"level":"error"') && l.includes("corrupt user file") && l.includes("alice.json"))).toBe(true);
      await world.signIn(d, "bob");
    });

    it("treats an empty user file as corrupt, never as a free name to register", async () => {
      const d = await world.daemon();
      await world.signIn(d, "alice");
      await writeFile(join(d.dataDir, "users", "a", "alice.json"), "");
      const client = await world.connect(d);
      expect(await client.request({ type: "hello", user: "alice", password: "another-password" }, "welcome", "error")).toMatchObject({ code: "unavailable" });
    });

    it("ignores stray temp files left by a crash mid-write", async () => {
      const d = await world.daemon();
      await world.signIn(d, "alice");
      const shard = join(d.dataDir, "users", "a");
      await writeFile(join(shard, ".alice.json.1a2b3c.tmp"), '{"half":');
      await writeFile(join(shard, ".alice.json.tmp"), "");
      const users = await (await d.http("/admin/users", { admin: true })).json();
      expect(users.registered).toBe(1);
      await world.signIn(d, "alice");
    });

    it("leaves no temp files behind after writes", async () => {
      const d = await world.daemon();
      for (let i = 0; i < 3; i++) await world.signIn(d, "alice");
      expect(await readdir(join(d.dataDir, "users", "a"))).toEqual(["alice.json"]);
    });
  });

  describe("the chat log", () => {
    it("answers unavailable when the log cannot be written (disk full), sends the message to no one, and stays up", async () => {
      const d = await world.daemon();
      const { client: alice } = await world.member(d, "alice");
      const { client: bob } = await world.member(d, "bob");
      const log = d.daemon.chat!.chatLog;
      const append = log.append.bind(log);
      log.append = async () => {
        throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      };
      expect(await alice.request({ type: "say", room: "general", text: "lost?", ref: 1 }, "ack", "error")).toMatchObject({ code: "unavailable", ref: 1 });
      log.append = append;
      expect(await alice.request({ type: "say", room: "general", text: "back", ref: 2 }, "ack", "error")).toMatchObject({ type: "ack", ref: 2 });
      const seen = (await bob.next("message")).text;
      expect(seen).toBe("back");
      expect((await d.http("/healthz")).status).toBe(200);
    });
  });

  describe("user files on a full disk", () => {
    /** Every user-file write fails as on a full disk (the daemon runs in this process). */
    let restore: (() => void) | undefined;
    const fillDisk = () => {
      const write = AtomicJsonFile.prototype.write;
      AtomicJsonFile.prototype.write = async () => {
        throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      };
      restore = () => {
        AtomicJsonFile.prototype.write = write;
        restore = undefined;
      };
    };
    afterEach(() => restore?.());

    it("answers a password sign-in with unavailable, not internal, and signs in once there is room again", async () => {
      const d = await world.daemon();
      await world.signIn(d, "alice");
      fillDisk();
      const client = await world.connect(d);
      expect(await client.request({ type: "hello", user: "alice", password: PASSWORD, ref: 1 }, "welcome", "error")).toMatchObject({ code: "unavailable" });
      // A new account cannot be stored either.
      const other = await world.connect(d);
      expect(await other.request({ type: "hello", user: "newcomer", password: PASSWORD }, "welcome", "error")).toMatchObject({ code: "unavailable" });
      restore!();
      await world.signIn(d, "alice");
    });

    it("answers every admin write with 503 unavailable, not 500, and changes nothing", async () => {
      const d = await world.daemon();
      await world.signIn(d, "bob");
      fillDisk();
      const writes: Array<[string, string, object]> = [
        ["POST", "/admin/mute", { user: "bob", room: "general", minutes: 5 }],
        ["POST", "/admin/unmute", { user: "bob", room: "general" }],
        ["POST", "/admin/ban", { user: "bob", reason: "spam" }],
        ["POST", "/admin/unban", { user: "bob" }],
        ["PUT", "/admin/role", { user: "bob", role: "moderator" }],
      ];
      for (const [method, path, body] of writes) {
        const res = await d.http(path, { admin: true, method, body: JSON.stringify(body) });
        expect(res.status, path).toBe(503);
        expect(await res.json(), path).toMatchObject({ error: "unavailable" });
      }
      restore!();
      // Nothing was stored: bob is neither banned nor muted.
      const { client } = await world.member(d, "bob");
      expect(await client.request({ type: "say", room: "general", text: "still here", ref: 1 }, "ack", "error")).toMatchObject({ type: "ack" });
    });
  });
});
