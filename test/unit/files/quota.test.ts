import { describe, expect, it } from "vitest";
import { DAY_MS, retryAfterMs, wholeUploadBytes } from "../../../src/files/quota.ts";

describe("retryAfterMs", () => {
  const now = 10 * DAY_MS;
  const entries = [
    { created: now - 3_600_000, size: 500 },
    { created: now - 7_200_000, size: 300 },
  ];

  it("waits until enough of the oldest uploads leave the 24-hour window", () => {
    // 800 used of 1000; 300 more needs 100 freed: the oldest (300 bytes, 2 h old) going is enough.
    expect(retryAfterMs(entries, 800, 300, 1000, now)).toBe(DAY_MS - 7_200_000);
    // 700 more needs 500 freed: both must go.
    expect(retryAfterMs(entries, 800, 700, 1000, now)).toBe(DAY_MS - 3_600_000);
  });

  it("says a full day for an upload larger than the whole allowance", () => {
    expect(retryAfterMs(entries, 800, 2000, 1000, now)).toBe(DAY_MS);
  });

  it("says a full day when uploads still arriving, not yet counted, fill the allowance", () => {
    expect(retryAfterMs([], 900, 200, 1000, now)).toBe(DAY_MS);
  });
});

describe("wholeUploadBytes", () => {
  it("asks room for the whole file the request declares, not the part that arrived", () => {
    expect(wholeUploadBytes(300, 900, 1000)).toBe(900);
    // The declared size decides the wait: 900 more needs both uploads gone, 300 only the oldest.
    const now = 10 * DAY_MS;
    const entries = [
      { created: now - 7_200_000, size: 300 },
      { created: now - 3_600_000, size: 500 },
    ];
    expect(retryAfterMs(entries, 800, wholeUploadBytes(300, 900, 1000), 1000, now)).toBe(DAY_MS - 3_600_000);
  });

  it("never asks less than what arrived, nor more than the largest file accepted", () => {
    expect(wholeUploadBytes(300, undefined, 1000)).toBe(300);
    expect(wholeUploadBytes(300, 200, 1000)).toBe(300);
    expect(wholeUploadBytes(300, 5000, 1000)).toBe(1000);
  });
});
