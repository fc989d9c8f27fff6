import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import type { TestClient } from "../helpers/client.ts";
import { World, say } from "../helpers/harness.ts";

const LIFTED = 1_000_000;
/** The attack, scaled down: many rooms, each filled with messages of the longest text. */
const ROOMS = 120;
const PER_ROOM = 25;
const TEXT = 4000;
/** 12 MB of text stored; the daemon holds at most this much of it in memory. */
const HISTORY_MEMORY_BYTES = 256 * 1024;
/**
 * Heap the attack may leave behind besides the window: each room's index (32
 * bytes a message) and its entry in the directory, V8's own growth. Holding
 * the messages, as before the bound, took more than the 12 MB of text.
 */
const MAX_HEAP_GROWTH = 4 * 1024 * 1024;

const limits = {
  historyMemoryBytes: HISTORY_MEMORY_BYTES,
  messagesPerSecond: LIFTED,
  messageBurst: LIFTED,
  ipMessagesPerSecond: LIFTED,
  ipMessageBurst: LIFTED,
  joinsPerSecond: LIFTED,
  joinBurst: LIFTED,
  ipJoinsPerSecond: LIFTED,
  ipJoinBurst: LIFTED,
  // The flood creates its rooms: the room-creation caps (issue 19) are not what this measures.
  userRoomsPerHour: LIFTED,
  userRoomBurst: LIFTED,
  ipRoomsPerHour: LIFTED,
  ipRoomBurst: LIFTED,
};

const text = (room: number, i: number) => `${room}:${i}:`.padEnd(TEXT, "x");

function heapAfterGc(): number {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** Pages back through a room `limit` at a time; every text, oldest first. */
async function pageBack(client: TestClient, room: string, limit: number): Promise<string[]> {
  const texts: string[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await client.request({ type: "history", room, limit, ...(before ? { before } : {}) }, "history");
    const messages = page.messages as Array<{ id: string; text: string }>;
    texts.unshift(...messages.map((m) => m.text));
    if (page.complete) return texts;
    before = messages[0]!.id;
  }
}

describe("history memory under a many-rooms flood (issue 22.1)", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("holds history within limits.historyMemoryBytes, answers every page from the files, and restarts on the same data", async () => {
    const d = await world.daemon({ limits });
    const { client: hog } = await world.signIn(d, "hog");
    // Warm up (code, buffers) before measuring.
    await hog.request({ type: "join", room: "warmup" }, "joined");
    await say(hog, "warmup", [text(0, 0)]);
    const before = heapAfterGc();

    const firstIds: string[] = [];
    for (let r = 0; r < ROOMS; r++) {
      await hog.request({ type: "join", room: `hog${r}` }, "joined");
      const ids = await say(hog, `hog${r}`, Array.from({ length: PER_ROOM }, (_, i) => text(r, i)));
      firstIds.push(ids[0]!);
      await hog.request({ type: "leave", room: `hog${r}` }, "left");
      // The hog's own copies of its messages are not the daemon's memory: let them go.
      for (const f of hog.frames) if (f.type === "message") f.text = "";
    }
    const growth = heapAfterGc() - before;
    expect(growth).toBeLessThan(MAX_HEAP_GROWTH);

    // Every room's history is whole, read back from the files.
    const { client: reader } = await world.signIn(d, "reader");
    for (const r of [0, 1, ROOMS / 2, ROOMS - 1]) {
      const joined = await reader.request({ type: "join", room: `hog${r}` }, "joined");
      expect((joined.history as Array<{ text: string }>).map((m) => m.text)).toEqual(Array.from({ length: PER_ROOM }, (_, i) => text(r, i)));
      expect(await pageBack(reader, `hog${r}`, 7)).toEqual(Array.from({ length: PER_ROOM }, (_, i) => text(r, i)));
    }
    const resumed = await reader.request({ type: "join", room: "hog3", since: firstIds[3] }, "joined");
    expect(resumed.recovered).toBe(true);
    expect((resumed.history as Array<{ text: string }>).map((m) => m.text)).toEqual(Array.from({ length: PER_ROOM - 1 }, (_, i) => text(3, i + 1)));

    // A restart reads the files into an index only: same pages, and the heap is as small.
    await d.close({ keepData: true });
    const again = await world.daemon({ limits }, { dataDir: d.dataDir });
    expect(heapAfterGc() - before).toBeLessThan(MAX_HEAP_GROWTH);
    const { client: later } = await world.signIn(again, "reader");
    for (const r of [2, ROOMS - 2]) {
      const joined = await later.request({ type: "join", room: `hog${r}` }, "joined");
      expect((joined.history as Array<{ text: string }>).map((m) => m.text)).toEqual(Array.from({ length: PER_ROOM }, (_, i) => text(r, i)));
      expect(await pageBack(later, `hog${r}`, 10)).toEqual(Array.from({ length: PER_ROOM }, (_, i) => text(r, i)));
    }
  }, 60_000);
});
