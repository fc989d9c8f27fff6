import { describe, expect, it } from "vitest";
import { RoomIndex } from "../../../../storage/chatlog/room-index.ts";
import type { ChatRecord, HistoryPage, HistoryQuery, MessageRecord } from "../../../../storage/chatlog/types.ts";
import { formatId } from "../../../../storage/chatlog/ids.ts";

const T = 1764100000000;
const id = (n: number) => formatId(T + n, 0);
const record = (n: number): ChatRecord => ({ id: id(n), room: "general", from: "alice", text: `m${n}`, ts: T + n });
const texts = (page: { messages: ChatRecord[] }) => page.messages.map((m) => (m as MessageRecord).text);

/** An index with the records it points at: a page is what its selection selects. */
class Indexed {
  readonly index: RoomIndex;
  readonly records = new Map<number, ChatRecord>();
  constructor(readonly capacity: number) {
    this.index = new RoomIndex(capacity);
  }
  push(r: ChatRecord): void {
    this.records.set(this.index.end, r);
    this.index.push(r.id, { segment: 1, offset: this.index.end * 100, length: 99 });
  }
  get size(): number {
    return this.index.size;
  }
  query(q: HistoryQuery): HistoryPage {
    const { from, to, complete } = this.index.select(q);
    const messages: ChatRecord[] = [];
    for (let pos = from; pos < to; pos++) messages.push(this.records.get(pos)!);
    return { messages, complete };
  }
}

/** An index of messages 1..count (the newest `capacity` of them). */
function filled(capacity: number, count: number): Indexed {
  const h = new Indexed(capacity);
  for (let n = 1; n <= count; n++) h.push(record(n));
  return h;
}

describe("RoomIndex", () => {
  describe("push", () => {
    it("keeps messages in order", () => {
      const h = filled(10, 3);
      expect(h.size).toBe(3);
      expect(texts(h.query({ limit: 10 }))).toEqual(["m1", "m2", "m3"]);
    });

    it("keeps only the newest `capacity` messages", () => {
      const h = filled(3, 5);
      expect(h.size).toBe(3);
      expect(h.capacity).toBe(3);
      expect(texts(h.query({ limit: 10 }))).toEqual(["m3", "m4", "m5"]);
    });

    it("stays correct across many evictions and compactions", () => {
      const h = filled(7, 1000);
      expect(h.size).toBe(7);
      expect(texts(h.query({ limit: 100 }))).toEqual([994, 995, 996, 997, 998, 999, 1000].map((n) => `m${n}`));
      expect(texts(h.query({ after: id(996), limit: 100 }))).toEqual(["m997", "m998", "m999", "m1000"]);
      expect(texts(h.query({ before: id(996), limit: 100 }))).toEqual(["m994", "m995"]);
    });

    it("works with a capacity of 1", () => {
      const h = filled(1, 4);
      expect(texts(h.query({ limit: 5 }))).toEqual(["m4"]);
      expect(h.query({ after: id(3), limit: 5 })).toEqual({ messages: [record(4)], complete: true });
      expect(h.query({ after: id(2), limit: 5 }).complete).toBe(false);
    });
  });

  describe("query without after", () => {
    it("returns the newest `limit` messages, oldest first", () => {
      expect(texts(filled(10, 5).query({ limit: 2 }))).toEqual(["m4", "m5"]);
    });

    it("is complete when it returns everything and nothing was evicted", () => {
      expect(filled(10, 5).query({ limit: 5 }).complete).toBe(true);
      expect(filled(10, 5).query({ limit: 50 }).complete).toBe(true);
    });

    it("is not complete when the limit leaves older messages out", () => {
      expect(filled(10, 5).query({ limit: 4 }).complete).toBe(false);
    });

    it("is complete once it reaches the oldest kept message, even after evictions", () => {
      // Nothing older can be fetched, so a client paging back must stop here.
      expect(filled(3, 4).query({ limit: 10 }).complete).toBe(true);
      expect(filled(3, 4).query({ limit: 2 }).complete).toBe(false);
    });

    it("is empty and complete for an empty room", () => {
      expect(new Indexed(5).query({ limit: 10 })).toEqual({ messages: [], complete: true });
    });

    it("returns nothing for a limit of 0", () => {
      expect(texts(filled(10, 3).query({ limit: 0 }))).toEqual([]);
    });
  });

  describe("query with before", () => {
    it("returns the newest messages older than `before`", () => {
      const h = filled(10, 6);
      expect(texts(h.query({ before: id(5), limit: 2 }))).toEqual(["m3", "m4"]);
    });

    it("excludes the message with the id `before`", () => {
      expect(texts(filled(10, 3).query({ before: id(3), limit: 10 }))).toEqual(["m1", "m2"]);
    });

    it("accepts an id that is not stored", () => {
      const h = new Indexed(10);
      for (const n of [10, 20, 30]) h.push(record(n));
      expect(texts(h.query({ before: id(25), limit: 10 }))).toEqual(["m10", "m20"]);
    });

    it("is complete when it reaches the oldest message", () => {
      const h = filled(10, 6);
      expect(h.query({ before: id(3), limit: 2 }).complete).toBe(true);
      expect(h.query({ before: id(4), limit: 2 }).complete).toBe(false);
    });

    it("is empty and complete before the oldest message", () => {
      expect(filled(10, 3).query({ before: id(1), limit: 10 })).toEqual({ messages: [], complete: true });
    });

    it("returns the newest page for a `before` above every id", () => {
      expect(texts(filled(10, 3).query({ before: id(99), limit: 2 }))).toEqual(["m2", "m3"]);
    });

    it("pages back through the whole room without gaps or repeats", () => {
      const h = filled(100, 23);
      const seen: string[] = [];
      let before: string | undefined;
      for (let i = 0; i < 10; i++) {
        const page = h.query(before === undefined ? { limit: 5 } : { before, limit: 5 });
        seen.unshift(...texts(page));
        if (page.complete) break;
        before = page.messages[0]!.id;
      }
      expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => `m${i + 1}`));
    });
  });

  describe("query with after", () => {
    it("returns the messages after `after`, excluding it", () => {
      const h = filled(10, 5);
      expect(h.query({ after: id(2), limit: 10 })).toEqual({ messages: [record(3), record(4), record(5)], complete: true });
    });

    it("is empty and complete after the newest message", () => {
      expect(filled(10, 5).query({ after: id(5), limit: 10 })).toEqual({ messages: [], complete: true });
    });

    it("accepts an id that is not stored", () => {
      const h = new Indexed(10);
      for (const n of [10, 20, 30]) h.push(record(n));
      expect(texts(h.query({ after: id(15), limit: 10 }))).toEqual(["m20", "m30"]);
    });

    it("is complete for an `after` older than everything when nothing was evicted", () => {
      const h = filled(10, 3);
      expect(h.query({ after: formatId(0, 0), limit: 10 })).toEqual({ messages: [record(1), record(2), record(3)], complete: true });
    });

    it("is not complete when the limit cuts the gap short", () => {
      const page = filled(10, 5).query({ after: id(1), limit: 2 });
      expect(texts(page)).toEqual(["m4", "m5"]);
      expect(page.complete).toBe(false);
    });

    it("is not complete for an `after` older than an evicted message", () => {
      const h = filled(3, 6); // keeps m4..m6, evicted m1..m3
      const page = h.query({ after: id(2), limit: 10 });
      expect(texts(page)).toEqual(["m4", "m5", "m6"]);
      expect(page.complete).toBe(false);
    });

    it("is complete for an `after` equal to the last evicted message", () => {
      const h = filled(3, 6);
      const page = h.query({ after: id(3), limit: 10 });
      expect(texts(page)).toEqual(["m4", "m5", "m6"]);
      expect(page.complete).toBe(true);
    });

    it("is complete for an `after` inside what is kept", () => {
      expect(filled(3, 6).query({ after: id(4), limit: 10 }).complete).toBe(true);
    });

    it("combines with before", () => {
      const h = filled(10, 8);
      expect(texts(h.query({ after: id(2), before: id(6), limit: 10 }))).toEqual(["m3", "m4", "m5"]);
      expect(h.query({ after: id(5), before: id(3), limit: 10 }).messages).toEqual([]);
    });
  });

  describe("locations", () => {
    it("gives back each message's file, offset and length across growth and wrap-around", () => {
      const index = new RoomIndex(5);
      for (let n = 0; n < 12; n++) index.push(id(n), { segment: 7 + (n >> 2), offset: 2 ** 40 + n * 1000, length: 300 + n });
      expect([index.first, index.end, index.size]).toEqual([7, 12, 5]);
      for (let pos = 7; pos < 12; pos++) {
        expect(index.idAt(pos)).toBe(id(pos));
        expect(index.locationAt(pos)).toEqual({ segment: 7 + (pos >> 2), offset: 2 ** 40 + pos * 1000, length: 300 + pos });
      }
    });

    it("keeps a sequence and a large segment number apart", () => {
      const index = new RoomIndex(3);
      index.push(formatId(T, 999_999), { segment: 2 ** 30, offset: 0, length: 1 });
      expect(index.idAt(0)).toBe(formatId(T, 999_999));
      expect(index.segmentAt(0)).toBe(2 ** 30);
    });

    it("refuses an id that is not a message id", () => {
      const index = new RoomIndex(3);
      expect(index.push("nope", { segment: 1, offset: 0, length: 1 })).toBe(false);
      expect(index.size).toBe(0);
    });

    it("drops the messages of deleted files, and a gap reaching into them is not complete", () => {
      const h = new Indexed(100);
      for (let n = 1; n <= 6; n++) {
        h.records.set(h.index.end, record(n));
        h.index.push(id(n), { segment: n <= 4 ? 1 : 2, offset: n, length: 1 });
      }
      h.index.dropBelowSegment(2);
      expect(texts(h.query({ limit: 10 }))).toEqual(["m5", "m6"]);
      expect(h.query({ limit: 10 }).complete).toBe(true);
      expect(h.query({ after: id(3), limit: 10 }).complete).toBe(false);
      expect(h.query({ after: id(4), limit: 10 }).complete).toBe(true);
    });
  });
});
