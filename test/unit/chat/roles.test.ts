import { describe, expect, it } from "vitest";
import { actingRole, grantFields, mayModerate, strongerRole } from "../../../src/chat/roles.ts";

describe("the role a session acts with", () => {
  it("is the stored role without a grant", () => {
    expect(actingRole("user", { grant: undefined })).toBe("user");
    expect(actingRole("admin", { grant: undefined })).toBe("admin");
    expect(actingRole(undefined, { grant: undefined })).toBeUndefined();
    expect(grantFields({ grant: undefined })).toEqual({});
  });

  it("is the stronger of the stored role and the connection's grant", () => {
    const mod = { grant: { role: "moderator" as const, operator: "ops" } };
    expect(actingRole("user", mod)).toBe("moderator");
    expect(actingRole(undefined, mod)).toBe("moderator");
    expect(actingRole("admin", mod)).toBe("admin");
    expect(actingRole("moderator", { grant: { role: "admin", operator: "root" } })).toBe("admin");
    expect(grantFields(mod)).toEqual({ operator: "ops" });
  });

  it("compares roles: admin over moderator over user, a missing one giving way", () => {
    expect(strongerRole("user", "moderator")).toBe("moderator");
    expect(strongerRole("admin", "moderator")).toBe("admin");
    expect(strongerRole("user", undefined)).toBe("user");
    expect(strongerRole(undefined, "admin")).toBe("admin");
    expect(strongerRole(undefined, undefined)).toBeUndefined();
  });

  it("moderates as a moderator or an admin only", () => {
    expect([undefined, "user", "moderator", "admin"].map((r) => mayModerate(r as never))).toEqual([false, false, true, true]);
  });
});
