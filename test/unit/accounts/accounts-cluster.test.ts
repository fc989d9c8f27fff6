import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAccounts, type Accounts } from "../../../src/accounts/accounts.ts";
import { createRedisUserStore } from "../../../storage/users/redis-store.ts";
import { ErrorCode } from "../../../src/message/errors.ts";
import { cleanupRedis, openEngine, uniquePrefix } from "../../helpers/redis.ts";
import { codeOf } from "../../helpers/client-error.ts";

let prefix: string;
let clock: number;
beforeEach(() => {
  prefix = uniquePrefix();
  clock = 1_764_100_000_000;
});
afterEach(cleanupRedis);

/** One node's accounts on the shared Redis. */
async function node(): Promise<Accounts> {
  const store = createRedisUserStore(await openEngine(prefix));
  return createAccounts({ store, bcryptCost: 4, registration: "open", passwordMinLength: 8, tokenTtlMs: 10_000, now: () => clock });
}


describe("resume in cluster mode", () => {
  it("takes a token issued on another node", async () => {
    const [a, b] = [await node(), await node()];
    const { token } = await a.validateSession("alice", "correct-horse");
    expect((await b.resume(token)).user.key).toBe("alice");
  });

  it("refuses on every node a token revoked (logout) on one, after it was resumed there", async () => {
    const [a, b] = [await node(), await node()];
    const { token } = await a.validateSession("alice", "correct-horse");
    await a.resume(token);
    await b.resume(token);
    await b.revoke(token);
    expect(await codeOf(a.resume(token))).toBe(ErrorCode.authFailed);
    expect(await codeOf(b.resume(token))).toBe(ErrorCode.authFailed);
  });

  it("refuses a banned user's token on a node that resumed it before the ban", async () => {
    const [a, b] = [await node(), await node()];
    const { token } = await a.validateSession("alice", "correct-horse");
    await a.resume(token);
    await b.store.update("alice", (u) => {
      u.banned = { at: clock, reason: "spam" };
    });
    expect(await codeOf(a.resume(token))).toBe(ErrorCode.authFailed);
  });

  it("refuses an expired token on every node", async () => {
    const [a, b] = [await node(), await node()];
    const { token } = await a.validateSession("alice", "correct-horse");
    await b.resume(token);
    clock += 10_000;
    expect(await codeOf(a.resume(token))).toBe(ErrorCode.authFailed);
    expect(await codeOf(b.resume(token))).toBe(ErrorCode.authFailed);
  });
});
