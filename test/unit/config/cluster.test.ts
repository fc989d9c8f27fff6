import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig } from "../../../src/config/load.ts";

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "chatd-config-"));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe("cluster config", () => {
  it("is absent by default: embedded mode", () => {
    expect(parseConfig({}).cluster).toBeUndefined();
  });

  it("an empty cluster or cluster.redis block is embedded mode too (every field is optional)", () => {
    expect(parseConfig({ cluster: {} }).cluster).toBeUndefined();
    expect(parseConfig({ cluster: { redis: {} } }).cluster).toBeUndefined();
  });

  it("refuses a key prefix or node id in the file without a URL, saying the URL is missing", () => {
    expect(() => parseConfig({ cluster: { redis: { keyPrefix: "x:" } } })).toThrow(/\n {2}cluster\.redis\.url: missing \(cluster\.redis\.keyPrefix: cluster mode only\): set CHAT_REDIS_URL, or cluster\.redis\.url in the file/);
    expect(() => parseConfig({ cluster: { redis: { nodeId: "n1" } } })).toThrow(/cluster\.redis\.url: missing \(cluster\.redis\.nodeId: cluster mode only\)/);
  });

  it("fills the key prefix and node id defaults", () => {
    expect(parseConfig({ cluster: { redis: { url: "redis://127.0.0.1:6379" } } }).cluster).toEqual({
      redis: { url: "redis://127.0.0.1:6379", keyPrefix: "chatd:", nodeId: "" },
    });
  });

  it("refuses a URL that is not redis:// or rediss://", () => {
    expect(() => parseConfig({ cluster: { redis: { url: "http://x" } } })).toThrow(/cluster\.redis\.url/);
  });

  it("refuses a node id with spaces", () => {
    expect(() => parseConfig({ cluster: { redis: { url: "redis://x", nodeId: "a b" } } })).toThrow(ConfigError);
  });

  it("CHAT_REDIS_URL turns cluster mode on; CHAT_REDIS_PREFIX and CHAT_NODE_ID set the rest", async () => {
    const config = await loadConfig({ CHAT_REDIS_URL: "redis://10.0.0.5:6379/2", CHAT_REDIS_PREFIX: "chat1:", CHAT_NODE_ID: "web-1" }, cwd);
    expect(config.cluster).toEqual({ redis: { url: "redis://10.0.0.5:6379/2", keyPrefix: "chat1:", nodeId: "web-1" } });
  });

  it("environment variables override the file field by field", async () => {
    await writeFile(join(cwd, "server.json"), JSON.stringify({ cluster: { redis: { url: "redis://file:6379", keyPrefix: "file:" } } }));
    const config = await loadConfig({ CHAT_CONFIG: "server.json", CHAT_NODE_ID: "n2" }, cwd);
    expect(config.cluster).toEqual({ redis: { url: "redis://file:6379", keyPrefix: "file:", nodeId: "n2" } });
  });

  it("a file's key prefix without a URL is a cluster once CHAT_REDIS_URL gives the URL", async () => {
    await writeFile(join(cwd, "server.json"), JSON.stringify({ cluster: { redis: { keyPrefix: "file:" } } }));
    const config = await loadConfig({ CHAT_CONFIG: "server.json", CHAT_REDIS_URL: "redis://env:6379" }, cwd);
    expect(config.cluster).toEqual({ redis: { url: "redis://env:6379", keyPrefix: "file:", nodeId: "" } });
  });

  it("refuses CHAT_NODE_ID or CHAT_REDIS_PREFIX without a Redis URL, naming the variables", async () => {
    await expect(loadConfig({ CHAT_NODE_ID: "n1" }, cwd)).rejects.toThrow(/: invalid configuration\n {2}cluster\.redis\.url: missing \(CHAT_NODE_ID: cluster mode only\): set CHAT_REDIS_URL/);
    await expect(loadConfig({ CHAT_NODE_ID: "n1", CHAT_REDIS_PREFIX: "x:" }, cwd)).rejects.toThrow(/\n {2}cluster\.redis\.url: missing \(CHAT_REDIS_PREFIX and CHAT_NODE_ID: cluster mode only\)/);
  });
});
