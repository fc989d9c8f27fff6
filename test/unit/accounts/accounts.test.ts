import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAccounts, tokenUser, type AccountsOptions } from "../../../src/accounts/accounts.ts";
import { createLowdbUserStore } from "../../../storage/users/lowdb-store.ts";
import { formatToken, hashSecret, parseToken } from "../../../src/accounts/tokens.ts";
import type { UserStore } from "../../../storage/users/types.ts";
import { ClientError, ErrorCode } from "../../../src/message/errors.ts";
import { codeOf } from "../../helpers/client-error.ts";

const HOUR = 3_600_000;
let dataDir: string;
let store: UserStore;
let clock: number;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "chatd-accounts-"));
  store = createLowdbUserStore(dataDir);
  clock = 1_764_100_000_000;
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function accounts(options: Partial<AccountsOptions> = {}) {
  return createAccounts({
    store,
    bcryptCost: 4,
    registration: "open",
    passwordMinLength: 8,
    tokenTtlMs: 24 * HOUR,
    now: () => clock,
    ...options,
  });
}


function userFile(key: string): string {
  return join(dataDir, "users", [...key][0]!, `${key}.json`);
}

describe("createAccounts", () => {
  describe("validateSession", () => {
    it("creates the account on the first sign-in", async () => {
      const a = accounts();
      const signIn = await a.validateSession("Alice", "correct-horse");
      expect(signIn.created).toBe(true);
      expect(signIn.user).toMatchObject({ name: "Alice", key: "alice", role: "user", createdAt: clock, lastSeenAt: clock });
      expect(parseToken(signIn.token)?.key).toBe("alice");
      expect(await a.findUser("alice")).toBeDefined();
    });

    it("signs in with the same password the second time", async () => {
      const a = accounts();
      const first = await a.validateSession("alice", "correct-horse");
      clock += 1000;
      const second = await a.validateSession("alice", "correct-horse");
      expect(second.created).toBe(false);
      expect(second.user.lastSeenAt).toBe(clock);
      expect(second.user.createdAt).toBe(first.user.createdAt);
      expect(second.token).not.toBe(first.token);
    });

    it("refuses a wrong password with auth_failed", async () => {
      const a = accounts();
      await a.validateSession("alice", "correct-horse");
      expect(await codeOf(a.validateSession("alice", "wrong-horse"))).toBe(ErrorCode.authFailed);
    });

    it("gives the same message for a wrong password and an unknown name when registration is closed", async () => {
      await accounts().validateSession("alice", "correct-horse");
      const closed = accounts({ registration: "closed" });
      const wrong = await closed.validateSession("alice", "wrong-horse").catch((e: Error) => e.message);
      const unknown = await closed.validateSession("nobody", "whatever-pw").catch((e: Error) => e.message);
      expect(wrong).toBe(unknown);
    });

    it("treats names case- and width-insensitively and keeps the first spelling", async () => {
      const a = accounts();
      await a.validateSession("Alice", "correct-horse");
      for (const name of ["ALICE", "alice", "ａｌｉｃｅ"]) {
        const signIn = await a.validateSession(name, "correct-horse");
        expect(signIn.created).toBe(false);
        expect(signIn.user.name).toBe("Alice");
        expect(signIn.user.key).toBe("alice");
      }
      expect(await store.count()).toBe(1);
    });

    it("creates exactly one account from 10 concurrent first sign-ins with the same password", async () => {
      const a = accounts();
      const results = await Promise.all(Array.from({ length: 10 }, () => a.validateSession("newbie", "same-password")));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.token)).size).toBe(10);
      expect(await store.count()).toBe(1);
      // Every sign-in's token was recorded: none of the token updates was lost.
      expect((await store.get("newbie"))!.tokens).toHaveLength(10);
      for (const r of results) expect((await a.resume(r.token)).user.key).toBe("newbie");
    });

    it("creates exactly one account from 10 concurrent first sign-ins with different passwords", async () => {
      const a = accounts();
      const passwords = Array.from({ length: 10 }, (_, i) => `password-${i}`);
      const results = await Promise.allSettled(passwords.map((p) => a.validateSession("contested", p)));
      const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [{ i, value: r.value }] : []));
      expect(won).toHaveLength(1);
      expect(won[0]!.value.created).toBe(true);
      for (const r of results) {
        if (r.status === "rejected") {
          expect(r.reason).toBeInstanceOf(ClientError);
          expect((r.reason as ClientError).code).toBe(ErrorCode.authFailed);
        }
      }
      expect(await store.count()).toBe(1);
      // The winner's password is the account's password.
      const winner = passwords[won[0]!.i]!;
      expect((await a.validateSession("contested", winner)).created).toBe(false);
      const loser = passwords[(won[0]!.i + 1) % passwords.length]!;
      expect(await codeOf(a.validateSession("contested", loser))).toBe(ErrorCode.authFailed);
    });

    it("refuses a new name with auth_failed when registration is closed, and creates nothing", async () => {
      const a = accounts({ registration: "closed" });
      expect(await codeOf(a.validateSession("stranger", "long-enough"))).toBe(ErrorCode.authFailed);
      expect(await a.findUser("stranger")).toBeUndefined();
      expect(await store.count()).toBe(0);
    });

    it("still signs in existing accounts when registration is closed", async () => {
      await accounts().validateSession("alice", "correct-horse");
      const signIn = await accounts({ registration: "closed" }).validateSession("alice", "correct-horse");
      expect(signIn.created).toBe(false);
    });

    it.each([
      ["a space", "a b"],
      ["a dot", "a.b"],
      ["'..'", ".."],
      ["a slash", "../etc"],
      ["a reserved name", "con"],
      ["33 characters", "a".repeat(33)],
      ["the empty name", ""],
      ["a bidi override", "a\u202Eb"],
    ])("refuses a name with %s with bad_name", async (_name, name) => {
      expect(await codeOf(accounts().validateSession(name, "long-enough"))).toBe(ErrorCode.badName);
      expect(await store.count()).toBe(0);
    });

    it("refuses a new account's password shorter than the minimum with bad_password", async () => {
      const a = accounts();
      expect(await codeOf(a.validateSession("shorty", "1234567"))).toBe(ErrorCode.badPassword);
      expect(await a.findUser("shorty")).toBeUndefined();
      expect((await a.validateSession("shorty", "12345678")).created).toBe(true);
    });

    it("counts the minimum length in characters, not bytes", async () => {
      // 7 characters, 21 bytes.
      expect(await codeOf(accounts().validateSession("euro", "€€€€€€€"))).toBe(ErrorCode.badPassword);
      expect((await accounts().validateSession("euro", "€€€€€€€€")).created).toBe(true);
    });

    it("does not ask for a new account's allowance (mayCreate) when the password is too short to create one", async () => {
      let asked = 0;
      const mayCreate = (): true => {
        asked += 1;
        return true;
      };
      expect(await codeOf(accounts().validateSession("newbie", "short", { mayCreate }))).toBe(ErrorCode.badPassword);
      expect(asked).toBe(0);
      await accounts().validateSession("newbie", "long-enough", { mayCreate });
      expect(asked).toBe(1);
    });

    it("refuses a new account with rate_limited and the wait mayCreate gives", async () => {
      const error = await accounts()
        .validateSession("newbie", "long-enough", { mayCreate: () => 4200 })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: ErrorCode.rateLimited, retryAfterMs: 4200 });
      expect((error as Error).message).toBe("too many new accounts from this address; try again in 5 s");
    });

    it("refuses the empty password for a new account", async () => {
      expect(await codeOf(accounts().validateSession("empty", ""))).toBe(ErrorCode.badPassword);
    });

    it("answers auth_failed, not bad_password, for a short wrong password on an existing account", async () => {
      const a = accounts();
      await a.validateSession("alice", "correct-horse");
      expect(await codeOf(a.validateSession("alice", "short"))).toBe(ErrorCode.authFailed);
    });

    it("accepts a password of exactly 72 bytes", async () => {
      expect((await accounts().validateSession("max72", "p".repeat(72))).created).toBe(true);
      expect((await accounts().validateSession("multi72", "€".repeat(24))).created).toBe(true);
    });

    it("refuses a 73-byte ASCII password with bad_password, never truncating it", async () => {
      const a = accounts();
      expect(await codeOf(a.validateSession("long", "p".repeat(73)))).toBe(ErrorCode.badPassword);
      expect(await a.findUser("long")).toBeUndefined();
    });

    it("refuses a password of few characters but over 72 UTF-8 bytes with bad_password", async () => {
      // 25 characters, 75 bytes.
      expect(await codeOf(accounts().validateSession("multi", "€".repeat(25)))).toBe(ErrorCode.badPassword);
    });

    it("refuses an over-long password on an existing account with bad_password", async () => {
      const a = accounts();
      const pw = "p".repeat(72);
      await a.validateSession("alice", pw);
      // bcrypt would ignore the 73rd byte; chatd refuses it instead.
      expect(await codeOf(a.validateSession("alice", pw + "x"))).toBe(ErrorCode.badPassword);
    });

    it("never stores the password or the token in plain text", async () => {
      const password = "Sup3r-Secret-Passw0rd";
      const { token } = await accounts().validateSession("alice", password);
      const file = await readFile(userFile("alice"), "utf8");
      expect(file).not.toContain(password);
      expect(file).not.toContain(token);
      expect(file).not.toContain(parseToken(token)!.secret);
      const record = JSON.parse(file) as { passwordHash: string; tokens: Array<{ hash: string }> };
      expect(record.passwordHash).toMatch(/^\$2[aby]\$04\$/);
      expect(await bcrypt.compare(password, record.passwordHash)).toBe(true);
      expect(record.tokens[0]!.hash).toBe(await hashSecret(parseToken(token)!.secret));
    });

    it("hashes with the configured bcrypt cost", async () => {
      await accounts({ bcryptCost: 5 }).validateSession("costly", "long-enough");
      expect((await store.get("costly"))!.passwordHash).toMatch(/^\$2[aby]\$05\$/);
    });
  });

  describe("tokens", () => {
    it("issues a token that expires after tokenTtlMs", async () => {
      const { user } = await accounts({ tokenTtlMs: 5000 }).validateSession("alice", "correct-horse");
      expect(user.tokens).toHaveLength(1);
      expect(user.tokens[0]).toMatchObject({ createdAt: clock, expiresAt: clock + 5000 });
    });

    it("drops expired tokens when issuing a new one", async () => {
      const a = accounts({ tokenTtlMs: 1000 });
      await a.validateSession("alice", "correct-horse");
      await a.validateSession("alice", "correct-horse");
      clock += 1000;
      const { user } = await a.validateSession("alice", "correct-horse");
      expect(user.tokens).toHaveLength(1);
      expect(user.tokens[0]!.createdAt).toBe(clock);
    });

    it("keeps at most maxTokensPerUser tokens, dropping the oldest", async () => {
      const a = accounts({ maxTokensPerUser: 3 });
      const tokens: string[] = [];
      for (let i = 0; i < 5; i++) {
        clock += 1;
        tokens.push((await a.validateSession("alice", "correct-horse")).token);
      }
      expect((await store.get("alice"))!.tokens).toHaveLength(3);
      for (const t of tokens.slice(0, 2)) expect(await codeOf(a.resume(t))).toBe(ErrorCode.authFailed);
      for (const t of tokens.slice(2)) expect((await a.resume(t)).user.key).toBe("alice");
    });

    it("keeps only the newest token when maxTokensPerUser is 1", async () => {
      const a = accounts({ maxTokensPerUser: 1 });
      const first = (await a.validateSession("alice", "correct-horse")).token;
      const second = (await a.validateSession("alice", "correct-horse")).token;
      expect((await store.get("alice"))!.tokens).toHaveLength(1);
      expect(await codeOf(a.resume(first))).toBe(ErrorCode.authFailed);
      expect((await a.resume(second)).user.key).toBe("alice");
    });

    it("keeps 20 tokens by default", async () => {
      const a = accounts();
      for (let i = 0; i < 22; i++) await a.validateSession("alice", "correct-horse");
      expect((await store.get("alice"))!.tokens).toHaveLength(20);
    });
  });

  describe("resume", () => {
    it("signs in with a token from an earlier sign-in and returns the same token", async () => {
      const a = accounts();
      const { token } = await a.validateSession("Alice", "correct-horse");
      const resumed = await a.resume(token);
      expect(resumed).toMatchObject({ token, created: false });
      expect(resumed.user).toMatchObject({ name: "Alice", key: "alice" });
    });

    it("works with a fresh accounts instance over the same store", async () => {
      const { token } = await accounts().validateSession("alice", "correct-horse");
      expect((await accounts().resume(token)).user.key).toBe("alice");
    });

    it("refuses a token whose secret was tampered with", async () => {
      const a = accounts();
      const { token } = await a.validateSession("alice", "correct-horse");
      const i = token.length - 5;
      const tampered = token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1);
      expect(tampered).not.toBe(token);
      expect(await codeOf(a.resume(tampered))).toBe(ErrorCode.authFailed);
    });

    it("refuses another user's secret under this user's name", async () => {
      const a = accounts();
      await a.validateSession("alice", "correct-horse");
      const bob = await a.validateSession("bob", "battery-staple");
      const forged = formatToken("alice", parseToken(bob.token)!.secret);
      expect(await codeOf(a.resume(forged))).toBe(ErrorCode.authFailed);
    });

    it("refuses a token for an unknown user", async () => {
      const { token } = await accounts().validateSession("alice", "correct-horse");
      const forged = formatToken("mallory", parseToken(token)!.secret);
      expect(await codeOf(accounts().resume(forged))).toBe(ErrorCode.authFailed);
    });

    it.each([
      ["the empty string", ""],
      ["garbage", "not a token"],
      ["a token without a secret", "YWxpY2U."],
      ["a key that escapes the users folder", formatToken("../../etc/passwd", "A".repeat(43))],
      ["a key with a leading dot", formatToken(".alice", "A".repeat(43))],
      ["a reserved key", formatToken("con", "A".repeat(43))],
    ])("refuses %s with auth_failed", async (_name, token) => {
      expect(await codeOf(accounts().resume(token))).toBe(ErrorCode.authFailed);
    });

    it("refuses a token whose name part is not the user key as issued (another case, another width), and revoke ignores it", async () => {
      const a = accounts();
      const { token } = await a.validateSession("alice", "correct-horse");
      const secret = parseToken(token)!.secret;
      for (const key of ["Alice", "ａｌｉｃｅ"]) {
        const variant = formatToken(key, secret);
        expect(tokenUser(variant)).toBeUndefined();
        expect(await codeOf(a.resume(variant))).toBe(ErrorCode.authFailed);
        await a.revoke(variant);
      }
      expect(tokenUser(token)).toEqual({ key: "alice", secret });
      expect((await a.resume(token)).user.key).toBe("alice");
    });

    it("refuses an expired token", async () => {
      const a = accounts({ tokenTtlMs: 10_000 });
      const { token } = await a.validateSession("alice", "correct-horse");
      clock += 9_999;
      expect((await a.resume(token)).user.key).toBe("alice");
      clock += 1;
      expect(await codeOf(a.resume(token))).toBe(ErrorCode.authFailed);
    });

    describe("resumeNow, without waiting", () => {
      /** The ClientError code a call throws. */
      function thrownCode(call: () => unknown): string {
        let error: unknown;
        try {
          call();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(ClientError);
        return (error as ClientError).code;
      }

      it("answers undefined until the user's record has been read, then signs in as resume does", async () => {
        const { token } = await accounts().validateSession("alice", "correct-horse");
        const fresh = accounts({ store: createLowdbUserStore(dataDir) });
        expect(fresh.resumeNow(token)).toBeUndefined();
        await fresh.resume(token);
        expect(fresh.resumeNow(token)).toMatchObject({ token, created: false, user: { key: "alice" } });
      });

      it("throws auth_failed at once for a malformed, forged or expired token of a cached user", async () => {
        const a = accounts({ tokenTtlMs: 10_000 });
        const { token } = await a.validateSession("alice", "correct-horse");
        await a.resume(token);
        expect(thrownCode(() => a.resumeNow("not a token"))).toBe(ErrorCode.authFailed);
        expect(thrownCode(() => a.resumeNow(formatToken("alice", "A".repeat(43))))).toBe(ErrorCode.authFailed);
        clock += 10_000;
        expect(thrownCode(() => a.resumeNow(token))).toBe(ErrorCode.authFailed);
      });

      it("does not take a revoked token, nor one of a user banned since the read", async () => {
        const a = accounts();
        const one = (await a.validateSession("alice", "correct-horse")).token;
        const two = (await a.validateSession("alice", "correct-horse")).token;
        await a.resume(one);
        await a.revoke(one);
        // The revoke rewrote the file: nothing at hand, and resume() refuses the token.
        expect(a.resumeNow(one)).toBeUndefined();
        expect(await codeOf(a.resume(one))).toBe(ErrorCode.authFailed);
        await a.resume(two);
        await store.update("alice", (u) => {
          u.banned = { reason: "spam", at: clock };
        });
        expect(a.resumeNow(two)).toBeUndefined();
        expect(await codeOf(a.resume(two))).toBe(ErrorCode.authFailed);
        expect(thrownCode(() => a.resumeNow(two))).toBe(ErrorCode.authFailed);
      });
    });

    it("refuses a token after it is revoked, and keeps the user's other tokens", async () => {
      const a = accounts();
      const one = (await a.validateSession("alice", "correct-horse")).token;
      const two = (await a.validateSession("alice", "correct-horse")).token;
      await a.revoke(one);
      expect(await codeOf(a.resume(one))).toBe(ErrorCode.authFailed);
      expect((await a.resume(two)).user.key).toBe("alice");
    });

    it("refuses a valid token of a banned user, and takes it again after the unban", async () => {
      const a = accounts();
      const { token } = await a.validateSession("alice", "correct-horse");
      await a.resume(token);
      await store.update("alice", (u) => {
        u.banned = { at: clock, reason: "spam" };
      });
      expect(await codeOf(a.resume(token))).toBe(ErrorCode.authFailed);
      await store.update("alice", (u) => {
        delete u.banned;
      });
      expect((await a.resume(token)).user.key).toBe("alice");
    });

    it("refuses every token after revokeAll, also ones resumed just before", async () => {
      const a = accounts();
      const { token } = await a.validateSession("alice", "correct-horse");
      await a.resume(token);
      await a.revokeAll("alice");
      expect(await codeOf(a.resume(token))).toBe(ErrorCode.authFailed);
    });

    it("returns the role as stored now, not as it was at the last resume", async () => {
      const a = accounts();
      const { token } = await a.validateSession("alice", "correct-horse");
      expect((await a.resume(token)).user.role).toBe("user");
      await store.update("alice", (u) => {
        u.role = "moderator";
      });
      expect((await a.resume(token)).user.role).toBe("moderator");
    });

    it("refuses a resumed token once it expires, however often it was used", async () => {
      const a = accounts({ tokenTtlMs: 10_000 });
      const { token } = await a.validateSession("alice", "correct-horse");
      for (let i = 0; i < 3; i++) expect((await a.resume(token)).user.key).toBe("alice");
      clock += 10_000;
      expect(await codeOf(a.resume(token))).toBe(ErrorCode.authFailed);
    });

    it("does not need the password after revoking: the password still signs in", async () => {
      const a = accounts();
      const { token } = await a.validateSession("alice", "correct-horse");
      await a.revoke(token);
      expect((await a.validateSession("alice", "correct-horse")).created).toBe(false);
    });
  });

  describe("revoke", () => {
    it("ignores a malformed token", async () => {
      await expect(accounts().revoke("garbage")).resolves.toBeUndefined();
      await expect(accounts().revoke(formatToken("../x", "A".repeat(43)))).resolves.toBeUndefined();
    });

    it("ignores a token of an unknown user", async () => {
      await expect(accounts().revoke(formatToken("nobody", "A".repeat(43)))).resolves.toBeUndefined();
      expect(await store.count()).toBe(0);
    });
  });

  describe("revokeAll", () => {
    it("invalidates every token of the user, whatever the spelling", async () => {
      const a = accounts();
      const tokens = [
        (await a.validateSession("alice", "correct-horse")).token,
        (await a.validateSession("alice", "correct-horse")).token,
      ];
      await a.revokeAll("ALICE");
      for (const t of tokens) expect(await codeOf(a.resume(t))).toBe(ErrorCode.authFailed);
      expect((await store.get("alice"))!.tokens).toEqual([]);
    });

    it("ignores a bad name", async () => {
      await expect(accounts().revokeAll("../x")).resolves.toBeUndefined();
    });
  });

  describe("findUser", () => {
    it("finds a user by any spelling of the name", async () => {
      const a = accounts();
      await a.validateSession("Bob", "battery-staple");
      expect((await a.findUser("bob"))?.name).toBe("Bob");
      expect((await a.findUser("ＢＯＢ"))?.name).toBe("Bob");
    });

    it("returns undefined for an unknown or invalid name", async () => {
      const a = accounts();
      expect(await a.findUser("nobody")).toBeUndefined();
      expect(await a.findUser("../etc")).toBeUndefined();
      expect(await a.findUser("")).toBeUndefined();
    });
  });

  describe("createUser", () => {
    it("returns true for a new name and false for a taken one", async () => {
      const a = accounts();
      expect(await a.createUser("Carol", "long-enough")).toBe(true);
      expect(await a.createUser("carol", "other-password")).toBe(false);
      expect(await bcrypt.compare("long-enough", (await store.get("carol"))!.passwordHash)).toBe(true);
    });

    it("checks the name and the password", async () => {
      const a = accounts();
      expect(await codeOf(a.createUser("a b", "long-enough"))).toBe(ErrorCode.badName);
      expect(await codeOf(a.createUser("carol", "short"))).toBe(ErrorCode.badPassword);
      expect(await codeOf(a.createUser("carol", "x".repeat(73)))).toBe(ErrorCode.badPassword);
    });

    it("creates the account with no tokens and the user role", async () => {
      const a = accounts();
      await a.createUser("dan", "long-enough");
      expect(await store.get("dan")).toMatchObject({ name: "dan", key: "dan", role: "user", tokens: [], createdAt: clock });
    });
  });
});

describe("checkSignIn (a password sign-in without a resume token: IRC's)", () => {
  it("checks the password as validateSession does, and writes nothing for an existing account", async () => {
    const a = accounts();
    await a.validateSession("ircy", "correct-horse");
    const before = await readFile(userFile("ircy"), "utf8");
    let writes = 0;
    const update = store.update.bind(store);
    store.update = (...args) => ((writes += 1), update(...args));
    const signIn = await a.checkSignIn("IRCY", "correct-horse");
    expect(signIn).toMatchObject({ user: { key: "ircy" }, created: false });
    expect(signIn.token).toBeUndefined();
    expect(writes).toBe(0);
    expect(await readFile(userFile("ircy"), "utf8")).toBe(before);
    await expect(a.checkSignIn("ircy", "wrong-horse")).rejects.toMatchObject({ code: ErrorCode.authFailed });
  });

  it("creates the account when registration is open, with no token in it", async () => {
    const signIn = await accounts().checkSignIn("newirc", "correct-horse");
    expect(signIn).toMatchObject({ user: { key: "newirc", tokens: [] }, created: true });
    expect(JSON.parse(await readFile(userFile("newirc"), "utf8"))).toMatchObject({ tokens: [] });
  });
});
