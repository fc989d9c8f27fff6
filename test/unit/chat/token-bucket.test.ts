import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../../src/chat/token-bucket.ts";

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
    set(ms: number) {
      t = ms;
    },
  };
}

function takeAll(bucket: TokenBucket, max = 1000): number {
  let n = 0;
  while (n < max && bucket.take()) n += 1;
  return n;
}

describe("TokenBucket", () => {
  it("starts full: allows a burst of `burst` takes", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(10, 20, clock.now);
    expect(takeAll(bucket)).toBe(20);
    expect(bucket.take()).toBe(false);
  });

  it("refills at `rate` tokens a second", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(10, 20, clock.now);
    takeAll(bucket);
    clock.advance(99);
    expect(bucket.take()).toBe(false);
    clock.advance(1);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    clock.advance(500);
    expect(takeAll(bucket)).toBe(5);
  });

  it("tells how long until a refused take would succeed (retryAfterMs)", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(10, 20, clock.now);
    expect(bucket.retryAfterMs()).toBe(0);
    takeAll(bucket);
    expect(bucket.retryAfterMs()).toBe(100);
    clock.advance(40);
    expect(bucket.retryAfterMs()).toBe(60);
    expect(bucket.retryAfterMs(3)).toBe(260);
    clock.advance(60);
    expect(bucket.retryAfterMs()).toBe(0);
    expect(bucket.take()).toBe(true);
  });

  it("accumulates fractions of a token across takes", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(10, 1, clock.now);
    expect(bucket.take()).toBe(true);
    for (let i = 0; i < 3; i++) {
      clock.advance(30);
      expect(bucket.take()).toBe(false);
    }
    clock.advance(10); // 100 ms in all
    expect(bucket.take()).toBe(true);
  });

  it("never holds more than `burst` tokens after a long idle", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(10, 5, clock.now);
    takeAll(bucket);
    clock.advance(3_600_000);
    expect(takeAll(bucket)).toBe(5);
  });

  it("sustains `rate` a second over time", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(10, 20, clock.now);
    takeAll(bucket);
    let granted = 0;
    for (let ms = 0; ms < 10_000; ms += 10) {
      clock.advance(10);
      if (bucket.take()) granted += 1;
    }
    expect(granted).toBe(100);
  });

  it("charges `cost` tokens and refuses when fewer are left", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(1, 5, clock.now);
    expect(bucket.take(3)).toBe(true);
    expect(bucket.take(3)).toBe(false);
    expect(bucket.take(2)).toBe(true);
    expect(bucket.take(1)).toBe(false);
  });

  it("does not charge a refused take", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(1, 2, clock.now);
    expect(bucket.take(5)).toBe(false);
    expect(takeAll(bucket)).toBe(2);
  });

  it("supports fractional rates", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(0.5, 1, clock.now);
    expect(bucket.take()).toBe(true);
    clock.advance(1999);
    expect(bucket.take()).toBe(false);
    clock.advance(1);
    expect(bucket.take()).toBe(true);
  });

  it("does not drain the bucket when the clock steps backwards", () => {
    const clock = manualClock(10_000_000);
    const bucket = new TokenBucket(10, 20, clock.now);
    clock.set(10_000_000 - 3_600_000); // NTP steps the clock back an hour
    expect(takeAll(bucket)).toBe(20);
    clock.advance(100);
    expect(bucket.take()).toBe(true);
  });

  it("uses Date.now by default", () => {
    const bucket = new TokenBucket(1, 1);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });

  it("refund gives a token back, never past the burst", () => {
    const b = new TokenBucket(0.001, 2, () => 0);
    expect([b.take(), b.take(), b.take()]).toEqual([true, true, false]);
    b.refund();
    expect([b.take(), b.take()]).toEqual([true, false]);
    b.refund();
    b.refund();
    b.refund();
    expect([b.take(), b.take(), b.take()]).toEqual([true, true, false]);
  });
});
