import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { World, say } from "../helpers/harness.ts";

describe("a daemon with chat log rotation", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("recovers a reconnecting client's gap from rotated files after a full stop and a new daemon", async () => {
    const config = { chatLog: { fsync: true, maxBytes: 500, keepFiles: 10 } };
    const first = await world.daemon(config);
    const { client, welcome } = await world.member(first, "alice");
    // One at a time, so each is its own group commit and the log rotates several times.
    const ids: string[] = [];
    for (let i = 0; i < 15; i++) ids.push(...(await say(client, "general", [`message number ${i}`])));
    await first.close({ keepData: true });
    expect((await readdir(join(first.dataDir, "chat"))).filter((f) => /^chat\.\d+\.jsonl$/.test(f)).length).toBeGreaterThan(1);

    const second = await world.daemon(config, { dataDir: first.dataDir });
    const { client: again } = await world.resume(second, welcome.token);
    const joined = await again.request({ type: "join", room: "general", since: ids[0] }, "joined");
    expect(joined.recovered).toBe(true);
    expect((joined.history as Array<{ id: string }>).map((m) => m.id)).toEqual(ids.slice(1));
  });
});
