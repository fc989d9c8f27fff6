import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createAccounts } from "../../../src/accounts/accounts.ts";
import { createLowdbUserStore } from "../../../storage/users/lowdb-store.ts";
import { Hub } from "../../../src/chat/hub.ts";
import { Moderation } from "../../../src/chat/moderation.ts";
import { Session } from "../../../src/chat/session.ts";
import type { Peer } from "../../../src/chat/peer.ts";
import { ClientError } from "../../../src/message/errors.ts";
import { CloseCode, type Encoded } from "../../../src/message/index.ts";

let dataDir: string;
let clock: number;
let moderation: Moderation;
let accounts: ReturnType<typeof createAccounts>;
/** The nodes on one bus: a change published on one is applied on all of them. */
let bus: Set<Moderation>;

/** A node: its own hub and moderation, sharing the accounts and the bus. */
function node(hub = new Hub(1 << 20)): Moderation {
  const m = new Moderation(
    accounts,
    hub,
    {
      publish: async (user, change) => {
        for (const n of bus) n.apply(user, change);
      },
      sessionsOf: async () => 0,
    },
    () => clock,
  );
  bus.add(m);
  return m;
}

/** A signed-in session of `key` on `hub`, recording what it is sent. */
function online(hub: Hub, key: string) {
  const sent: Encoded[] = [];
  const peer = { send: vi.fn((e: Encoded) => void sent.push(e)), close: vi.fn(), bufferedAmount: 0, remoteAddress: "127.0.0.1" };
  const session = new Session(peer as Peer, { messagesPerSecond: 10, messageBurst: 20 }, hub);
  session.user = { key, name: key, role: "user" };
  hub.add(session);
  hub.signedIn(session);
  return { session, peer, frames: () => sent.map((e) => JSON.parse(e.text) as { type: string; kind?: string }) };
}

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "chatd-moderation-"));
  clock = 1_764_100_000_000;
  accounts = createAccounts({ store: createLowdbUserStore(dataDir), bcryptCost: 4, registration: "open", passwordMinLength: 8, tokenTtlMs: 3_600_000, now: () => clock });
  await accounts.validateSession("Loud", "correct-horse");
  bus = new Set();
  moderation = node();
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
    const fresh = new Moderation(accounts, new Hub(1 << 20), { publish: vi.fn(async () => {}), sessionsOf: vi.fn(async () => 0) }, () => clock);
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

  describe("on several nodes (one bus)", () => {
    it("a mute made on one node holds the user's sessions on another, which are told; an unmute lifts it there", async () => {
      const hubB = new Hub(1 << 20);
      const b = node(hubB);
      const there = online(hubB, "loud");
      await moderation.mute("loud", "general", 5);
      expect(codeOf(() => b.checkNotMuted("loud", "general"))).toBe("muted");
      expect(there.frames()).toEqual([expect.objectContaining({ type: "notice", kind: "mute" })]);
      await moderation.unmute("loud", "general");
      expect(codeOf(() => b.checkNotMuted("loud", "general"))).toBe("none");
    });

    it("a ban made on one node closes the user's sessions on another with 4002", async () => {
      const hubB = new Hub(1 << 20);
      node(hubB);
      const there = online(hubB, "loud");
      await moderation.ban("loud", "spam");
      expect(there.frames()).toEqual([expect.objectContaining({ type: "notice", kind: "ban" })]);
      expect(there.peer.close).toHaveBeenCalledWith(CloseCode.banned, "banned");
    });

    it("a role change reaches the user's sessions on another node", async () => {
      const hubB = new Hub(1 << 20);
      node(hubB);
      const there = online(hubB, "loud");
      await moderation.setRole("loud", "moderator");
      expect(there.session.user!.role).toBe("moderator");
    });

    it("a sign-in replaces the mutes a node held with the stored ones (a change it never heard of included)", async () => {
      await moderation.mute("loud", "general", 5);
      // Lifted behind this node's back: the record says so, and the next sign-in here learns it.
      await accounts.store.update("loud", (u) => {
        u.mutes = [];
      });
      expect(codeOf(() => moderation.checkNotMuted("loud", "general"))).toBe("muted");
      moderation.remember((await accounts.findUser("loud"))!);
      expect(codeOf(() => moderation.checkNotMuted("loud", "general"))).toBe("none");
    });
  });
});
