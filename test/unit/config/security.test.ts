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

  it("takes origins and \"*\" in allowedOrigins, and refuses what could never match an Origin header", () => {
    const origins = ["*", "https://chat.example.com", "http://localhost:8080", "https://chat.example.com/", "https://[::1]:8443"];
    expect(parseConfig({ security: { allowedOrigins: origins } }).security.allowedOrigins).toEqual(origins);
    for (const bad of ["chat.example.com", "https://chat.example.com/app", "https://chat.example.com?x=1", "ftp://chat.example.com", "https://user@chat.example.com", "", "null"]) {
      expect(() => parseConfig({ security: { allowedOrigins: [bad] } }), bad).toThrow(/security\.allowedOrigins\.0: expected "\*" or an origin/);
    }
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
