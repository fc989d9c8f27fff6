// docs/data.md "Chat log rotation" and "The search index": which files a rotating log keeps,
// and that what only deleted files held is gone at once, before any restart.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ask, eventually, World } from "../../helpers/harness.ts";
import type { Frame, TestClient } from "../../helpers/client.ts";

type Json = Record<string, unknown>;

async function search(client: TestClient, q: string): Promise<Frame> {
  for (let i = 0; i < 100; i++) {
    const f = await client.request({ type: "search", q }, "results", "error");
    if (f.type === "results") return f;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("search never became available");
}

/** The first message id in a log file; "~" (after every id) for a file still empty. */
async function firstId(path: string): Promise<string> {
  const line = (await readFile(path, "utf8")).split("\n")[0]!;
  return line === "" ? "~" : ((JSON.parse(line) as Json).id as string);
}

describe("a rotating chat log", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("keeps chat.jsonl and the newest keepFiles rotated files (chat.1 the newest); history and search stop at them at once", async () => {
    const config = { chatLog: { fsync: true, maxBytes: 400, keepFiles: 2 }, limits: { historyPerRoom: 1000, messageBurst: 1000, messagesPerSecond: 1000 } };
    const d = await world.daemon(config);
    const alice = await world.member(d, "alice");
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const ack = await ask(alice.client, { type: "say", room: "general", text: `numbat ${String(i).padStart(2, "0")} ${"x".repeat(40)}` });
      expect(ack.type).toBe("ack");
      ids.push(ack.id as string);
    }
    const dir = join(d.dataDir, "chat");
    // A rotation runs after the write that filled the file (its renames a moment after the ack).
    await eventually(async () => (await readdir(dir)).sort().join() === "chat.1.jsonl,chat.2.jsonl,chat.jsonl", { what: "three log files" });
    await new Promise((r) => setTimeout(r, 200));
    expect((await readdir(dir)).sort()).toEqual(["chat.1.jsonl", "chat.2.jsonl", "chat.jsonl"]);
    const [c, c1, c2] = [await firstId(join(dir, "chat.jsonl")), await firstId(join(dir, "chat.1.jsonl")), await firstId(join(dir, "chat.2.jsonl"))];
    expect([c2 < c1, c1 < c]).toEqual([true, true]);
    const oldestKept = ids.indexOf(c2);
    expect(oldestKept).toBeGreaterThan(0);

    // Before any restart: history, a reconnect's since and search reach only the kept files.
    const history = await alice.client.request({ type: "history", room: "general", limit: 1000 }, "history");
    expect((history.messages as Json[]).map((m) => m.id)).toEqual(ids.slice(oldestKept));
    const found = await search(alice.client, "numbat");
    const foundIds = (found.messages as Json[]).map((m) => m.id as string);
    expect(foundIds.length).toBeGreaterThan(0);
    expect(foundIds.every((id) => id >= c2)).toBe(true);
    const other = await world.signIn(d, "alice");
    const joined = await other.client.request({ type: "join", room: "general", since: ids[0] }, "joined");
    expect(joined.recovered).toBe(false);
    expect((joined.history as Json[]).every((m) => (m.id as string) >= c2)).toBe(true);

    // After a restart the same, read from the kept files oldest first.
    await d.daemon.stop();
    await d.daemon.start();
    const again = await world.member(d, "alice");
    const after = await again.client.request({ type: "history", room: "general", limit: 1000 }, "history");
    expect((after.messages as Json[]).map((m) => m.id)).toEqual(ids.slice(oldestKept));
  });
});
