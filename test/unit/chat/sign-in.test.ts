import { describe, expect, it } from "vitest";
import { Hub } from "../../../src/chat/hub.ts";
import { Moderation } from "../../../src/chat/moderation.ts";
import { refusal, type Admission } from "../../../src/chat/sign-in.ts";
import { ErrorCode } from "../../../src/message/index.ts";
import type { Accounts } from "../../../src/accounts/accounts.ts";
import type { UserRecord } from "../../../storage/users/types.ts";

const NOW = 1_000_000;

function moderation(): Moderation {
  return new Moderation({} as Accounts, new Hub(1 << 20), { publish: async () => {}, sessionsOf: async () => 0 }, () => NOW);
}

function user(over: Partial<UserRecord> = {}): UserRecord {
  return { name: "Mallory", key: "mallory", passwordHash: "x", role: "user", createdAt: 1, lastSeenAt: 1, tokens: [], ...over };
}

function admission(mark: number, over: Partial<UserRecord> = {}, byToken = false): Admission {
  return { user: user(over), token: "t", created: false, mark, byToken };
}

describe("refusal: a sign-in's last check, as it becomes a session", () => {
  it("admits a user nothing happened to", () => {
    const m = moderation();
    const mark = m.mark();
    m.apply("someone-else", { action: "ban", reason: "spam" });
    expect(refusal(m, admission(mark))).toBeUndefined();
  });

  it("refuses a password sign-in with `banned` when a ban was applied after the mark, though the record read missed it", () => {
    const m = moderation();
    const mark = m.mark();
    m.apply("mallory", { action: "ban", reason: "spam" });
    const error = refusal(m, admission(mark));
    expect(error?.code).toBe(ErrorCode.banned);
    expect(error?.message).toContain("spam");
  });

  it("refuses when the record read after the mark shows the ban (stored before the read)", () => {
    const m = moderation();
    expect(refusal(m, admission(m.mark(), { banned: { at: 1, reason: "flood" } }))?.message).toContain("flood");
  });

  it("refuses a token sign-in with `auth_failed`, as a banned user's token is", () => {
    const m = moderation();
    const mark = m.mark();
    m.apply("mallory", { action: "ban", reason: "spam" });
    expect(refusal(m, admission(mark, {}, true))?.code).toBe(ErrorCode.authFailed);
  });

  it("ignores a ban applied before the mark (the record read after it is what counts: an unban since)", () => {
    const m = moderation();
    m.apply("mallory", { action: "ban", reason: "spam" });
    expect(refusal(m, admission(m.mark()))).toBeUndefined();
  });

  it("refuses with `unavailable` when the journal no longer reaches back to the mark", () => {
    const m = moderation();
    const mark = m.mark();
    for (let i = 0; i < 1100; i++) m.apply(`u${i}`, { action: "kick", reason: "x" });
    expect(refusal(m, admission(mark))?.code).toBe(ErrorCode.unavailable);
    expect(refusal(m, admission(m.mark()))).toBeUndefined();
  });
});

describe("Moderation.remember with a mark: the changes a signing-in user's record missed", () => {
  it("keeps a mute applied after the mark, and drops one unmuted after it", () => {
    const m = moderation();
    const mark = m.mark();
    m.apply("mallory", { action: "mute", room: "general", until: NOW + 60_000, minutes: 1 });
    m.apply("mallory", { action: "unmute", room: "random" });
    // The record was read before either change: no mute in general, one in random.
    m.remember(user({ mutes: [{ room: "random", until: NOW + 60_000 }] }), mark);
    expect(() => m.checkNotMuted("mallory", "general")).toThrow(/muted/);
    expect(() => m.checkNotMuted("mallory", "random")).not.toThrow();
  });

  it("returns the role of the latest change after the mark, else the record's", () => {
    const m = moderation();
    const mark = m.mark();
    expect(m.remember(user({ role: "user" }), mark)).toBe("user");
    m.apply("mallory", { action: "role", role: "moderator" });
    expect(m.remember(user({ role: "user" }), mark)).toBe("moderator");
    expect(m.remember(user({ role: "user" }), m.mark())).toBe("user");
  });
});
