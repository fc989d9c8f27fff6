import { z } from "zod";
import { isNameError, normalizeName } from "../message/names.ts";
import { hardeningLimits, security } from "./security.ts";
import { roomLimits } from "./rooms.ts";
import { parseRange } from "../net/cidr.ts";
import { fileLimits, files } from "./files.ts";
import { operators } from "./operators.ts";

const roomName = z.string().superRefine((value, ctx) => {
  const n = normalizeName(value);
  if (isNameError(n)) ctx.addIssue({ code: "custom", message: `room name ${n.error}` });
});

/**
 * The server's JSON configuration (the brief's server object). Every field has a
 * default, so `{}` is a valid file; unknown fields are refused so a typo is an
 * error at start instead of a silently ignored setting.
 */
const limits = z
  .strictObject({
    maxFrameBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(65536),
    maxTextLength: z.number().int().min(1).max(100_000).default(4000),
    historyPerRoom: z.number().int().min(1).max(1_000_000).default(1000),
    historyOnJoin: z.number().int().min(0).max(1000).default(50),
    // Bytes of history held in memory across all rooms (64 MiB); older pages are read from the chat log files.
    historyMemoryBytes: z.number().int().min(0).default(64 * 1024 * 1024),
    maxConnections: z.number().int().min(1).default(10_000),
    maxRoomsPerSession: z.number().int().min(1).default(100),
    authTimeoutMs: z.number().int().min(100).default(10_000),
    messagesPerSecond: z.number().positive().default(10),
    messageBurst: z.number().int().min(1).default(20),
    passwordMinLength: z.number().int().min(1).max(72).default(8),
    tokenTtlHours: z.number().positive().default(24 * 30),
    maxBufferedBytes: z.number().int().min(65536).default(4 * 1024 * 1024),
    // Search (issue 20): its own bucket per connection, and the rebuild's slice size.
    searchesPerSecond: z.number().positive().default(2),
    searchBurst: z.number().int().min(1).default(10),
    // All connections of one address together: a search costs tens of ms on a big log, and 100 connections had 200 a second.
    ipSearchesPerSecond: z.number().positive().default(10),
    ipSearchBurst: z.number().int().min(1).default(50),
    searchRebuildChunk: z.number().int().min(1).max(100_000).default(2000),
    ...hardeningLimits,
    ...fileLimits,
    ...roomLimits,
  })
  .prefault({});

/**
 * Cluster mode: several daemons on one Redis act as one chat server. Absent
 * (or `{}`, or `{"redis":{}}`: every field is optional) means embedded mode
 * (files under `dataDir`, everything in one process).
 */
const cluster = z.preprocess(
  clusterInput,
  z
    .strictObject({
      redis: z.strictObject({
        url: z.string().regex(/^rediss?:\/\//, "expected a redis:// or rediss:// URL"),
        keyPrefix: z.string().default("chatd:"),
        /** Names this node in /admin/nodes; random when empty. */
        nodeId: z.string().max(100).regex(/^[A-Za-z0-9._-]*$/, "letters, digits, '.', '_' and '-' only").default(""),
      }),
    })
    .optional(),
);

/**
 * An empty block is no cluster; a key prefix or node id without a URL is refused
 * as CHAT_REDIS_PREFIX and CHAT_NODE_ID alone are (load.ts), in the same words.
 */
function clusterInput(value: unknown, ctx: { addIssue(issue: { code: "custom"; message: string; path: string[]; input: unknown }): void }): unknown {
  const record = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!record(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 0) return undefined;
  if (keys.length !== 1 || !record(value.redis) || "url" in value.redis) return value;
  const given = Object.keys(value.redis);
  if (given.length === 0) return undefined;
  if (!given.every((k) => k === "keyPrefix" || k === "nodeId")) return value;
  const named = given.map((k) => `cluster.redis.${k}`).join(" and ");
  ctx.addIssue({ code: "custom", path: ["redis", "url"], input: value, message: `missing (${named}: cluster mode only): set CHAT_REDIS_URL, or cluster.redis.url in the file` });
  return undefined;
}

/**
 * The IRC gateway (docs/irc.md): off unless `port` is set. `tlsPort` serves
 * IRC over TLS with the daemon's certificate (`tls`).
 */
const irc = z
  .strictObject({
    port: z.number().int().min(0).max(65535).optional(),
    tlsPort: z.number().int().min(0).max(65535).optional(),
    /** The server name IRC clients see in prefixes and numerics (no spaces). */
    serverName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, "letters, digits, '.' and '-' only").max(63).default("chatd"),
    /** Replay a room's latest messages on JOIN to clients without draft/chathistory (limits.historyOnJoin of them). */
    replayOnJoin: z.boolean().default(true),
    /** A client with no SASL or PASS signs in as a guest: its nick becomes an account only the server knows the password of. */
    guests: z.boolean().default(false),
    /** OPER blocks: a name, a bcrypt hash of the password and the role the connection gets. */
    operators,
    /** The server password: when set, every IRC client must send `PASS <it>` before registering (empty: none). */
    password: z.string().max(200).default(""),
  })
  .prefault({});

export const configSchema = z.strictObject({
  host: z.string().min(1).default("0.0.0.0"),
  port: z.number().int().min(0).max(65535).default(8080),
  name: z.string().min(1).max(100).default("chatd"),
  motd: z.string().max(2000).default(""),
  welcome: z.string().max(2000).default(""),
  rooms: z.array(roomName).default(["general"]),
  dataDir: z.string().min(1).default("./data"),
  registration: z.enum(["open", "closed"]).default("open"),
  bcryptCost: z.number().int().min(4).max(15).default(10),
  // Worker threads for bcrypt (0: on the event loop, as one job at a time).
  bcryptThreads: z.number().int().min(0).max(16).default(1),
  adminToken: z.string().default(""),
  chatLog: z
    .strictObject({
      fsync: z.boolean().default(true),
      // Rotate chat.jsonl at this size (0: never) and keep this many rotated files.
      maxBytes: z.number().int().min(0).default(0),
      keepFiles: z.number().int().min(0).max(1000).default(5),
    })
    .prefault({}),
  // Reverse proxies whose X-Forwarded-For / Forwarded headers are believed (IPs or CIDRs).
  trustedProxies: z
    .array(z.string().refine((s) => parseRange(s) !== undefined, { message: "expected an IP address or CIDR range" }))
    .default([]),
  // PEM files for https/wss; both or neither.
  tls: z
    .strictObject({ cert: z.string().default(""), key: z.string().default("") })
    .prefault({})
    .refine((t) => (t.cert === "") === (t.key === ""), { message: "set both cert and key, or neither" }),
  // /metrics without the admin token (counts only, no names or messages).
  metrics: z.strictObject({ public: z.boolean().default(true) }).prefault({}),
  limits,
  security,
  files,
  irc,
  cluster,
});

export type Config = z.infer<typeof configSchema>;
export type Limits = Config["limits"];
