import { describe, expect, it } from "vitest";
import { digestsEqual, formatToken, hashSecret, newSecret, parseToken } from "../../../src/accounts/tokens.ts";

const b64url = (s: string) => Buffer.from(s, "utf8").toString("base64url");

describe("newSecret", () => {
  it("is 43 base64url characters (32 bytes)", () => {
    const secret = newSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, "base64url")).toHaveLength(32);
  });

  it("is different every time", () => {
    const secrets = new Set(Array.from({ length: 200 }, () => newSecret()));
    expect(secrets.size).toBe(200);
  });
});

describe("formatToken", () => {
  it("is <base64url(key)>.<secret>", () => {
    const secret = newSecret();
    expect(formatToken("alice", secret)).toBe(`${b64url("alice")}.${secret}`);
  });

  it("uses only URL-safe characters and a single dot", () => {
    const token = formatToken("ünïcødé-名前", newSecret());
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  });
});

describe("parseToken", () => {
  it("reads back the key and the secret", () => {
    const secret = newSecret();
    expect(parseToken(formatToken("alice", secret))).toEqual({ key: "alice", secret });
  });

  it("round-trips keys outside ASCII", () => {
    const secret = newSecret();
    for (const key of ["émile", "名前", "\u{10330}x", "a_b-c"]) {
      expect(parseToken(formatToken(key, secret))).toEqual({ key, secret });
    }
  });

  it("parses the example token of docs/protocol.md", () => {
    expect(parseToken("YWxpY2U.n2l8pL0Y1cM2x9ZzJqQmN0b3d3k5aGx0c1V4eE5yT2c")).toEqual({
      key: "alice",
      secret: "n2l8pL0Y1cM2x9ZzJqQmN0b3d3k5aGx0c1V4eE5yT2c",
    });
  });

  it("answers a token parsed again from the last parse, and others afresh; the parts cannot be changed", () => {
    const a = formatToken("alice", newSecret());
    const b = formatToken("bob", newSecret());
    const first = parseToken(a);
    expect(parseToken(a)).toBe(first);
    expect(parseToken(b)?.key).toBe("bob");
    expect(parseToken(a)).toEqual(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(parseToken("not a token")).toBeUndefined();
    expect(parseToken("not a token")).toBeUndefined();
  });

  const secret = "n2l8pL0Y1cM2x9ZzJqQmN0b3d3k5aGx0c1V4eE5yT2c";
  it.each([
    ["the empty string", ""],
    ["no dot", `YWxpY2U${secret}`],
    ["a leading dot", `.${secret}`],
    ["a trailing dot", "YWxpY2U."],
    ["only a dot", "."],
    ["a short secret", `YWxpY2U.${secret.slice(1)}`],
    ["a long secret", `YWxpY2U.${secret}A`],
    ["a secret with '+'", `YWxpY2U.${secret.slice(1)}+`],
    ["a secret with a second dot", `YWxpY2U.${secret.slice(2)}.A`],
    ["a key part with '='", `YWxpY2U=.${secret}`],
    ["a key part with '/'", `YW/pY2U.${secret}`],
    ["a key part that is not valid base64", `Y.${secret}`],
    ["a key part that is not valid UTF-8", `${Buffer.from([0xff, 0xfe]).toString("base64url")}.${secret}`],
    ["whitespace", ` YWxpY2U.${secret}`],
  ])("refuses %s", (_name, token) => {
    expect(parseToken(token)).toBeUndefined();
  });
});

describe("hashSecret", () => {
  it("is the hex SHA-256 of the secret", async () => {
    const { createHash } = await import("node:crypto");
    const secret = newSecret();
    expect(await hashSecret(secret)).toBe(createHash("sha256").update(secret).digest("hex"));
  });

  it("is 64 lower-case hex digits and deterministic", async () => {
    const h = await hashSecret("abc");
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashSecret("abc")).toBe(h);
    expect(await hashSecret("abd")).not.toBe(h);
  });
});

describe("digestsEqual", () => {
  it("is true for equal digests", async () => {
    const h = await hashSecret("x");
    expect(digestsEqual(h, `${h}`)).toBe(true);
  });

  it("is false when any character differs", () => {
    const a = "0".repeat(64);
    for (const i of [0, 31, 63]) {
      const b = a.slice(0, i) + "1" + a.slice(i + 1);
      expect(digestsEqual(a, b)).toBe(false);
    }
  });

  it("is false for different lengths", () => {
    expect(digestsEqual("abc", "abcd")).toBe(false);
    expect(digestsEqual("", "a")).toBe(false);
  });
});
