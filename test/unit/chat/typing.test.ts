import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/index.ts";
import { TypingGate } from "../../../src/chat/typing.ts";
import type { Session } from "../../../src/chat/session.ts";

const session = (key: string) => ({ user: { key, name: key, role: "user" } }) as unknown as Session;

describe("TypingGate", () => {
  it("passes one notice per user and room per interval", () => {
    let t = 0;
    const gate = new TypingGate(parseConfig({ limits: { typingIntervalMs: 1000 } }).limits, () => t);
    const alice = session("alice");
    expect(gate.pass(alice, "r")).toBe(true);
    expect(gate.pass(alice, "r")).toBe(false);
    expect(gate.pass(alice, "s")).toBe(true);
    expect(gate.pass(session("bob"), "r")).toBe(true);
    t = 1000;
    expect(gate.pass(alice, "r")).toBe(true);
    // A message ends the typing spell: the next notice goes out at once.
    gate.ended("alice", "r");
    expect(gate.pass(alice, "r")).toBe(true);
  });

  it("throws rate_limited with retryAfterMs past the connection's burst", () => {
    const gate = new TypingGate(parseConfig({ limits: { typingBurst: 3, typingPerSecond: 1 } }).limits, () => 0);
    const alice = session("alice");
    for (let i = 0; i < 3; i++) gate.pass(alice, "r");
    expect(() => gate.pass(alice, "r")).toThrow(expect.objectContaining({ code: "rate_limited", retryAfterMs: 1000 }));
  });
});
