import { describe, expect, it, vi } from "vitest";
import { Session } from "../../../src/chat/session.ts";
import type { Peer } from "../../../src/chat/peer.ts";
import type { Encoded } from "../../../src/message/codec.ts";

function peer() {
  return { send: vi.fn<(e: Encoded) => void>(), close: vi.fn(), bufferedAmount: 0, remoteAddress: "10.0.0.1" };
}
const RATE = { messagesPerSecond: 10, messageBurst: 3 };

describe("Session", () => {
  it("gets a distinct id and starts signed out with no rooms", () => {
    const a = new Session(peer() as Peer, RATE);
    const b = new Session(peer() as Peer, RATE);
    expect(a.id).not.toBe(b.id);
    expect(a.user).toBeUndefined();
    expect(a.token).toBeUndefined();
    expect(a.rooms.size).toBe(0);
    expect(a.connectedAt).toBeLessThanOrEqual(Date.now());
  });

  it("send encodes the frame for the peer", () => {
    const p = peer();
    new Session(p as Peer, RATE).send({ type: "pong", ref: 1 });
    expect(p.send).toHaveBeenCalledTimes(1);
    expect(p.send.mock.calls[0]![0].text).toBe('{"type":"pong","ref":1}');
  });

  it("enqueue runs tasks one after another in order, even when they are async", async () => {
    const s = new Session(peer() as Peer, RATE);
    const events: string[] = [];
    const done = new Promise<void>((resolve) => {
      s.enqueue(async () => {
        events.push("a start");
        await new Promise((r) => setTimeout(r, 10));
        events.push("a end");
      });
      s.enqueue(() => void events.push("b"));
      s.enqueue(async () => {
        events.push("c");
        resolve();
      });
    });
    await done;
    expect(events).toEqual(["a start", "a end", "b", "c"]);
  });

  it("enqueue runs a task after the caller's turn, and starts again once the inbox has gone idle", async () => {
    const s = new Session(peer() as Peer, RATE);
    const events: string[] = [];
    s.enqueue(() => void events.push("first"));
    events.push("caller");
    await new Promise((r) => setTimeout(r, 5));
    const again = new Promise<void>((resolve) => s.enqueue(() => resolve(void events.push("after idle"))));
    await again;
    expect(events).toEqual(["caller", "first", "after idle"]);
  });

  it("enqueue keeps going after a task fails", async () => {
    const s = new Session(peer() as Peer, RATE);
    const ran = new Promise<string>((resolve) => {
      s.enqueue(() => {
        throw new Error("sync boom");
      });
      s.enqueue(async () => {
        throw new Error("async boom");
      });
      s.enqueue(() => resolve("next"));
    });
    await expect(ran).resolves.toBe("next");
  });

  it("rate-limits with the configured burst", () => {
    const s = new Session(peer() as Peer, RATE);
    expect([s.messages.take(), s.messages.take(), s.messages.take(), s.messages.take()]).toEqual([true, true, true, false]);
  });

  it("uses the limits as they were at connect, even for buckets it makes later (a reload changes the config in place)", () => {
    const limits = { messagesPerSecond: 0.001, messageBurst: 2, joinsPerSecond: 0.001, joinBurst: 1 };
    const before = new Session(peer() as Peer, limits);
    limits.messageBurst = 3;
    limits.joinBurst = 2;
    const after = new Session(peer() as Peer, limits);
    const drain = (take: () => boolean) => {
      let n = 0;
      while (take() && n < 10) n++;
      return n;
    };
    expect(drain(() => before.messages.take())).toBe(2);
    expect(drain(() => before.joins.take())).toBe(1);
    expect(drain(() => after.messages.take())).toBe(3);
    expect(drain(() => after.joins.take())).toBe(2);
  });

  it("keeps one bucket per kind: a later read sees what earlier takes used", () => {
    const s = new Session(peer() as Peer, RATE);
    expect(s.messages).toBe(s.messages);
    expect(s.strikes).toBe(s.strikes);
    s.messages.take();
    s.messages.take();
    expect(s.messages.take()).toBe(true);
    expect(s.messages.take()).toBe(false);
  });
});
