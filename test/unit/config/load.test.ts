import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfig, parseConfig } from "../../../src/config/load.ts";

let cwd: string;

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "chatd-config-"));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

async function writeConfig(content: unknown, path = DEFAULT_CONFIG_PATH): Promise<string> {
  const full = join(cwd, path);
  await mkdir(join(full, ".."), { recursive: true });
  await writeFile(full, typeof content === "string" ? content : JSON.stringify(content));
  return full;
}

/** The ConfigError a promise rejects with. */
async function configError(p: Promise<unknown>): Promise<ConfigError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

function parseError(raw: unknown): ConfigError {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(raw)}`);
}

describe("parseConfig", () => {
  it("fills every default from {}", () => {
    expect(parseConfig({})).toEqual({
      host: "0.0.0.0",
      port: 8080,
      name: "chatd",
      motd: "",
      welcome: "",
      rooms: ["general"],
      dataDir: "./data",
      registration: "open",
      bcryptCost: 10,
      bcryptThreads: 1,
      adminToken: "",
      chatLog: { fsync: true, maxBytes: 0, keepFiles: 5 },
      trustedProxies: [],
      tls: { cert: "", key: "" },
      metrics: { public: true },
      limits: {
        maxFrameBytes: 65536,
        maxTextLength: 4000,
        historyPerRoom: 1000,
        historyOnJoin: 50,
        historyMemoryBytes: 64 * 1024 * 1024,
        maxConnections: 10_000,
        maxRoomsPerSession: 100,
        authTimeoutMs: 10_000,
        messagesPerSecond: 10,
        messageBurst: 20,
        passwordMinLength: 8,
        tokenTtlHours: 720,
        maxBufferedBytes: 4 * 1024 * 1024,
        maxConnectionsPerIp: 100,
        maxSessionsPerUser: 20,
        heartbeatMs: 30_000,
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        maxHeaderBytes: 16_384,
        ipMessagesPerSecond: 100,
        ipMessageBurst: 200,
        joinsPerSecond: 5,
        joinBurst: 100,
        ipJoinsPerSecond: 20,
        ipJoinBurst: 300,
        searchesPerSecond: 2,
        searchBurst: 10,
        ipSearchesPerSecond: 10,
        ipSearchBurst: 50,
        searchRebuildChunk: 2000,
        signInsPerMinute: 10,
        signInBurst: 10,
        ipSignInsPerMinute: 60,
        ipSignInBurst: 100,
        signInFailureDelayMs: 500,
        signInFailureDelayMaxMs: 60_000,
        ipAccountsPerHour: 20,
        ipAccountBurst: 50,
        typingPerSecond: 5,
        typingBurst: 20,
        typingIntervalMs: 2000,
        historyMessagesPerSecond: 500,
        historyMessageBurst: 2000,
        ipHistoryMessagesPerSecond: 2000,
        ipHistoryMessageBurst: 10_000,
        abuseStrikes: 50,
        abuseWindowMs: 10_000,
        maxFileBytes: 10 * 1024 * 1024,
        fileBytesPerUserPerDay: 200 * 1024 * 1024,
        filesPerUserPerDay: 1000,
        maxRooms: 10_000,
        userRoomsPerHour: 20,
        userRoomBurst: 10,
        ipRoomsPerHour: 60,
        ipRoomBurst: 30,
        emptyRoomTtlMs: 86_400_000,
        roomsPushMs: 1000,
        stateRequestsPerSecond: 10,
        stateRequestBurst: 50,
      },
      security: { allowedOrigins: [], allowMissingOrigin: true },
      files: { dir: "", unsharedTtlMs: 86_400_000 },
      irc: { serverName: "chatd", replayOnJoin: true, guests: false, operators: [], password: "" },
    });
  });

  it("fills the defaults of a partial limits object", () => {
    const config = parseConfig({ limits: { maxTextLength: 10 } });
    expect(config.limits.maxTextLength).toBe(10);
    expect(config.limits.historyOnJoin).toBe(50);
  });

  it("keeps given values", () => {
    const config = parseConfig({ port: 0, registration: "closed", rooms: ["a", "b"], chatLog: { fsync: false } });
    expect(config.port).toBe(0);
    expect(config.registration).toBe("closed");
    expect(config.rooms).toEqual(["a", "b"]);
    expect(config.chatLog.fsync).toBe(false);
  });

  it.each([
    ["port", { port: "8080" }],
    ["port", { port: 65536 }],
    ["port", { port: -1 }],
    ["port", { port: 80.5 }],
    ["host", { host: "" }],
    ["registration", { registration: "maybe" }],
    ["bcryptCost", { bcryptCost: 3 }],
    ["bcryptCost", { bcryptCost: 16 }],
    ["rooms", { rooms: "general" }],
    ["rooms.0", { rooms: [""] }],
    ["rooms.1", { rooms: ["general", "a b"] }],
    ["chatLog.fsync", { chatLog: { fsync: "yes" } }],
    ["limits.maxFrameBytes", { limits: { maxFrameBytes: 10 } }],
    ["limits.authTimeoutMs", { limits: { authTimeoutMs: 0 } }],
    ["limits.passwordMinLength", { limits: { passwordMinLength: 73 } }],
    ["limits.messagesPerSecond", { limits: { messagesPerSecond: 0 } }],
  ])("refuses a bad %s and names the field", (field, raw) => {
    const error = parseError(raw);
    expect(error.message).toContain(`${field}:`);
  });

  it("refuses an unknown top-level field and names it", () => {
    const error = parseError({ prot: 8080 });
    expect(error.message).toContain("prot");
  });

  it("refuses an unknown field inside limits and names it", () => {
    const error = parseError({ limits: { maxTextLenght: 10 } });
    expect(error.message).toContain("maxTextLenght");
    expect(error.message).toContain("limits");
  });

  it("refuses an unknown field inside chatLog", () => {
    expect(parseError({ chatLog: { fsync: true, sync: true } }).message).toContain("sync");
  });

  it.each([
    ["an array", []],
    ["null", null],
    ["a string", "port=80"],
  ])("refuses %s at the root", (_name, raw) => {
    expect(parseError(raw).message).toContain("(root)");
  });

  it("lists every problem, one a line", () => {
    const error = parseError({ port: "x", host: "" });
    expect(error.message).toContain("port:");
    expect(error.message).toContain("host:");
    expect(error.message.split("\n").length).toBeGreaterThanOrEqual(3);
  });

  it("names the source in the message", () => {
    try {
      parseConfig({ port: "x" }, "/etc/chatd.json");
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message.startsWith("/etc/chatd.json:")).toBe(true);
      expect((error as Error).name).toBe("ConfigError");
    }
  });
});

describe("loadConfig", () => {
  it("resolves the certificate and key against the working directory and refuses files it cannot read as PEM", async () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    await writeConfig(pem, "tls/cert.pem");
    await writeConfig(pem.replaceAll("CERTIFICATE", "PRIVATE KEY"), "tls/key.pem");
    const config = await loadConfig({ CHAT_TLS_CERT: "tls/cert.pem", CHAT_TLS_KEY: "tls/key.pem" }, cwd);
    expect(config.tls).toEqual({ cert: join(cwd, "tls/cert.pem"), key: join(cwd, "tls/key.pem") });

    const missing = loadConfig({ CHAT_TLS_CERT: "tls/cert.pem", CHAT_TLS_KEY: "tls/missing.pem" }, cwd);
    await expect(missing).rejects.toThrow(ConfigError);
    await expect(missing).rejects.toThrow(`tls.key: cannot read ${join(cwd, "tls/missing.pem")}: ENOENT`);
    await writeConfig("not a certificate", "tls/plain.txt");
    await expect(loadConfig({ CHAT_TLS_CERT: "tls/plain.txt", CHAT_TLS_KEY: "tls/key.pem" }, cwd)).rejects.toThrow(
      `tls.cert: ${join(cwd, "tls/plain.txt")} is not a PEM file`,
    );
  });

  it("uses every default when there is no config file", async () => {
    const config = await loadConfig({}, cwd);
    expect(config).toEqual({ ...parseConfig({}), dataDir: join(cwd, "data") });
  });

  it("reads config/server.json under the working directory", async () => {
    await writeConfig({ port: 1234, motd: "hi" });
    const config = await loadConfig({}, cwd);
    expect(config.port).toBe(1234);
    expect(config.motd).toBe("hi");
  });

  it("reads the file named by CHAT_CONFIG, relative to the working directory", async () => {
    await writeConfig({ name: "elsewhere" }, "conf/other.json");
    await writeConfig({ name: "default-file" });
    const config = await loadConfig({ CHAT_CONFIG: "conf/other.json" }, cwd);
    expect(config.name).toBe("elsewhere");
  });

  it("reads an absolute CHAT_CONFIG path", async () => {
    const path = await writeConfig({ name: "absolute" }, "abs.json");
    expect((await loadConfig({ CHAT_CONFIG: path }, "/")).name).toBe("absolute");
  });

  it("refuses a missing explicit CHAT_CONFIG file", async () => {
    const error = await configError(loadConfig({ CHAT_CONFIG: "nope.json" }, cwd));
    expect(error.message).toContain("CHAT_CONFIG");
    expect(error.message).toContain("not found");
    expect(error.message).toContain(join(cwd, "nope.json"));
  });

  it("treats an empty CHAT_CONFIG as unset", async () => {
    await writeConfig({ port: 4321 });
    expect((await loadConfig({ CHAT_CONFIG: "" }, cwd)).port).toBe(4321);
  });

  it("refuses a file that is not valid JSON", async () => {
    const path = await writeConfig('{"port": 80,}');
    const error = await configError(loadConfig({}, cwd));
    expect(error.message).toContain("not valid JSON");
    expect(error.message).toContain(path);
  });

  it("refuses an empty file", async () => {
    await writeConfig("");
    expect((await configError(loadConfig({}, cwd))).message).toContain("not valid JSON");
  });

  it("refuses a config path that cannot be read", async () => {
    await mkdir(join(cwd, "config", "server.json"), { recursive: true });
    expect((await configError(loadConfig({}, cwd))).message).toContain("cannot read");
  });

  it("refuses an unknown field in the file", async () => {
    await writeConfig({ dataDri: "x" });
    const error = await configError(loadConfig({}, cwd));
    expect(error.message).toContain("dataDri");
  });

  it("refuses a bad value in the file and names the field and the file", async () => {
    const path = await writeConfig({ port: "80" });
    const error = await configError(loadConfig({}, cwd));
    expect(error.message).toContain("port");
    expect(error.message).toContain(path);
  });

  it("resolves a relative dataDir against the working directory", async () => {
    await writeConfig({ dataDir: "var/chat" });
    expect((await loadConfig({}, cwd)).dataDir).toBe(join(cwd, "var", "chat"));
  });

  it("keeps an absolute dataDir", async () => {
    await writeConfig({ dataDir: "/srv/chatd" });
    expect((await loadConfig({}, cwd)).dataDir).toBe("/srv/chatd");
  });

  describe("environment overrides", () => {
    it("CHAT_HOST sets host", async () => {
      expect((await loadConfig({ CHAT_HOST: "127.0.0.1" }, cwd)).host).toBe("127.0.0.1");
    });

    it("CHAT_PORT sets port", async () => {
      expect((await loadConfig({ CHAT_PORT: "9000" }, cwd)).port).toBe(9000);
    });

    it("CHAT_PORT accepts surrounding whitespace", async () => {
      expect((await loadConfig({ CHAT_PORT: " 9001 " }, cwd)).port).toBe(9001);
    });

    it("CHAT_IRC_PORT and CHAT_IRC_TLS_PORT turn IRC on; an empty one leaves it off; a non-number is refused", async () => {
      expect((await loadConfig({}, cwd)).irc.port).toBeUndefined();
      const on = await loadConfig({ CHAT_IRC_PORT: "6667", CHAT_IRC_TLS_PORT: "6697" }, cwd);
      expect([on.irc.port, on.irc.tlsPort]).toEqual([6667, 6697]);
      expect((await loadConfig({ CHAT_IRC_PORT: "" }, cwd)).irc.port).toBeUndefined();
      await expect(loadConfig({ CHAT_IRC_PORT: "irc" }, cwd)).rejects.toThrow(/irc\.port: expected an integer, got "irc" \(set by CHAT_IRC_PORT\)/);
      await expect(loadConfig({ CHAT_IRC_PORT: "70000" }, cwd)).rejects.toThrow(/irc\.port: .*\(set by CHAT_IRC_PORT\)/);
    });

    it("CHAT_IRC_PASSWORD sets irc.password as given (empty: none), keeping the file's other irc fields", async () => {
      expect((await loadConfig({}, cwd)).irc.password).toBe("");
      const set = await loadConfig({ CHAT_IRC_PASSWORD: "s3cret pass", CHAT_IRC_PORT: "6667" }, cwd);
      expect([set.irc.password, set.irc.port]).toEqual(["s3cret pass", 6667]);
      expect((await loadConfig({ CHAT_IRC_PASSWORD: "" }, cwd)).irc.password).toBe("");
      await expect(loadConfig({ CHAT_IRC_PASSWORD: "x".repeat(201) }, cwd)).rejects.toThrow(/irc\.password: .*\(set by CHAT_IRC_PASSWORD\)/);
    });

    it("CHAT_DATA_DIR sets dataDir, resolved against the working directory", async () => {
      expect((await loadConfig({ CHAT_DATA_DIR: "store" }, cwd)).dataDir).toBe(join(cwd, "store"));
      expect((await loadConfig({ CHAT_DATA_DIR: "/abs/store" }, cwd)).dataDir).toBe("/abs/store");
    });

    it("CHAT_ADMIN_TOKEN sets adminToken", async () => {
      expect((await loadConfig({ CHAT_ADMIN_TOKEN: "s3cret" }, cwd)).adminToken).toBe("s3cret");
    });

    it("take precedence over the file", async () => {
      await writeConfig({ host: "0.0.0.0", port: 1111, dataDir: "a", adminToken: "file", motd: "from file" });
      const config = await loadConfig(
        { CHAT_HOST: "::1", CHAT_PORT: "2222", CHAT_DATA_DIR: "b", CHAT_ADMIN_TOKEN: "env" },
        cwd,
      );
      expect(config).toMatchObject({ host: "::1", port: 2222, dataDir: join(cwd, "b"), adminToken: "env", motd: "from file" });
    });

    it("leave unset fields to the file", async () => {
      await writeConfig({ port: 1111 });
      expect((await loadConfig({ CHAT_HOST: "h" }, cwd)).port).toBe(1111);
    });

    it.each(["abc", "", "80x", "-1", "1e3", "8.5"])("refuse CHAT_PORT=%j as not an integer, in the one two-line format", async (value) => {
      const error = await configError(loadConfig({ CHAT_PORT: value }, cwd));
      expect(error.message).toBe(`defaults (no ${join(cwd, DEFAULT_CONFIG_PATH)}): invalid configuration\n  port: expected an integer, got ${JSON.stringify(value)} (set by CHAT_PORT)`);
    });

    it("report a bad variable with the file's own problems, one line each", async () => {
      const path = await writeConfig({ bcryptCost: 99 });
      const error = await configError(loadConfig({ CHAT_PORT: "abc" }, cwd, ["CHAT_LOG_LEVEL: expected debug, info, warn or error, got \"x\""]));
      expect(error.source).toBe(path);
      expect(error.message.split("\n")).toEqual([
        `${path}: invalid configuration`,
        '  CHAT_LOG_LEVEL: expected debug, info, warn or error, got "x"',
        '  port: expected an integer, got "abc" (set by CHAT_PORT)',
        expect.stringMatching(/^ {2}bcryptCost: /),
      ]);
    });

    it("name a missing CHAT_CONFIG file in the same format", async () => {
      const error = await configError(loadConfig({ CHAT_CONFIG: "nope.json" }, cwd));
      expect(error.message).toBe(`${join(cwd, "nope.json")}: invalid configuration\n  CHAT_CONFIG: file not found`);
    });

    it("refuse a CHAT_PORT out of range and name the port field", async () => {
      const error = await configError(loadConfig({ CHAT_PORT: "70000" }, cwd));
      expect(error.message).toContain("port:");
    });

    it("refuse an empty CHAT_HOST and name the host field", async () => {
      const error = await configError(loadConfig({ CHAT_HOST: "" }, cwd));
      expect(error.message).toContain("host:");
    });

    it("refuse an empty CHAT_DATA_DIR and name the dataDir field", async () => {
      const error = await configError(loadConfig({ CHAT_DATA_DIR: "" }, cwd));
      expect(error.message).toContain("dataDir:");
    });

    it("set a field to empty when empty: off for the admin token and TLS, the default files folder; an empty CHAT_REDIS_URL is refused", async () => {
      await writeFile(join(cwd, "c.pem"), "-----BEGIN CERTIFICATE-----\n");
      await writeConfig({ adminToken: "file", tls: { cert: "c.pem", key: "c.pem" }, files: { dir: "up" } });
      const config = await loadConfig({ CHAT_ADMIN_TOKEN: "", CHAT_TLS_CERT: "", CHAT_TLS_KEY: "", CHAT_FILES_DIR: "" }, cwd);
      expect([config.adminToken, config.tls, config.files.dir]).toEqual(["", { cert: "", key: "" }, ""]);
      const error = await configError(loadConfig({ CHAT_REDIS_URL: "" }, cwd));
      expect(error.message).toContain("cluster.redis.url: expected a redis:// or rediss:// URL (set by CHAT_REDIS_URL)");
    });

    it("ignore variables that are not overrides", async () => {
      const config = await loadConfig({ CHAT_MOTD: "x", PORT: "1", HOST: "h" }, cwd);
      expect(config.motd).toBe("");
      expect(config.port).toBe(8080);
      expect(config.host).toBe("0.0.0.0");
    });
  });

  it("names the variable behind an invalid value, and says when there was no file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "chatd-config-env-"));
    try {
      const error = await loadConfig({ CHAT_PORT: "70000" }, dir).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^defaults \(no .*server\.json\): invalid configuration\n {2}port: .* \(set by CHAT_PORT\)$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
