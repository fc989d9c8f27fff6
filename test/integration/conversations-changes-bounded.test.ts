import { afterEach, describe, expect, it } from "vitest";
import type { Frame, TestClient } from "../helpers/client.ts";
import { World, eventually } from "../helpers/harness.ts";

/** Sends a frame with a ref and returns the ack or error answering it. */
async function ask(client: TestClient, frame: Record<string, unknown>): Promise<Frame> {
  const ref = `r${Math.random().toString(36).slice(2)}`;
  client.send({ ...frame, ref });
  for (;;) {
    const f = await client.next();
    if ((f.type === "ack" || f.type === "error") && f.ref === ref) return f;
  }
}

async function acked(client: TestClient, frame: Record<string, unknown>): Promise<string> {
  const ack = await ask(client, frame);
  expect(ack.type, JSON.stringify(ack)).toBe("ack");
  return ack.id as string;
}

/** Memory for about one message's edits and reactions: nearly every change is evicted at once. */
const TINY = 400;
const LIMITS = { limits: { messagesPerSecond: 1000, messageBurst: 1000 } };

describe("amended messages with a tiny memory (issue 19): nothing is forgotten", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("deleted stays deleted, edits and reactions show in history, joined and dm_history, and after a restart", async () => {
    const d = await world.daemon(LIMITS, { amendmentsMemoryBytes: TINY });
    const { client: alice } = await world.member(d, "alice");
    const { client: bob } = await world.member(d, "bob");
    const ids: string[] = [];
    for (let k = 0; k < 12; k++) ids.push(await acked(alice, { type: "say", room: "general", text: `m${k}` }));
    for (const id of ids.slice(0, 4)) await acked(alice, { type: "delete", id });
    const editedAt = new Map<string, number>();
    for (const id of ids.slice(4, 8)) {
      await acked(alice, { type: "edit", id, text: `${id} first` });
      await acked(alice, { type: "edit", id, text: `${id} latest` });
    }
    for (const id of ids.slice(8, 10)) await acked(bob, { type: "react", id, emoji: "👍" });
    await acked(bob, { type: "react", id: ids[9], emoji: ":tada:" });
    // Changes to the last two push the others out of memory.
    for (const id of ids.slice(10)) await acked(alice, { type: "edit", id, text: `${id} latest` });
    // bob's 👍 on ids[8] was evicted: his toggle takes it back (it does not turn it on twice).
    await acked(bob, { type: "react", id: ids[8], emoji: "👍" });
    const toggles = await eventually(() => {
      const frames = alice.frames.filter((f) => f.type === "reaction" && f.id === ids[8]);
      if (frames.length < 2) throw new Error("no second reaction");
      return frames;
    });
    expect(toggles.map((f) => f.on)).toEqual([true, false]);
    /** Notes when each was last edited: its `count`th edited frame saying `latest`. */
    const noteEditedAt = async (list: string[], count = 1) => {
      for (const id of list) {
        const frame = await eventually(() => {
          const frames = alice.frames.filter((f) => f.type === "edited" && f.id === id && f.text === `${id} latest`);
          if (frames.length < count) throw new Error("no edited");
          return frames[count - 1]!;
        });
        editedAt.set(id, frame.editedAt as number);
      }
    };
    await noteEditedAt([...ids.slice(4, 8), ...ids.slice(10)]);

    const expected = (messages: Frame[]) => {
      const byId = new Map(messages.map((m) => [m.id as string, m]));
      for (const id of ids.slice(0, 4)) expect(byId.get(id)).toEqual({ type: "message", id, room: "general", from: "alice", ts: expect.any(Number), deleted: true });
      for (const id of [...ids.slice(4, 8), ...ids.slice(10)]) expect(byId.get(id)).toMatchObject({ text: `${id} latest`, editedAt: editedAt.get(id) });
      expect(byId.get(ids[8]!)!.reactions).toBeUndefined();
      expect(byId.get(ids[9]!)!.reactions).toEqual({ "👍": ["bob"], ":tada:": ["bob"] });
    };
    expected((await alice.request({ type: "history", room: "general", limit: 50 }, "history")).messages as Frame[]);
    const { joined } = await world.member(d, "carol");
    expected(joined.history as Frame[]);
    // In a conversation too.
    const dm = await acked(alice, { type: "dm", to: "bob", text: "secret" });
    await acked(alice, { type: "edit", id: dm, text: "secret, edited" });
    for (const id of ids.slice(10)) await acked(alice, { type: "edit", id, text: `${id} again` });
    for (const id of ids.slice(10)) await acked(alice, { type: "edit", id, text: `${id} latest` });
    await noteEditedAt(ids.slice(10), 2);
    const conversation = await bob.request({ type: "dm_history", with: "alice" }, "dm_history");
    expect((conversation.messages as Frame[])[0]).toMatchObject({ id: dm, text: "secret, edited" });

    // A restart over the same data, with the same tiny memory.
    await d.close({ keepData: true });
    const again = await world.daemon(LIMITS, { dataDir: d.dataDir, amendmentsMemoryBytes: TINY });
    const { client: alice2, joined: back } = await world.member(again, "alice");
    expected(back.history as Frame[]);
    expected((await alice2.request({ type: "history", room: "general", limit: 50 }, "history")).messages as Frame[]);
    for (const id of ids.slice(0, 4)) expect(await ask(alice2, { type: "edit", id, text: "back?" })).toMatchObject({ type: "error", code: "not_found" });
    const { joined: rejoined } = await world.member(again, "dave");
    expected(rejoined.history as Frame[]);
  });
});
