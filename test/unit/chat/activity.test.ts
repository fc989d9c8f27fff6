import { describe, expect, it } from "vitest";
import { activeBetween } from "../../../src/chat/activity.ts";
import type { ChatRecord, HistoryQuery } from "../../../storage/chatlog/types.ts";

/** A broker's `history` over fixed streams, counting the records it hands out (no whole log is read). */
function broker(streams: Record<string, ChatRecord[]>) {
  let read = 0;
  return {
    get read() {
      return read;
    },
    async history(room: string, q: HistoryQuery) {
      let records = (streams[room] ?? []).filter((r) => (q.before === undefined || r.id < q.before) && (q.after === undefined || r.id > q.after));
      const complete = records.length <= q.limit;
      records = records.slice(-q.limit);
      read += records.length;
      return { messages: records, complete };
    },
  };
}

const msg = (room: string, ms: number): ChatRecord => ({ id: `${ms}-000000`, room, from: "ann", text: "hi", ts: ms });
const react = (room: string, ms: number): ChatRecord => ({ kind: "react", id: `${ms}-000000`, room, by: "bob", target: "x", author: "ann", emoji: "👍", on: true, ts: ms });

describe("activeBetween (CHATHISTORY TARGETS)", () => {
  it("lists rooms by their latest message and conversations by the index, oldest first, both ends exclusive, at most the limit", async () => {
    const streams = {
      general: Array.from({ length: 500 }, (_, i) => msg("general", 1000 + i)),
      // A reaction after the latest message is not activity.
      quiet: [msg("quiet", 1200), react("quiet", 1800)],
      empty: [],
    };
    const b = broker(streams);
    const user = { rooms: ["general", "quiet", "empty"], conversations: [{ key: "bob", with: "Bob", lastId: "1700-000000", ts: 1700 }] };
    expect(await activeBetween(b, user, 0, 10_000, 10)).toEqual([
      { room: "quiet", ts: 1200 },
      { room: "general", ts: 1499 },
      { with: "Bob", ts: 1700 },
    ]);
    expect(b.read).toBeLessThan(50);
    expect(await activeBetween(b, user, 1200, 1700, 10)).toEqual([{ room: "general", ts: 1499 }]);
    expect(await activeBetween(b, user, 0, 10_000, 1)).toEqual([{ room: "quiet", ts: 1200 }]);
  });

  it("finds a room's latest message behind many changes stored after it", async () => {
    const streams = { busy: [msg("busy", 100), ...Array.from({ length: 60 }, (_, i) => react("busy", 200 + i))] };
    expect(await activeBetween(broker(streams), { rooms: ["busy"] }, 0, 1000, 5)).toEqual([{ room: "busy", ts: 100 }]);
  });
});
