import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../../src/config/index.ts";
import { StateLimits } from "../../../../src/chat/state/caps.ts";

const limits = parseConfig({ limits: { userRoomBurst: 2, ipRoomBurst: 100 } }).limits;
const codeOf = (f: () => void): string | undefined => {
  try {
    f();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe("StateLimits room creation", () => {
  it("tells each creation it allows, and takes those another node tells from the same allowance", () => {
    const t = 1_000_000;
    const here = new StateLimits(limits, () => t);
    const there = new StateLimits(limits, () => t);
    const told: Array<[string, string]> = [];
    here.onCreation = (user, address) => told.push([user, address]);
    here.takeCreation("alice", "1.2.3.4", 0);
    expect(told).toEqual([["alice", "1.2.3.4"]]);
    for (const [user, address] of told) there.recordCreation(user, address);
    expect(codeOf(() => there.takeCreation("alice", "1.2.3.4", 0))).toBeUndefined();
    expect(codeOf(() => there.takeCreation("alice", "1.2.3.4", 0))).toBe("rate_limited");
    expect(codeOf(() => there.takeCreation("bob", "1.2.3.4", 0))).toBeUndefined();
  });
});
