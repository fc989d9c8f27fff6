import { describe, expect, it } from "vitest";
import { createMemoryBus } from "../../../../storage/bus/memory-bus.ts";
import type { BusEvent } from "../../../../storage/bus/types.ts";

const notice = (text: string): BusEvent => ({ kind: "notice", text, noticeKind: "broadcast", ts: 1 });

describe("createMemoryBus", () => {
  it("delivers every event to every subscriber, in publish order", async () => {
    const bus = createMemoryBus();
    const a: BusEvent[] = [];
    const b: BusEvent[] = [];
    bus.subscribe((e) => a.push(e));
    bus.subscribe((e) => b.push(e));
    await bus.publish(notice("1"));
    await bus.publish({ kind: "moderation", user: "bob", change: { action: "kick", reason: "x" } });
    expect(a).toEqual([notice("1"), { kind: "moderation", user: "bob", change: { action: "kick", reason: "x" } }]);
    expect(b).toEqual(a);
  });

  it("has delivered by the time publish resolves", async () => {
    const bus = createMemoryBus();
    let seen = 0;
    bus.subscribe(() => void (seen += 1));
    const p = bus.publish(notice("x"));
    expect(seen).toBe(1);
    await p;
  });

  it("stops delivering to a subscriber that unsubscribed", async () => {
    const bus = createMemoryBus();
    const got: BusEvent[] = [];
    const off = bus.subscribe((e) => got.push(e));
    await bus.publish(notice("before"));
    off();
    await bus.publish(notice("after"));
    expect(got).toEqual([notice("before")]);
  });

  it("drops every subscriber on close", async () => {
    const bus = createMemoryBus();
    const got: BusEvent[] = [];
    bus.subscribe((e) => got.push(e));
    await bus.close();
    await bus.publish(notice("x"));
    expect(got).toEqual([]);
  });
});
