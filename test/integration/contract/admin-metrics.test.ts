import { afterEach, describe, expect, it } from "vitest";
import type { TestDaemon } from "../../helpers/daemon.ts";
import { World, ask, say } from "../../helpers/harness.ts";

/**
 * docs/operations.md, "Health, readiness and metrics" and `/admin/uptime`: what the message
 * counters count. Scraped as Prometheus would, over HTTP.
 */

async function counters(d: TestDaemon): Promise<{ in: number; out: number; stored: number }> {
  const text = await (await d.http("/metrics")).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
  const uptime = (await (await d.http("/admin/uptime", { admin: true })).json()) as { messagesStored: number };
  return { in: value("chatd_messages_in_total"), out: value("chatd_messages_out_total"), stored: uptime.messagesStored };
}

describe("the message counters", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("count chat messages (say, dm) only: not edits, deletions, reactions, topics or mode changes", async () => {
    const d = await world.daemon();
    const { client } = await world.member(d, "alice");
    await world.signIn(d, "bob");
    const [id] = await say(client, "general", ["hello"]);
    expect((await ask(client, { type: "dm", to: "bob", text: "psst" })).type).toBe("ack");
    expect(await counters(d)).toEqual({ in: 2, out: 2, stored: 2 });

    for (const frame of [
      { type: "edit", id, text: "hello again" },
      { type: "react", id, emoji: "👍" },
      { type: "topic", room: "general", text: "news" },
      { type: "delete", id },
    ]) {
      expect(await ask(client, frame), JSON.stringify(frame)).toMatchObject({ type: "ack" });
    }
    expect(await counters(d)).toEqual({ in: 2, out: 2, stored: 2 });
  });
});
