import { describe, expect, it } from "vitest";
import { history, say } from "../../../../src/chat/handlers/messages.ts";
import { edit, react, remove } from "../../../../src/chat/handlers/changes.ts";
import { Amendments } from "../../../../src/chat/amendments.ts";
import { createMemoryBroker } from "../../../../storage/broker/memory-broker.ts";
import type { AmendmentRecord } from "../../../../storage/chatlog/types.ts";
import { aliceAndBobIn, settle } from "./world.ts";

const room = () => aliceAndBobIn("general", { known: ["alice", "bob"] });

async function sayId(w: Awaited<ReturnType<typeof room>>["w"], who: { session: never } | { session: unknown }, text: string): Promise<string> {
  await say(w.ctx, who.session as never, { type: "say", room: "general", text });
  await settle();
  const page = await w.broker.history("general", { limit: 1000 });
  return page.messages.at(-1)!.id;
}

describe("amendments folded into pages (memory broker)", () => {
  it("history shows the latest text, reactions and deletions; amendment records never appear as messages", async () => {
    const { w, alice, bob } = await room();
    const a = await sayId(w, alice, "one");
    const b = await sayId(w, alice, "two");
    await edit(w.ctx, alice.session, { type: "edit", id: a, text: "one @bob" });
    await react(w.ctx, bob.session, { type: "react", id: a, emoji: "👍" });
    await react(w.ctx, alice.session, { type: "react", id: a, emoji: "👍" });
    await react(w.ctx, alice.session, { type: "react", id: a, emoji: "👍" });
    await remove(w.ctx, alice.session, { type: "delete", id: b });
    await settle();
    await history(w.ctx, bob.session, { type: "history", room: "general", limit: 2 });
    const page = bob.frames().at(-1)!;
    expect(page).toMatchObject({ type: "history", complete: true });
    expect(page.messages).toEqual([
      { type: "message", id: a, room: "general", from: "alice", text: "one @bob", ts: expect.any(Number), mentions: ["bob"], editedAt: expect.any(Number), reactions: { "👍": ["bob"] } },
      { type: "message", id: b, room: "general", from: "alice", ts: expect.any(Number), deleted: true },
    ]);
    const live = bob.frames().map((f) => f.type);
    expect(live).toEqual(expect.arrayContaining(["edited", "reaction", "deleted"]));
  });

  it("rebuilds the same state from the log, whatever the order records are applied in", async () => {
    const { w, alice, bob } = await room();
    const a = await sayId(w, alice, "x");
    await edit(w.ctx, alice.session, { type: "edit", id: a, text: "x1" });
    await edit(w.ctx, alice.session, { type: "edit", id: a, text: "x2" });
    await react(w.ctx, bob.session, { type: "react", id: a, emoji: ":ok:" });
    await react(w.ctx, bob.session, { type: "react", id: a, emoji: ":ok:" });
    await react(w.ctx, alice.session, { type: "react", id: a, emoji: ":ok:" });
    await settle();
    const rebuilt = new Amendments();
    await rebuilt.rebuild(w.broker);
    const records = (await w.broker.history("general", { limit: 100 })).messages.filter((r) => r.kind !== undefined) as AmendmentRecord[];
    const reversed = new Amendments();
    for (const r of [...records].reverse()) reversed.apply(r);
    for (const state of [rebuilt, reversed, w.ctx.amendments]) {
      expect(state.get(a)!.edit!.text).toBe("x2");
      expect(state.reactionsOf(state.get(a)!)).toEqual({ ":ok:": ["alice"] });
    }
  });

  it("a page back reads past amendment records until it holds `limit` messages", async () => {
    const broker = createMemoryBroker();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await broker.publish({ room: "r", from: "a", text: `m${i}` })).id);
    for (let i = 0; i < 5; i++) await broker.publish({ kind: "react", room: "r", by: "a", target: ids[2]!, author: "a", emoji: `:e${i}:`, on: true });
    const { messagePage } = await import("../../../../src/chat/pages.ts");
    const page = await messagePage(broker, "r", { limit: 3 });
    expect(page.messages.map((m) => m.id)).toEqual(ids);
    expect(page.complete).toBe(true);
  });
});
