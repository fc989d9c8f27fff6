import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig, type Config } from "../../../src/config/index.ts";
import { RESTART_FIELDS, reloadConfig, type ReloadHost } from "../../../src/ops/reload.ts";

const silent = { debug() {}, info() {}, warn() {}, error() {} } as unknown as ReloadHost["logger"];

function host(config: Config, next: Config): ReloadHost {
  return { config, logger: silent, configSource: async () => next, chat: undefined, reloadCertificates: async () => "off" };
}

describe("reloadConfig", () => {
  it("leaves irc as it is and reports it in restartRequired (its listeners and server name are set at start)", async () => {
    const h = host(parseConfig({}), parseConfig({ irc: { port: 6667, serverName: "other", guests: true } }));
    const result = await reloadConfig(h);
    expect(result.restartRequired).toContain("irc");
    expect(result.changed).not.toContain("irc");
    expect(h.config.irc).toEqual(parseConfig({}).irc);
  });

  it("applies a field that may change live", async () => {
    const h = host(parseConfig({}), parseConfig({ welcome: "hi", limits: { messageBurst: 3 } }));
    const result = await reloadConfig(h);
    expect(result.changed.sort()).toEqual(["limits.messageBurst", "welcome"]);
    expect(h.config.welcome).toBe("hi");
    expect(h.config.limits.messageBurst).toBe(3);
  });

  it("docs/operations.md lists exactly the fields that need a restart", () => {
    const doc = readFileSync(new URL("../../../docs/operations.md", import.meta.url), "utf8");
    const start = doc.indexOf("Need a restart of the process");
    const list = doc.slice(doc.indexOf(":", start), doc.indexOf("\n\n", start));
    const named = [...list.matchAll(/`([\w.*]+)`/g)].map((m) => m[1]!);
    const defaults = parseConfig({}) as unknown as Record<string, unknown>;
    const expected = RESTART_FIELDS.map((f) => {
      if (f.startsWith("limits.")) return f.slice("limits.".length);
      const value = defaults[f];
      return f === "cluster" || (typeof value === "object" && value !== null && !Array.isArray(value)) ? `${f}.*` : f;
    });
    expect(named.sort()).toEqual(expected.sort());
  });
});
