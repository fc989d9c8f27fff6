import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createFileRoomStore } from "../../../../storage/rooms/file-store.ts";

describe("the file room store", () => {
  let dir: string;
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("keeps rooms, topics and member counts on disk across instances, writing concurrent changes together", async () => {
    dir = await mkdtemp(join(tmpdir(), "rooms-"));
    const store = createFileRoomStore(dir);
    expect(await store.load()).toEqual([]);
    await Promise.all([store.put({ name: "a", createdAt: 1, members: 0 }), store.put({ name: "b", createdAt: 2, members: 0 })]);
    await Promise.all([store.changeMembers("a", 1, 5), store.changeMembers("a", 1, 5), store.changeMembers("b", -1, 7)]);
    await store.put({ name: "a", createdAt: 1, members: 0, topic: { text: "t", by: "x", ts: 3 } });
    await store.remove("b");
    await store.close();
    const again = createFileRoomStore(dir);
    expect(await again.load()).toEqual([{ name: "a", createdAt: 1, members: 2, topic: { text: "t", by: "x", ts: 3 } }]);
    expect(JSON.parse(await readFile(join(dir, "rooms.json"), "utf8"))).toHaveLength(1);
  });

  it("keeps a room's roles and modes (issue 21): changeMode changes them, put keeps them, a new instance reads them", async () => {
    dir = await mkdtemp(join(tmpdir(), "rooms-"));
    const store = createFileRoomStore(dir);
    await store.put({ name: "a", createdAt: 1, members: 0, operators: ["ann"] });
    await store.changeMode("a", { mode: "operator", on: true, user: "bea" });
    await store.changeMode("a", { mode: "voice", on: true, user: "cy" });
    await store.changeMode("a", { mode: "topicLock", on: true });
    await store.changeMode("a", { mode: "operator", on: false, user: "ann" });
    // A put (a topic, a creation on another node) never changes them.
    await store.put({ name: "a", createdAt: 1, members: 0, operators: ["zed"], topic: { text: "t", by: "x", ts: 3 } });
    expect(await store.changeMode("nope", { mode: "secret", on: true })).toBeUndefined();
    await store.close();
    expect(await createFileRoomStore(dir).load()).toEqual([
      { name: "a", createdAt: 1, members: 0, operators: ["bea"], voiced: ["cy"], topicLock: true, topic: { text: "t", by: "x", ts: 3 } },
    ]);
  });

  it("writes thousands of rooms (a file of many pieces) as the JSON of the whole list", async () => {
    dir = await mkdtemp(join(tmpdir(), "rooms-"));
    const store = createFileRoomStore(dir);
    const rooms = Array.from({ length: 3000 }, (_, i) => ({ name: `room-${i}-é`, createdAt: i, members: 0, topic: { text: `topic "${i}" ✓`, by: "x", ts: i } }));
    for (const r of rooms) void store.put(r);
    await store.changeMembers("room-7-é", 1, 9);
    await store.close();
    const expected = rooms.map((r) => (r.name === "room-7-é" ? { ...r, members: 1 } : r));
    expect(await readFile(join(dir, "rooms.json"), "utf8")).toBe(JSON.stringify(expected));
    expect(await createFileRoomStore(dir).load()).toEqual(expected);
  });
});
