import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.ts";

const HASH = "$2b$04$g52Eck8KjgBsWZ7VRcJpVuMO6TSSOPqQrGGr/6D0.ACxw7x4bt1Zm";
const parse = (operators: unknown) => configSchema.safeParse({ irc: { operators } });

describe("irc.operators", () => {
  it("is empty by default and takes blocks of name, bcrypt hash and role", () => {
    expect(configSchema.parse({}).irc.operators).toEqual([]);
    const ok = parse([
      { name: "operuser", passwordHash: HASH, role: "admin" },
      { name: "night.shift-1", passwordHash: HASH.replace("$2b$", "$2y$"), role: "moderator" },
    ]);
    expect(ok.success).toBe(true);
  });

  it("refuses a password in clear, another role, a bad name, a missing or unknown field", () => {
    expect(parse([{ name: "o", passwordHash: "operpassword", role: "admin" }]).success).toBe(false);
    expect(parse([{ name: "o", passwordHash: HASH.replace("$04$", "$03$"), role: "admin" }]).success).toBe(false);
    expect(parse([{ name: "o", passwordHash: HASH, role: "user" }]).success).toBe(false);
    expect(parse([{ name: "two words", passwordHash: HASH, role: "admin" }]).success).toBe(false);
    expect(parse([{ name: "x".repeat(33), passwordHash: HASH, role: "admin" }]).success).toBe(false);
    expect(parse([{ name: "o", passwordHash: HASH }]).success).toBe(false);
    expect(parse([{ name: "o", passwordHash: HASH, role: "admin", hosts: ["*"] }]).success).toBe(false);
  });

  it("refuses two blocks with one name in any case", () => {
    const result = parse([
      { name: "Ops", passwordHash: HASH, role: "admin" },
      { name: "ops", passwordHash: HASH, role: "moderator" },
    ]);
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error.issues[0]?.message).toMatch(/same name/);
  });
});
