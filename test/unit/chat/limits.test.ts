import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/index.ts";
import { AbuseLimits, IP_FREE_FAILURES, Strikes } from "../../../src/chat/limits.ts";

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}
const limits = (l: Record<string, number> = {}) => parseConfig({ limits: l }).limits;

describe("AbuseLimits", () => {
  it("counts connections per address", () => {
    const a = new AbuseLimits(limits());
    a.connected("1.1.1.1");
    a.connected("1.1.1.1");
    a.connected("2.2.2.2");
    a.disconnected("1.1.1.1");
    expect(a.connectionsFrom("1.1.1.1")).toBe(1);
    expect(a.connectionsFrom("2.2.2.2")).toBe(1);
    expect(a.connectionsFrom("3.3.3.3")).toBe(0);
  });

  it("hands back the address asked for, known or not (the copy it holds when it knows it)", () => {
    const a = new AbuseLimits(limits());
    a.connected("10.0.0.1");
    expect(a.sameAddress(["10.0", "0.1"].join("."))).toBe("10.0.0.1");
    expect(a.sameAddress("10.0.0.2")).toBe("10.0.0.2");
  });

  it("shares one message bucket among all connections of an address, not across addresses", () => {
    const a = new AbuseLimits(limits({ ipMessageBurst: 2, ipMessagesPerSecond: 1 }), clock().now);
    expect([a.takeMessage("x"), a.takeMessage("x"), a.takeMessage("x")]).toEqual([true, true, false]);
    expect(a.takeMessage("y")).toBe(true);
  });

  it("gives an address already seen the new per-address limits at once when a reload changes them in place", () => {
    const l = limits({ ipMessageBurst: 1, ipMessagesPerSecond: 0.001, ipJoinBurst: 1, ipJoinsPerSecond: 0.001, ipSignInBurst: 1, ipSignInsPerMinute: 0.001, ipAccountBurst: 1, ipAccountsPerHour: 0.001 });
    const a = new AbuseLimits(l, clock().now);
    expect([a.takeMessage("x"), a.takeMessage("x")]).toEqual([true, false]);
    expect([a.takeJoin("x"), a.takeJoin("x")]).toEqual([true, false]);
    expect([a.mayTrySignIn("x", undefined), a.mayTrySignIn("x", undefined)]).toEqual([true, false]);
    expect([a.takeAccount("x"), a.takeAccount("x")]).toEqual([true, false]);
    Object.assign(l, { ipMessageBurst: 3, ipJoinBurst: 3, ipSignInBurst: 3, ipAccountBurst: 3 });
    expect([a.takeMessage("x"), a.takeMessage("x"), a.takeMessage("x"), a.takeMessage("x")]).toEqual([true, true, true, false]);
    expect([a.takeJoin("x"), a.takeJoin("x"), a.takeJoin("x"), a.takeJoin("x")]).toEqual([true, true, true, false]);
    expect([a.mayTrySignIn("x", undefined), a.mayTrySignIn("x", undefined), a.mayTrySignIn("x", undefined), a.mayTrySignIn("x", undefined)]).toEqual([true, true, true, false]);
    expect([a.takeAccount("x"), a.takeAccount("x"), a.takeAccount("x"), a.takeAccount("x")]).toEqual([true, true, true, false]);
  });

  it("lets the first failed sign-in of an account pass, then backs off doubling up to the cap", () => {
    const c = clock();
    const a = new AbuseLimits(limits({ signInFailureDelayMs: 100, signInFailureDelayMaxMs: 300 }), c.now);
    a.signInFailed("ip", "alice");
    expect(a.mayTrySignIn("ip", "alice")).toBe(true);
    a.signInFailed("ip", "alice");
    expect(a.mayTrySignIn("ip", "alice")).toBe(false);
    c.advance(100);
    expect(a.mayTrySignIn("ip", "alice")).toBe(true);
    a.signInFailed("ip", "alice");
    c.advance(199);
    expect(a.mayTrySignIn("ip", "alice")).toBe(false);
    c.advance(1);
    expect(a.mayTrySignIn("ip", "alice")).toBe(true);
    for (let i = 0; i < 10; i++) a.signInFailed("other-ip", "alice");
    c.advance(300);
    expect(a.mayTrySignIn("ip", "alice")).toBe(true);
  });

  it("keeps one account's back-off from blocking another account at the same address", () => {
    const a = new AbuseLimits(limits({ signInFailureDelayMs: 1000 }), clock().now);
    a.signInFailed("ip", "alice");
    a.signInFailed("ip", "alice");
    expect(a.mayTrySignIn("ip", "alice")).toBe(false);
    expect(a.mayTrySignIn("ip", "bob")).toBe(true);
  });

  it("backs an address off only after its free failures, and a success clears it", () => {
    const a = new AbuseLimits(limits({ signInFailureDelayMs: 1000 }), clock().now);
    for (let i = 0; i < IP_FREE_FAILURES; i++) a.signInFailed("ip", `user${i}`);
    expect(a.mayTrySignIn("ip", "fresh")).toBe(true);
    a.signInFailed("ip", "another");
    expect(a.mayTrySignIn("ip", "fresh")).toBe(false);
    a.signInSucceeded("ip", "someone");
    expect(a.mayTrySignIn("ip", "fresh")).toBe(true);
  });

  it("tells its failures, and a success that clears a back-off, to another node that records them without telling", () => {
    const c = clock();
    const here = new AbuseLimits(limits(), c.now);
    const there = new AbuseLimits(limits(), c.now);
    const told: unknown[] = [];
    here.onSignIn = (o) => told.push(o);
    there.onSignIn = () => told.push("there told");
    here.signInSucceeded("9.9.9.9", "alice");
    expect(told).toEqual([]); // nothing to clear: nothing told
    here.signInFailed("9.9.9.9", "alice");
    here.signInFailed("9.9.9.9", "alice");
    for (const o of told) there.recordSignIn(o as Parameters<AbuseLimits["recordSignIn"]>[0]);
    expect(there.mayTrySignIn("9.9.9.9", "alice")).toBe(false);
    here.signInSucceeded("9.9.9.9", "alice");
    there.recordSignIn(told.at(-1) as Parameters<AbuseLimits["recordSignIn"]>[0]);
    expect(told).toEqual([
      { address: "9.9.9.9", account: "alice", failed: true },
      { address: "9.9.9.9", account: "alice", failed: true },
      { address: "9.9.9.9", account: "alice", failed: false },
    ]);
    expect(there.mayTrySignIn("9.9.9.9", "alice")).toBe(true);
  });

  it("tells each new account it allows, and takes those another node tells from the address's allowance", () => {
    const c = clock();
    const l = limits({ ipAccountBurst: 2 });
    const here = new AbuseLimits(l, c.now);
    const there = new AbuseLimits(l, c.now);
    const told: string[] = [];
    here.onAccount = (address) => told.push(address);
    expect(here.takeAccount("9.9.9.9")).toBe(true);
    expect(told).toEqual(["9.9.9.9"]);
    there.recordAccount("9.9.9.9");
    expect(there.takeAccount("9.9.9.9")).toBe(true);
    expect(there.takeAccount("9.9.9.9")).toBe(false);
    expect(there.takeAccount("8.8.8.8")).toBe(true);
  });

  it("forgets idle addresses without connections on sweep, and keeps connected ones", () => {
    const c = clock();
    const a = new AbuseLimits(limits(), c.now);
    a.takeMessage("idle");
    a.connected("busy");
    c.advance(2 * 3_600_000);
    a.sweep();
    expect(a.trackedAddresses).toBe(1);
    expect(a.connectionsFrom("busy")).toBe(1);
  });
});

describe("Strikes", () => {
  it("is over the limit at the max-th strike within the window, and forgets old strikes", () => {
    const c = clock();
    const s = new Strikes(3, 1000, c.now);
    expect([s.strike(), s.strike()]).toEqual([false, false]);
    c.advance(1000);
    expect(s.strike()).toBe(false);
    expect(s.strike()).toBe(false);
    expect(s.strike()).toBe(true);
  });
});
