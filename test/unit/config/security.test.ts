import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/index.ts";

describe("the security config", () => {
  it("is filled with defaults from {}", () => {
    expect(parseConfig({}).security).toEqual({ allowedOrigins: [], allowMissingOrigin: true });
  });

  it("refuses unknown security fields", () => {
    expect(() => parseConfig({ security: { allowedOrigin: ["x"] } })).toThrow(/security/);
  });

  it("ships a config/server.json that states every default", async () => {
    const shipped = JSON.parse(await readFile(new URL("../../../config/server.json", import.meta.url), "utf8"));
    const defaults = parseConfig({});
    const parsed = parseConfig(shipped);
    expect(parsed.limits).toEqual(defaults.limits);
    expect(parsed.security).toEqual(defaults.security);
    expect(Object.keys(shipped.limits).sort()).toEqual(Object.keys(defaults.limits).sort());
  });
});
