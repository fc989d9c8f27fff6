import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";

/**
 * docs/configuration.md, "Bounds": every bound, just past it and at it. Checked through
 * `POST /admin/reload` of a running daemon (the same validation as at start, which exits 2:
 * config-env.test.ts), so one process answers them all.
 */

const TOKEN = "bounds-token";
const world = new World();
let file = "";
let port = 0;

async function reload(config: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  await writeFile(file, JSON.stringify({ bcryptCost: 4, ...config }));
  const res = await fetch(`http://127.0.0.1:${port}/admin/reload`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  const dir = await world.tempDir();
  file = join(dir, "server.json");
  await writeFile(file, JSON.stringify({ bcryptCost: 4 }));
  // adminToken and the listener come from the environment, so no case below can lock the test out.
  const p = await world.spawn({ CHAT_CONFIG: file, CHAT_DATA_DIR: join(dir, "data"), CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_ADMIN_TOKEN: TOKEN });
  port = p.port;
});
afterAll(() => world.cleanup());

const limits = (l: Record<string, unknown>) => ({ limits: l });

describe("a value out of bounds is an invalid configuration (400 invalid_config naming the field; nothing changes)", () => {
  it.each([
    [{ name: "" }, "name"],
    [{ name: "n".repeat(101) }, "name"],
    [{ name: "😀".repeat(101) }, "name"],
    [{ motd: "m".repeat(2001) }, "motd"],
    [{ welcome: "w".repeat(2001) }, "welcome"],
    [{ bcryptCost: 3 }, "bcryptCost"],
    [{ bcryptCost: 16 }, "bcryptCost"],
    [{ bcryptThreads: -1 }, "bcryptThreads"],
    [{ bcryptThreads: 17 }, "bcryptThreads"],
    [{ chatLog: { maxBytes: -1 } }, "chatLog.maxBytes"],
    [{ chatLog: { maxBytes: 1.5 } }, "chatLog.maxBytes"],
    [{ chatLog: { keepFiles: 1001 } }, "chatLog.keepFiles"],
    [{ rooms: ["no spaces"] }, "rooms.0"],
    [{ trustedProxies: ["proxy.example"] }, "trustedProxies.0"],
    [{ trustedProxies: ["10.0.0.0/33"] }, "trustedProxies.0"],
    [{ security: { allowedOrigins: ["https://chat.example/path"] } }, "security.allowedOrigins.0"],
    [{ security: { allowedOrigins: ["ftp://chat.example"] } }, "security.allowedOrigins.0"],
    [{ cluster: { redis: { url: "http://127.0.0.1:6379" } } }, "cluster.redis.url"],
    [{ cluster: { redis: { url: "redis://127.0.0.1:6379", nodeId: "node 1" } } }, "cluster.redis.nodeId"],
    [{ irc: { port: 65_536 } }, "irc.port"],
    [{ irc: { tlsPort: -1 } }, "irc.tlsPort"],
    [{ irc: { password: "p".repeat(201) } }, "irc.password"],
    [{ files: { unsharedTtlMs: 99 } }, "files.unsharedTtlMs"],
    [limits({ maxFrameBytes: 1023 }), "limits.maxFrameBytes"],
    [limits({ maxFrameBytes: 16_777_217 }), "limits.maxFrameBytes"],
    [limits({ maxTextLength: 0 }), "limits.maxTextLength"],
    [limits({ maxTextLength: 100_001 }), "limits.maxTextLength"],
    [limits({ historyPerRoom: 0 }), "limits.historyPerRoom"],
    [limits({ historyPerRoom: 1_000_001 }), "limits.historyPerRoom"],
    [limits({ historyOnJoin: 1001 }), "limits.historyOnJoin"],
    [limits({ passwordMinLength: 0 }), "limits.passwordMinLength"],
    [limits({ passwordMinLength: 73 }), "limits.passwordMinLength"],
    [limits({ maxBufferedBytes: 65_535 }), "limits.maxBufferedBytes"],
    [limits({ maxHeaderBytes: 1023 }), "limits.maxHeaderBytes"],
    [limits({ maxHeaderBytes: 1_048_577 }), "limits.maxHeaderBytes"],
    [limits({ heartbeatMs: 49 }), "limits.heartbeatMs"],
    [limits({ authTimeoutMs: 99 }), "limits.authTimeoutMs"],
    [limits({ headersTimeoutMs: 99 }), "limits.headersTimeoutMs"],
    [limits({ requestTimeoutMs: 99 }), "limits.requestTimeoutMs"],
    [limits({ abuseWindowMs: 99 }), "limits.abuseWindowMs"],
    [limits({ searchRebuildChunk: 0 }), "limits.searchRebuildChunk"],
    [limits({ searchRebuildChunk: 100_001 }), "limits.searchRebuildChunk"],
    [limits({ maxFileBytes: 0 }), "limits.maxFileBytes"],
    [limits({ maxFileBytes: 2_147_483_649 }), "limits.maxFileBytes"],
    [limits({ maxRooms: 0 }), "limits.maxRooms"],
    [limits({ maxRooms: 1_000_001 }), "limits.maxRooms"],
    [limits({ emptyRoomTtlMs: 999 }), "limits.emptyRoomTtlMs"],
    [limits({ roomsPushMs: 60_001 }), "limits.roomsPushMs"],
    [limits({ signInFailureDelayMs: -1 }), "limits.signInFailureDelayMs"],
    [limits({ signInFailureDelayMaxMs: -1 }), "limits.signInFailureDelayMaxMs"],
    [limits({ historyMemoryBytes: -1 }), "limits.historyMemoryBytes"],
    [limits({ typingIntervalMs: -1 }), "limits.typingIntervalMs"],
    [limits({ fileBytesPerUserPerDay: -1 }), "limits.fileBytesPerUserPerDay"],
    // "Every other limit at least 1", and limits are whole numbers but the rates and tokenTtlHours.
    [limits({ maxConnections: 0 }), "limits.maxConnections"],
    [limits({ maxConnections: 1.5 }), "limits.maxConnections"],
    [limits({ messageBurst: 0 }), "limits.messageBurst"],
    [limits({ joinBurst: 2.5 }), "limits.joinBurst"],
    [limits({ maxSessionsPerUser: 0 }), "limits.maxSessionsPerUser"],
    [limits({ abuseStrikes: 0 }), "limits.abuseStrikes"],
    [limits({ typingBurst: 0 }), "limits.typingBurst"],
    [limits({ messagesPerSecond: 0 }), "limits.messagesPerSecond"],
    [limits({ tokenTtlHours: 0 }), "limits.tokenTtlHours"],
    [limits({ signInsPerMinute: -1 }), "limits.signInsPerMinute"],
  ])("%j", async (config, field) => {
    const { status, body } = await reload(config);
    expect(status).toBe(400);
    expect(body).toEqual({ error: "invalid_config", message: expect.any(String) });
    expect(body.message).toMatch(new RegExp(`\\n {2}${field.replace(/\./g, "\\.")}: `));
  });

  it("an unknown field, at the top or inside limits, is refused by name", async () => {
    expect((await reload({ colour: "blue" })).body.message).toMatch(/colour/);
    expect((await reload(limits({ maxFrames: 5 }))).body.message).toMatch(/maxFrames/);
  });
});

describe("a value at its bound is valid", () => {
  it.each([
    [{ name: "n".repeat(100), motd: "m".repeat(2000), welcome: "w".repeat(2000) }],
    // Lengths in code points: an emoji beyond U+FFFF counts 1.
    [{ name: "😀".repeat(100), motd: "😀".repeat(2000), welcome: "😀".repeat(2000) }],
    [{ bcryptCost: 15, bcryptThreads: 0 }],
    [{ bcryptCost: 4, bcryptThreads: 16 }],
    [{ chatLog: { maxBytes: 0, keepFiles: 0 } }],
    [{ chatLog: { keepFiles: 1000 } }],
    [{ trustedProxies: ["127.0.0.1", "::1", "10.0.0.0/8", "2001:db8::/32"] }],
    [{ security: { allowedOrigins: ["https://chat.example:8443", "http://localhost:3000"] } }],
    [{ security: { allowedOrigins: ["*"] } }],
    [{ irc: { password: "p".repeat(200) } }],
    [{ files: { unsharedTtlMs: 100 } }],
    [limits({ maxFrameBytes: 1024, maxTextLength: 1, historyPerRoom: 1, historyOnJoin: 0, passwordMinLength: 1 })],
    [limits({ maxFrameBytes: 16_777_216, maxTextLength: 100_000, historyPerRoom: 1_000_000, historyOnJoin: 1000, passwordMinLength: 72 })],
    [limits({ maxBufferedBytes: 65_536, maxHeaderBytes: 1024, heartbeatMs: 50, authTimeoutMs: 100, headersTimeoutMs: 100, requestTimeoutMs: 100, abuseWindowMs: 100 })],
    [limits({ maxHeaderBytes: 1_048_576, searchRebuildChunk: 1, maxFileBytes: 1, maxRooms: 1, emptyRoomTtlMs: 1000, roomsPushMs: 0 })],
    [limits({ searchRebuildChunk: 100_000, maxFileBytes: 2_147_483_648, maxRooms: 1_000_000, roomsPushMs: 60_000 })],
    [limits({ signInFailureDelayMs: 0, signInFailureDelayMaxMs: 0, historyMemoryBytes: 0, typingIntervalMs: 0, fileBytesPerUserPerDay: 0 })],
    // The rates and tokenTtlHours may be any number above 0.
    [limits({ messagesPerSecond: 0.5, ipMessagesPerSecond: 0.5, joinsPerSecond: 0.5, ipJoinsPerSecond: 0.5, searchesPerSecond: 0.5, typingPerSecond: 0.5, tokenTtlHours: 0.5 })],
    [limits({ historyMessagesPerSecond: 0.5, ipHistoryMessagesPerSecond: 0.5, signInsPerMinute: 0.5, ipSignInsPerMinute: 0.5, ipAccountsPerHour: 0.5, userRoomsPerHour: 0.5, ipRoomsPerHour: 0.5, stateRequestsPerSecond: 0.5 })],
  ])("%j", async (config) => {
    const { status, body } = await reload(config);
    expect(body).toMatchObject({ reloaded: true });
    expect(status).toBe(200);
  });
});
