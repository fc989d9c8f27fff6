// docs/cluster.md "Redis down": a `say` answered `unavailable` was not stored. A Redis that
// hangs (stopped, swapping, a long command) rather than drops the connection keeps the append
// in its socket buffer; once the node has given up on it, it must not be stored when Redis
// runs again, or a message its sender was told "not sent" reaches everyone.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisLog } from "../../../../storage/chatlog/redis-log.ts";
import { StorageUnavailableError } from "../../../../storage/errors.ts";
import { RedisEngine } from "../../../../storage/redis/engine.ts";
import { needBinary } from "../../../helpers/needs.ts";

/** A Redis of this test's own, so it can be stopped without disturbing other tests. */
const PORT = 6440 + (process.pid % 50);
let pid = 0;

beforeAll(() => {
  needBinary("redis-server");
  needBinary("redis-cli");
  execFileSync("redis-server", ["--port", String(PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "yes"]);
  for (let i = 0; i < 50 && pid === 0; i++) {
    try {
      const info = execFileSync("redis-cli", ["-p", String(PORT), "info", "server"], { stdio: "pipe" }).toString();
      pid = Number(/process_id:(\d+)/.exec(info)?.[1] ?? 0);
    } catch {
      execFileSync("sleep", ["0.1"]);
    }
  }
});
afterAll(() => {
  if (pid) process.kill(pid, "SIGCONT");
  try {
    execFileSync("redis-cli", ["-p", String(PORT), "shutdown", "nosave"], { stdio: "pipe" });
  } catch {
    // already stopped
  }
});

describe("createRedisLog on a Redis that hangs", () => {
  it("does not store an append it already answered as failed once Redis runs again", async () => {
    const engine = new RedisEngine({ url: `redis://127.0.0.1:${PORT}`, keyPrefix: "late:", commandTimeoutMs: 1000 });
    await engine.open();
    try {
      const log = createRedisLog({ engine, historyPerRoom: 100 });
      await log.open();
      const first = await log.append({ room: "general", from: "alice", text: "before" });
      const told: string[] = [];
      engine.feed.subscribe((item) => {
        if (item.kind === "message") told.push((item.record as { text: string }).text);
      });

      process.kill(pid, "SIGSTOP");
      const late = log.append({ room: "general", from: "alice", text: "while stopped" });
      await expect(late).rejects.toBeInstanceOf(StorageUnavailableError);
      process.kill(pid, "SIGCONT");

      const after = await log.append({ room: "general", from: "alice", text: "after" });
      await expect.poll(() => told).toContain("after");
      expect(told).not.toContain("while stopped");
      const page = await log.history("general", { limit: 10 });
      expect(page.messages.map((m) => m.id)).toEqual([first.id, after.id]);
    } finally {
      await engine.close();
    }
  });
});
