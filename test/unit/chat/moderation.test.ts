import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createAccounts } from "../../../storage/users/accounts.ts";
import { createLowdbUserStore } from "../../../storage/users/lowdb-store.ts";
import { Hub } from "../../../src/chat/hub.ts";
import { Moderation } from "../../../src/chat/moderation.ts";
import { ClientError } from "../../../src/message/errors.ts";

let dataDir: string;
let clock: number;
let moderation: Moderation;
let accounts: ReturnType<typeof createAccounts>;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "chatd-moderation-"));
  clock = 1_764_100_000_000;
  accounts = createAccounts({ store: createLowdbUserStore(dataDir), bcryptCost: 4, registration: "open", passwordMinLength: 8, tokenTtlMs: 3_600_000, now: () => clock });
  await accounts.validateSession("Loud", "correct-horse");
  moderation = new Moderation(accounts, new Hub(1 << 20), vi.fn(async () => 0), () => clock);
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

const codeOf = (fn: () => void) => {
  try {
    fn();
    return "none";
  } catch (error) {
    return (error as ClientError).code;
  }
};

describe("Moderation", () => {
  it("mutes a user in one room until the time runs out", async () => {
    const r = await moderation.mute("loud", "General", 2);
    expect(r).toEqual({ user: "Loud", room: "general", until: clock + 120_000 });
    expect(codeOf(() => moderation.checkNotMuted("loud", "general"))).toBe("muted");
    expect(codeOf(() => moderation.checkNotMuted("loud", "random"))).toBe("none");
    clock += 120_000;
    expect(codeOf(() => moderation.checkNotMuted("loud", "general"))).toBe("none");
  });

  it("keeps mutes on the user record, so a fresh instance learns them at sign-in", async () => {
    await moderation.mute("loud", "general", 5);
    const fresh = new Moderation(accounts, new Hub(1 << 20), vi.fn(async () => 0), () => clock);
    expect(codeOf(() => fresh.checkNotMuted("loud", "general"))).toBe("none");
    fresh.remember((await accounts.findUser("loud"))!);
    expect(codeOf(() => fresh.checkNotMuted("loud", "general"))).toBe("muted");
  });

  it("bans: refuses the password sign-in with banned and drops every token; unban restores sign-in", async () => {
    const { token } = await accounts.validateSession("loud", "correct-horse");
    expect(await moderation.ban("LOUD", "spam")).toEqual({ user: "Loud", sessions: 0 });
    await expect(accounts.validateSession("loud", "correct-horse")).rejects.toMatchObject({ code: "banned" });
    await expect(accounts.validateSession("loud", "wrong-horse")).rejects.toMatchObject({ code: "auth_failed" });
    await expect(accounts.resume(token)).rejects.toMatchObject({ code: "auth_failed" });
    await moderation.unban("loud");
    await expect(accounts.validateSession("loud", "correct-horse")).resolves.toMatchObject({ created: false });
  });

  it("answers undefined for a name without an account and bad_name for an invalid one", async () => {
    expect(await moderation.ban("nobody", "x")).toBeUndefined();
    expect(await moderation.setRole("nobody", "moderator")).toBeUndefined();
    await expect(moderation.mute("../etc", "general", 1)).rejects.toMatchObject({ code: "bad_name" });
  });

  it("stores the role on the user record", async () => {
    expect(await moderation.setRole("loud", "moderator")).toEqual({ user: "Loud", role: "moderator" });
    expect((await accounts.findUser("loud"))!.role).toBe("moderator");
  });
});
