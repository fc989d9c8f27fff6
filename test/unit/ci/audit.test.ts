import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs CI script without type declarations
import { judge } from "../../../.ci/audit.mjs";

const report = (vulnerabilities: Record<string, number>) => JSON.stringify({ auditReportVersion: 2, vulnerabilities: {}, metadata: { vulnerabilities } });

describe("the CI audit step", () => {
  it("fails on a high advisory in production dependencies", () => {
    expect(judge(report({ high: 1, critical: 0, total: 1 })).exitCode).toBe(1);
  });

  it("fails on a critical advisory", () => {
    expect(judge(report({ high: 0, critical: 2, total: 2 })).exitCode).toBe(1);
  });

  it("passes when only moderate or low advisories are found", () => {
    const r = judge(report({ low: 1, moderate: 2, high: 0, critical: 0, total: 3 }));
    expect(r).toEqual({ exitCode: 0, message: expect.stringContaining("audit: ok") });
  });

  it("passes but says SKIPPED when the registry refuses the audit endpoint", () => {
    const r = judge(JSON.stringify({ message: "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk", statusCode: 405 }));
    expect(r.exitCode).toBe(0);
    expect(r.message).toMatch(/^audit: SKIPPED .*405/);
  });

  it("passes but says SKIPPED when npm reports an error object or no JSON at all", () => {
    expect(judge(JSON.stringify({ error: { code: "ENOTFOUND", summary: "getaddrinfo ENOTFOUND" } })).message).toMatch(/SKIPPED.*ENOTFOUND/);
    expect(judge("").message).toMatch(/SKIPPED/);
  });
});
